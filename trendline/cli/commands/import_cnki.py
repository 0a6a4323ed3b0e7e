"""`trendline import-cnki FILE...`: load CNKI exports (E-Study, NoteExpress, RefWorks,
EndNote) into the store and say, per file, what was read, loaded and skipped."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trendline.cli import context
from trendline.core.db import utcnow
from trendline.tasks.ingest.runs import write_batch
from trendline.tasks.ingest.sources import cnki


@click.command("import-cnki")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path)
)
def command(files: tuple[Path, ...]) -> None:
    """Import CNKI export files (UTF-8, UTF-8 with BOM or GB18030/GBK)."""
    for path in files:
        context.require(path)
    s = context.settings()
    with context.exclusive():
        _import(s, files)


def _import(s, files: tuple[Path, ...]) -> None:
    engine = context.resources().engine
    started = utcnow()
    raw = cnki.fetch(s, list(files))
    batch = cnki.normalise(raw)
    for report in raw.reports:
        click.echo(report.line())
    if not batch.tables["works"]:
        click.echo("cnki: nothing to load", err=True)
        sys.exit(1)
    outcome = write_batch(engine, cnki, batch, started)
    click.echo(outcome.line())
