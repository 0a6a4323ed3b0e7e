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
        r["why"] = r["silence_reason"] or r["ack_note"] or r["no_data_reason"] or ""
    if fmt == "json":
        emit_json(rows)
    else:
        for r in rows:
            r["note"] = quiet_because(r)
        table(rows, ["id", "severity", "status", "indicator", "period",
                     Col("member_count", "RECORDS", justify="right"),
                     Col("message", wrap=True), Col("note", wrap=True)])


def quiet_because(r: dict) -> str:
    """Why an alert is quiet, and who quieted it (the status says how), or why it has no
    data: "-" when nothing did."""
    if r.get("silenced_by") or r.get("silence_reason"):
        return (f"{r.get('silence_reason') or 'no reason given'} (silence "
                f"{r.get('silenced_by')} by {r.get('silence_author') or 'unknown'})")
    if r.get("acked_by"):
        return f"{r.get('ack_note') or 'no note'} (by {r['acked_by']})"
    return r.get("no_data_reason") or "-"
