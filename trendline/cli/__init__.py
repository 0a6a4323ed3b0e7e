"""The `trendline` command. Each subcommand lives in trendline/commands/<name>.py."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback
from pathlib import Path

import click

from trendline.cli import commands
from trendline.cli.context import FileProblem
from trendline.core.db import StoreError
from trendline.core.locks import LockLost, StoreBusy
from trendline.core.redaction import redact
from trendline.core.settings import ConfigError, load_settings


class Group(click.Group):
    """Commands are imported only when used (`trendline run` starts faster). Errors reach the
    user as one line: config errors exit 2, anything unexpected exits 1 with its traceback
    kept in a log file instead of the terminal."""

    def list_commands(self, ctx):
        names = (m.name for m in pkgutil.iter_modules(commands.__path__))
        return sorted(n.replace("_", "-") for n in names if not n.startswith("_"))

    def get_command(self, ctx, name):
        if name not in self.list_commands(ctx):
            return None
        return importlib.import_module(f"trendline.cli.commands.{name.replace('-', '_')}").command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StoreError as exc:
            click.echo(f"trendline: store error: {exc}", err=True)
            sys.exit(2)
        except ConfigError as exc:
            click.echo(f"trendline: config error: {exc}", err=True)
            sys.exit(2)
        except FileProblem as exc:
            click.echo(f"trendline: {exc}", err=True)
            sys.exit(2)
        except StoreBusy as exc:
            click.echo(f"trendline: {exc}; not started (try again when it ends)", err=True)
            sys.exit(1)
        except LockLost as exc:
            click.echo(f"trendline: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `trendline alerts | head`: the reader left, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # the last line of defence: no traceback at the user
            log = write_error_log(ctx, redact(traceback.format_exc()))
            where = f" (details in {log})" if log else ""
            click.echo(f"trendline: error: {type(exc).__name__}: {redact(exc)}{where}", err=True)
            sys.exit(1)


def write_error_log(ctx: click.Context, details: str) -> Path | None:
    """Append the traceback to errors.log in the state folder: created 0600, never opened
    through a symbolic link (O_NOFOLLOW), so no other user reads it and no link redirects
    the write. None when even that cannot be written."""
    try:
        home = load_settings((ctx.obj or {}).get("config")).home
    except Exception:  # the config itself may be what failed
        home = Path(".trendline")
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = home / "errors.log"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(details + "\n")
        return path
    except OSError:
        return None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=str,
    default=None,
    help="Config file (default: ./trendline.toml, else the bundled default).",
)
@click.version_option(package_name="trendline")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Trendline: is China-Russia cooperation in AI a headline or a trend line?"""
    ctx.obj = {"config": config}

