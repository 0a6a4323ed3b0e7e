"""trendline indicators: the latest value of every evaluated indicator."""

from __future__ import annotations

import click

from tasks.publish.report import overview
from trendline import context
from trendline.commands._output import FORMAT, emit_json, table


@click.command("indicators")
@FORMAT
@click.option(
    "--evidence/--no-evidence", default=True, help="Include the records behind values (json)."
)
def command(fmt: str, evidence: bool) -> None:
    """Latest value, baseline, status and series of every evaluated indicator."""
    engine = context.store(context.settings())
    with engine.connect() as conn:
        rows = overview(conn)
    if not evidence:
        for r in rows:
            r.pop("evidence")
    if fmt == "json":
        emit_json(rows)
    else:
        table(rows, ["id", "period", "value", "status", "alerts_firing", "evidence_count"])
