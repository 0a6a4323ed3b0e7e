"""The `trendline` command. Each subcommand lives in trendline/commands/<name>.py."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from trendline import commands
from trendline.settings import ConfigError


class Group(click.Group):
    """Turns expected errors into one line on stderr and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"trendline: config error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: ./trendline.toml, else the bundled default).")
@click.version_option(package_name="trendline")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Trendline: is China-Russia cooperation in AI a headline or a trend line?"""
    ctx.obj = {"config": config}


for _mod in pkgutil.iter_modules(commands.__path__):
    main.add_command(importlib.import_module(f"trendline.commands.{_mod.name}").command)
