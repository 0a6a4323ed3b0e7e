"""trendline user add|remove|list: who may act (acknowledge, silence) in `trendline web`."""

from __future__ import annotations

import sys

import click

from trendline.cli import context
from trendline.core import users


@click.group("user")
def command() -> None:
    """Users of the workspace: reading may be open, every action needs one signed in."""


def read_password() -> str:
    """From standard input when it is not a terminal (its first line), else asked twice."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise click.ClickException("no password on standard input")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@command.command("add")
@click.argument("name")
def add(name: str) -> None:
    """Add NAME (or set a new password for it); the password is read from standard input
    when it is not a terminal, else asked twice. At least 8 characters."""
    try:
        users.check_name(name)
        password = read_password()
        res = context.resources()
        with res.engine.begin() as conn:
            created = users.add_user(conn, name, password, res.now())
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"User {name} {'added' if created else 'given a new password'}")


@command.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove NAME: they can sign in no more (what they acknowledged keeps their name)."""
    try:
        with context.resources().engine.begin() as conn:
            users.remove_user(conn, name)
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"User {name} removed")


@command.command("list")
def list_() -> None:
    """The users' names, one a line."""
    with context.resources().engine.connect() as conn:
        for name in users.user_names(conn):
            click.echo(name)
