"""trendline alerts: alerts and their state, silences and acknowledgements."""

from __future__ import annotations

import click

from trendline.cli.commands._alerting import now, store
from trendline.cli.commands._output import FORMAT, Col, emit_json, table
from trendline.tasks.evaluate import alerts
from trendline.tasks.evaluate.alerts.queries import status


@click.command("alerts")
@FORMAT
@click.option("--all", "show_all", is_flag=True,
              help="Include pending, resolved and history alerts.")
def command(fmt: str, show_all: bool) -> None:
    """Firing and no-data alerts (all with --all), most severe first; silenced and
    acknowledged ones show as such, with their reason."""
    settings, engine = store()
    with engine.connect() as conn:
        rows = alerts.listing(conn, settings, now(), show_all)
    for r in rows:
        r["indicator"] = r.pop("indicator_id")
        r["status"] = status(r)
        r["why"] = quiet_because(r)
    if fmt == "json":
        emit_json(rows)
    else:
        table(rows, ["id", "severity", "status", "indicator", "period",
                     Col("member_count", "RECORDS", justify="right"),
                     Col("message", wrap=True), Col("why", "NOTE", wrap=True)])


def quiet_because(r: dict) -> str:
    """Who quieted an alert and why, or why it has no data: "-" when nothing did."""
    if r.get("silenced_by") or r.get("silence_reason"):
        return f"silenced by {r.get('silenced_by') or 'unknown'}: " \
               f"{r.get('silence_reason') or 'no reason given'}"
    if r.get("acked_by"):
        return f"acknowledged by {r['acked_by']}: {r.get('ack_note') or 'no note'}"
    return r.get("no_data_reason") or "-"
