"""`trendline import-deals FILE...`: load deal files (Crunchbase exports or curated CSV /
YAML) into the store. Per file: rows accepted and rejected, the share of undisclosed
prices, and every rejected row with file, line, field and reason.

Exit 0 when every file was processed, 2 when a file cannot be read as any known shape,
1 when a file had rows and every one was rejected (nothing of it is stored)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trendline.cli import context
from trendline.tasks.ingest.deal_files import normalise, read, source_of, write_rejects
from trendline.tasks.ingest.source import SourceError

SHOWN_REJECTS = 20


@click.command("import-deals")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def command(files: tuple[Path, ...]) -> None:
    """Import deal files: Crunchbase CSV exports (old acquisitions/investments, current
    organizations + funding_rounds) or curated deals (CSV or YAML)."""
    for path in files:
        context.require(path)
    s = context.settings()
    readable: list = []
    failed: str | bool = False
    for path in files:
        try:
            family, text = read(path)
        except SourceError as exc:
            click.echo(f"trendline: {exc}", err=True)
            failed = "unreadable"
            continue
        readable.append((path, family, text))
    if readable:
        with context.exclusive():
            failed = _load(s, readable) or failed
    sys.exit(2 if failed == "unreadable" else 1 if failed else 0)


def _load(s, readable) -> bool:
    """Store each file's batch; True when a file had rows and every one was rejected."""
    from trendline.tasks.pipeline import take_in

    all_rejected = False
    reports = normalise(readable)
    for report in reports:
        click.echo(report.line())
        for reject in report.rejects[:SHOWN_REJECTS]:
            click.echo(f"  rejected {reject}")
        if report.rejects:
            more = len(report.rejects) - SHOWN_REJECTS
            where = write_rejects(s.home / "rejects", report)
            extra = f"+{more} more; " if more > 0 else ""
            click.echo(f"  {extra}all rejects: {where}")
        if report.rejects and not report.accepted:
            click.echo(f"  {report.path.name}: failed, every row was rejected; nothing stored")
            all_rejected = True
    outcomes, _ = take_in(context.resources(), filter(None, map(source_of, reports)))
    for outcome in outcomes:
        click.echo(f"  {outcome.line()}")
    return all_rejected
