"""`trendline import-cnki FILE...`: load CNKI exports (E-Study, NoteExpress, RefWorks,
EndNote) into the store and say, per file, what was read, loaded and skipped."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trendline.cli import context


@click.command("import-cnki")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path)
)
def command(files: tuple[Path, ...]) -> None:
    """Import CNKI export files (UTF-8, UTF-8 with BOM or GB18030/GBK)."""
    from trendline.tasks.ingest.sources import cnki
    from trendline.tasks.pipeline import take_in

    for path in files:
        context.require(path)
    res = context.resources()
    with context.exclusive():
        raw = cnki.fetch(res.settings, list(files))
        batch = cnki.normalise(raw)
        for report in raw.reports:
            click.echo(report.line())
        if not batch.tables["works"]:
            click.echo("cnki: nothing to load", err=True)
            sys.exit(1)
        (outcome,), _ = take_in(res, [(cnki.SOURCE.already_normalised(), batch)])
    click.echo(outcome.line())
    sys.exit(1 if outcome.status == "failed" else 0)
