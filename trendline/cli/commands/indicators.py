"""trendline indicators: the verdict and latest value of every evaluated indicator."""

from __future__ import annotations

import shutil
import textwrap

import click

from trendline.cli import context
from trendline.cli.commands._output import FORMAT, Col, emit_json, table
from trendline.tasks.publish.brief import row as brief_row
from trendline.tasks.publish.brief import verdict_short
from trendline.tasks.publish.report import overview

COLUMNS = [
    Col("id"), Col("verdict", "VERDICT", wrap=True),
    Col("value", "VALUE", wrap=True, justify="right"),  # with its period
    Col("brief", "BRIEF", wrap=True), Col("vs_brief", "VS BRIEF", wrap=True),
    Col("status"), Col("alerts_firing", "ALERTS", justify="right"),
    Col("evidence_count", "RECORDS", justify="right"),
]


@click.command("indicators")
@FORMAT
@click.option(
    "--evidence/--no-evidence", default=True, help="Include the records behind values (json)."
)
def command(fmt: str, evidence: bool) -> None:
    """Verdict (headline or trend line), latest value, baseline, status and series of
    every evaluated indicator."""
    engine = context.resources().engine
    with engine.connect() as conn:
        rows = overview(conn)
    if not evidence:
        for r in rows:
            r.pop("evidence")
    if fmt == "json":
        emit_json(rows)
    else:
        today = context.resources().now().date()
        people = []
        for r in rows:
            b = brief_row(r, today)  # the latest complete period, with its unit
            people.append({**b, "brief": b["brief"] or "-", "vs_brief": b["vs_brief"] or "-",
                           "value": f"{b['value']} {b['when']}".strip(),
                           "verdict": verdict_short(r.get("verdict")) or "-"})
        table(people, COLUMNS)
        said = [(b["id"], b["verdict_text"], (r.get("verdict") or {}).get("revised") or "")
                for b, r in zip(people, rows, strict=True) if b["verdict_text"]]
        if said:  # each verdict's one line, in full; what a source revised under it
            width = max(shutil.get_terminal_size((120, 24)).columns, 80)
            click.echo("\nHeadline or trend line? (complete years after the brief)")
            for ind_id, text, revised in said:
                if revised:
                    text += f" [revised since the last summary: {revised}]"
                click.echo(textwrap.fill(f"{ind_id}: {text}", width=width,
                                         subsequent_indent="  ", break_long_words=False,
                                         break_on_hyphens=False))
