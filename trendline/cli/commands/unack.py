"""trendline unack: withdraw an acknowledgement."""

from __future__ import annotations

import click

from trendline.cli.commands._alerting import store
from trendline.cli.commands._output import FORMAT, emit_json
from trendline.cli.commands.ack import FIELDS
from trendline.tasks.evaluate import alerts
from trendline.tasks.evaluate.alerts.silences import NotFound


@click.command("unack")
@click.argument("alert_id")
@FORMAT
def command(alert_id: str, fmt: str) -> None:
    """Withdraw the acknowledgement of ALERT_ID: it is announced as usual again."""
    _, engine = store()
    try:
        with engine.begin() as conn:
            row = alerts.unacknowledge(conn, alert_id)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        emit_json({k: row[k] for k in FIELDS})
    else:
        click.echo(f"Acknowledgement of {row['id']} withdrawn")
