"""trendline web: the browser workspace over the store."""

from __future__ import annotations

import ipaddress

import click

from trendline.cli import context
from trendline.core import users


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may be reached from anywhere
        return False


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def command(host: str, port: int) -> None:
    """Serve the workspace: the overview, every indicator with its evidence, alerts with
    acknowledgements and silences, organisations, changes and sources. Reading is open;
    acting needs a user (`trendline user add NAME`). Off loopback with no user, it serves
    read-only and says so."""
    import uvicorn

    from trendline.web.app import create_app

    res = context.resources()
    with res.engine.connect() as conn:
        anyone = bool(users.user_names(conn))
    read_only = not anyone and not is_loopback(host)
    if read_only:
        click.echo(f"trendline: warning: serving {host} read-only: no user is configured, so "
                   "no one may acknowledge or silence here (add one with `trendline user add "
                   "NAME` and start again)", err=True)
    app = create_app(res, read_only=read_only)
    click.echo(f"Trendline workspace on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
