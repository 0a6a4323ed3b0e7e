"""The OpenAlex works snapshot: the scale path for the joint-works set.

A snapshot folder holds `updated_date=YYYY-MM-DD/part_NNNN.gz` files of JSON Lines, read
by parsing/snapshot_scan.py in parallel processes (or on a Dask cluster, snapshot_pool.py).
Each part is isolated: a bad record is a reject of its line, an unreadable part, a dead
worker or a write the store refuses fails that part only, named in the run, and the next
ingest reads it again. Parts are known by content (snapshot_layout.content_key), so a
replaced part is read again and one already stored from another copy is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.core.db import utcnow
from trendline.tasks.ingest.parsing import snapshot_layout
from trendline.tasks.ingest.parsing.snapshot_layout import Layout, LayoutError, content_key
from trendline.tasks.ingest.parsing.snapshot_parquet import (
    scan_parquet,
    threads_per_part,
    warm,
)
from trendline.tasks.ingest.parsing.snapshot_scan import PartitionResult, scan_partition
from trendline.tasks.ingest.runs import finish_run, start_run
from trendline.tasks.ingest.source import Reject
from trendline.tasks.ingest.sources import snapshot_pool
from trendline.tasks.ingest.sources.snapshot_store import (
    apply_merged,
    remove,
    remove_absent,
    snapshot_work_keys,
    stored_keys,
    write_partition,
)

NAME = "openalex_snapshot"
__all__ = ["NAME", "LayoutError", "ingest", "partitions", "remove", "scan_partition",
           "stored_keys"]


def partitions(root: Path, fmt: str | None = None) -> list[Path]:
    """The parts under a snapshot PATH, oldest update first ([] when there are none)."""
    try:
        return snapshot_layout.find(root, fmt).parts
    except LayoutError:
        return []


@dataclass
class IngestOutcome:
    run_id: str
    partitions: int = 0
    skipped: int = 0
    read: int = 0
    kept: int = 0
    errors: int = 0
    xpac: int = 0  # candidate works left out as XPAC records
    removed: int = 0  # merged away, deleted, or replaced by a newer version that is not joint
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    rejects: list[Reject] = field(default_factory=list)  # the first bad records, named
    layout: Layout | None = None
    xpac_in: bool = False  # XPAC works included (sources.openalex.include_xpac)
    gone: list[str] = field(default_factory=list)  # `--full`: works absent from the copy

    def line(self) -> str:
        kind = f"{self.layout.format} " if self.layout else ""
        text = (f"snapshot ({kind}XPAC {'included' if self.xpac_in else 'excluded'}): "
                f"{self.partitions} partitions read ({self.skipped} already done), "
                f"{self.read:,} works read, {self.kept:,} kept, {self.removed:,} removed, "
                f"{self.errors} unparseable, {self.xpac:,} XPAC left out")
        if self.gone:
            text += f"; --full removed {len(self.gone):,} works absent from it"
        if self.failed:
            names = ", ".join(f"{Path(p).parent.name}/{Path(p).name}" for p, _ in self.failed)
            text += f"; {len(self.failed)} partition(s) failed: {names}"
        return text


def todo_parts(engine: Engine, files: list[Path]) -> list[str]:
    """The parts whose content is not stored yet (by content key, not name)."""
    done = stored_keys(engine)
    return [str(p.resolve()) for p in files if content_key(p) not in done]


def ingest(
    engine: Engine,
    root: Path,
    countries: tuple[str, ...] = ("CN", "RU"),
    workers: int | None = None,
    progress: Callable[[PartitionResult], None] | None = None,
    dask_address: str = "",
    include_xpac: bool = False,
    fmt: str | None = None,
    full: bool = False,
) -> IngestOutcome:
    """Scan every part of the snapshot at `root` not stored yet, in parallel (local
    processes, or the Dask cluster at `dask_address`); write each as it completes (the
    newest version of a work wins, in whatever order they finish); then apply the
    merged_ids files not applied yet, and check the manifest did not change meanwhile.
    With `full`, PATH is the complete snapshot: once every part is read, stored snapshot
    works whose part is not in it are removed (listed in `outcome.gone`)."""
    layout = snapshot_layout.find(root, fmt)
    files = layout.parts
    todo = todo_parts(engine, files)
    with engine.begin() as conn:
        _close_interrupted(conn)
        run_id = start_run(conn, NAME, "file", utcnow())
    outcome = IngestOutcome(run_id, skipped=len(files) - len(todo), layout=layout,
                            xpac_in=include_xpac)
    outcome.failed += layout.problems
    kwargs = {"countries": countries, "include_xpac": include_xpac}
    scan = scan_parquet if layout.format == "parquet" else scan_partition
    if scan is scan_parquet:
        warm()
        if not dask_address:  # a Dask worker uses its own cores
            kwargs["threads"] = threads_per_part(workers, len(todo))
    stored = snapshot_work_keys(engine)
    try:
        for result in snapshot_pool.results(todo, scan, kwargs, workers, dask_address):
            _take(engine, outcome, result, stored)
            if progress:
                progress(result)
        outcome.removed += apply_merged(engine, layout.merged)
        if moved := layout.moved():
            outcome.failed.append((str(layout.manifest), moved))
        if full and not outcome.failed:
            keys = {content_key(p) for p in [*files, *layout.merged]}
            outcome.gone = remove_absent(engine, keys)
            outcome.removed += len(outcome.gone)
    except BaseException as exc:
        _finish_run(engine, outcome, "failed", f"{type(exc).__name__}: {exc}"[:500])
        raise
    status = "failed" if outcome.failed else "succeeded"
    detail = "".join(f"; {p}: {why}" for p, why in outcome.failed)
    detail += "".join(f"; rejected {r}" for r in outcome.rejects[:20])
    _finish_run(engine, outcome, status, (outcome.line() + detail)[:4000])
    return outcome


def _take(engine: Engine, outcome: IngestOutcome, result: PartitionResult,
          stored: set[int]) -> None:
    """Count one finished part and write it; a write the store refuses fails the part."""
    if not result.failed:
        try:
            outcome.kept += write_partition(engine, result, outcome.run_id, stored)
        except sa.exc.SQLAlchemyError as exc:
            first = str(exc).strip().splitlines()[0][:300]
            result.failed = f"the store refused its write ({type(exc).__name__}: {first})"
    if result.failed:
        outcome.failed.append((result.path, result.failed))
        return
    outcome.removed += result.removed
    outcome.partitions += 1
    outcome.read += result.read
    outcome.errors += result.errors
    outcome.xpac += result.xpac
    outcome.rejects += result.rejects[: max(0, 100 - len(outcome.rejects))]


def _close_interrupted(conn) -> None:
    """An ingest a kill left `running` is marked failed (only one ingest runs at a time:
    the store lock); its finished partitions are kept."""
    t = schema.refresh_runs
    conn.execute(t.update().where(t.c.source == NAME, t.c.status == "running").values(
        status="failed", finished_at=utcnow(),
        message="interrupted: the ingest ended before it finished (its finished "
                "partitions are kept)"))


def _finish_run(engine: Engine, outcome: IngestOutcome, status: str, message: str) -> None:
    with engine.begin() as conn:
        finish_run(conn, outcome.run_id, status, utcnow(), message, rows_read=outcome.read,
                   rows_written=outcome.kept, rows_rejected=outcome.errors)
