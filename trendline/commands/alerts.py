"""trendline alerts: alerts and their state."""

from __future__ import annotations

import click
import sqlalchemy as sa

from indicators.base import SEVERITIES
from trendline import context, schema
from trendline.commands._output import FORMAT, Col, emit_json, table


@click.command("alerts")
@FORMAT
@click.option("--all", "show_all", is_flag=True, help="Include resolved and silenced alerts.")
def command(fmt: str, show_all: bool) -> None:
    """Firing alerts (or all with --all), most severe first."""
    engine = context.store(context.settings())
    t = schema.alerts
    q = sa.select(t) if show_all else sa.select(t).where(t.c.state == "firing")
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    rows.sort(
        key=lambda r: (
            -SEVERITIES.index(r["severity"]),
            r["indicator_id"],
            r["period"],
            r["subject"],
        )
    )
    for r in rows:
        r["indicator"] = r.pop("indicator_id")
    if fmt == "json":
        emit_json(rows)
    else:
        table(rows, ["id", "severity", "state", "indicator", "period",
                     Col("subject", wrap=True), Col("message", wrap=True)])
