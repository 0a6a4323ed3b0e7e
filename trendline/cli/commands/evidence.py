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
        blocks(rows)


def blocks(rows) -> None:
    """One block per record: its kind, id, period and year on the first line, then each
    field that says something on its own line, never cut (URLs and names stay whole at
    any terminal width); empty fields are left out, never shown as None."""
    from trendline.indicators.words import amount

    for r in rows.to_dict("records"):
        head = [r["kind"], r["id"], f"period {r['period']}"]
        head += [f"subject {r['subject']}"] if r["subject"] != "all" else []
        head += [str(r["year"])] if r["year"] is not None else []
        click.echo("  ".join(head) + ("  (synthetic demo record)" if r["demo"] else ""))
        fields = {"label": r["label"],
                  "counts": None if r["value"] is None else amount(r["value"], r["unit"] or ""),
                  "link": r["url"], "organisations": r["organisations"],
                  "listing": r["listing"], "country rule": r["country_rule"],
                  "amount": _amount(r)}
        for name, text in fields.items():
            if text not in (None, ""):
                click.echo(f"    {name}: {text}")
    click.echo(f"{len(rows)} record(s)")


def _amount(r) -> str | None:
    if r["amount"] == "undisclosed":
        return "undisclosed"
    if r["amount_usd"] is None:
        return None
    from trendline.indicators.words import amount

    return ", ".join(x for x in (amount(r["amount_usd"], "usd"), r["rate"]) if x)
