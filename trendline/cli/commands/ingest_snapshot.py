"""`trendline ingest-snapshot PATH`: keep the joint works of an OpenAlex works snapshot."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trendline.cli import context
from trendline.tasks.ingest.sources import openalex_snapshot as snap


@click.command("ingest-snapshot")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--countries",
    default="CN,RU",
    show_default=True,
    help="Country codes that must all appear among a work's affiliations.",
)
@click.option(
    "--workers", type=int, default=None, help="Partitions read in parallel (default: one per core)."
)
@click.option(
    "--dask-address", default=None,
    help="Scan on a running Dask cluster (tcp://host:8786) that sees the same files "
    "(default: sources.snapshot.dask_address; empty: local processes).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default=None,
    help="Which copy to read when PATH holds both (default: from the files; Parquet when "
    "both are there).",
)
@click.option(
    "--full", is_flag=True,
    help="PATH is a complete snapshot: stored snapshot works absent from it are removed.",
)
def command(path: Path, countries: str, workers: int | None, dask_address: str | None,
            fmt: str | None, full: bool) -> None:
    """Scan an OpenAlex works snapshot: the bucket's data/ (2026 layout), a format prefix
    (data/jsonl/, data/parquet/), a works/ folder, the legacy layout (legacy-data/) or one
    part. Parts already stored are known by content, so a second run, or a new quarterly
    copy, reads only what is new. XPAC works are left out unless
    sources.openalex.include_xpac is set."""
    context.require(path, folder_ok=True)
    pair = tuple(c.strip().upper() for c in countries.split(",") if c.strip())
    if len(pair) < 1 or any(len(c) != 2 for c in pair):
        raise click.BadParameter("use ISO two-letter codes, e.g. CN,RU", param_hint="--countries")
    settings = context.settings()
    with context.exclusive():
        _ingest(settings, path, pair, workers, dask_address, fmt, full)


def _ingest(settings, path: Path, pair, workers, dask_address, fmt, full) -> None:
    engine = context.resources().engine
    address = settings.sources.snapshot.dask_address if dask_address is None else dask_address
    try:
        layout = snap.snapshot_layout.find(path, fmt)
    except snap.LayoutError as exc:
        raise context.FileProblem(str(exc)) from None
    files = layout.parts
    if not files and not layout.problems:
        raise context.FileProblem(f"no snapshot parts under {path}")
    include_xpac = settings.sources.openalex.include_xpac
    with click.progressbar(length=len(files), label="partitions", show_pos=True) as bar:
        bar.update(len(files) - len(snap.todo_parts(engine, files)))
        outcome = snap.ingest(engine, path, pair, workers, lambda _r: bar.update(1), address,
                              include_xpac=include_xpac, fmt=fmt, full=full)
    click.echo(outcome.line())
    for wid in outcome.gone[:50]:
        click.echo(f"removed (absent from the complete copy): {wid}")
    for reject in outcome.rejects[:20]:
        click.echo(f"trendline: snapshot record rejected: {reject}", err=True)
    for where, why in outcome.failed:
        click.echo(f"trendline: snapshot partition {where}: {why}; not loaded", err=True)
    if outcome.failed:
        sys.exit(1)
