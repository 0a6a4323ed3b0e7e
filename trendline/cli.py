"""The `trendline` command. Each subcommand lives in trendline/commands/<name>.py."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
import traceback
from pathlib import Path

import click

from trendline import commands
from trendline.settings import ConfigError


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
        return importlib.import_module(f"trendline.commands.{name.replace('-', '_')}").command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"trendline: config error: {exc}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `trendline alerts | head`: the reader left, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # the last line of defence: no traceback at the user
            log = Path(tempfile.gettempdir()) / "trendline-error.log"
            log.write_text(traceback.format_exc(), encoding="utf-8")
            click.echo(
                f"trendline: error: {type(exc).__name__}: {exc} (details in {log})", err=True
            )
            sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: ./trendline.toml, else the bundled default).",
)
@click.version_option(package_name="trendline")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Trendline: is China-Russia cooperation in AI a headline or a trend line?"""
    ctx.obj = {"config": config}

