"""trendline deliver: send what waits in the outbox."""

from __future__ import annotations

import sys

import click

from trendline.cli import context
from trendline.core.redaction import redact
from trendline.tasks.publish.notify import deliver


@click.command("deliver")
def command() -> None:
    """Send pending messages to their Apprise targets (no Prefect needed)."""
    res = context.resources()
    out = deliver(res.engine, res.settings, clock=res.clock)
    busy = f", {out.busy} being sent by another deliverer" if out.busy else ""
    click.echo(
        f"Messages: {out.sent} sent, {out.failed} failed, {out.waiting} waiting{busy}"
    )
    for err in out.errors or []:
        click.echo(f"  {redact(err)}", err=True)
    sys.exit(1 if out.failed else 0)
