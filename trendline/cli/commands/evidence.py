"""trendline evidence: every record behind an indicator's value."""

from __future__ import annotations

import sys

import click

from trendline.cli import context
from trendline.core.csvfile import write_frame


@click.command("evidence")
@click.argument("indicator")
@click.option("--period", default=None, help="Only this period (e.g. 2025).")
@click.option("--subject", default=None, help="Only this subject (e.g. a field or a centre).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "table"]), default="table",
              show_default=True, help="csv or json for scripts and spreadsheets")
def command(indicator: str, period: str | None, subject: str | None, fmt: str) -> None:
    """List every record (paper, deal, event, count query, listing) behind INDICATOR's
    values: the full list its stored sample and count stand for."""
    from trendline.tasks.evaluate.evidence import UnknownIndicator, list_evidence

    try:
        rows = list_evidence(context.resources(), indicator, period, subject)
    except UnknownIndicator as exc:
        click.echo(f"trendline: {exc}", err=True)
        sys.exit(2)
    if fmt == "csv":  # formula cells neutralised: record text lands in spreadsheets
        write_frame(sys.stdout, rows)
    elif fmt == "json":
        click.echo(rows.to_json(orient="records", force_ascii=False, indent=2))
    else:
        click.echo(rows.to_string(index=False, max_colwidth=60) if len(rows) else "(none)")
        click.echo(f"{len(rows)} record(s)")
