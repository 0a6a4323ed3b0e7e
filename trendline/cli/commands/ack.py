"""trendline ack: acknowledge an alert, with a note and an author."""

from __future__ import annotations

import click

from trendline.cli.commands._alerting import author, now, store
from trendline.cli.commands._output import FORMAT, emit_json
from trendline.tasks.evaluate import alerts
from trendline.tasks.evaluate.alerts.silences import NotFound

FIELDS = ["id", "indicator_id", "period", "severity", "state", "acked_at", "acked_by",
          "ack_note", "ack_severity"]


@click.command("ack")
@click.argument("alert_id")
@click.option("--note", required=True, help="What you did or decided about it.")
@click.option("--author", "who", help="Who acknowledges it (default: your user name).")
@FORMAT
def command(alert_id: str, note: str, who: str | None, fmt: str) -> None:
    """Acknowledge ALERT_ID: it is not announced again until its severity rises, or it
    resolves and fires again (`trendline unack` undoes it)."""
    _, engine = store()
    try:
        with engine.begin() as conn:
            row = alerts.acknowledge(conn, alert_id, note, author(who), now())
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        emit_json({k: row[k] for k in FIELDS})
    else:
        click.echo(f"Acknowledged {row['id']} ({row['indicator_id']} {row['period']}, "
                   f"{row['severity']}) by {row['acked_by']}: {row['ack_note']}")
