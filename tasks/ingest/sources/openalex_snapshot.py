"""The OpenAlex works snapshot: the scale path for the joint-works set.

A snapshot folder holds `updated_date=YYYY-MM-DD/part_NNN.gz` files of JSON Lines, read by
openalex_snapshot_scan.py in parallel processes (or on a Dask cluster). Each finished
partition is written here in one transaction together with its `snapshot_partitions` row,
so an interrupted ingest resumes where it stopped; the newest version of a work wins
whatever order partitions finish in, and merged_ids files remove merged or deleted works.
"""

from __future__ import annotations

import csv
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.core.db import upsert, utcnow
from trendline.core.procs import die_with_parent
from trendline.tasks.ingest.parsing.fields import short_id
from trendline.tasks.ingest.parsing.names import work_key
from trendline.tasks.ingest.parsing.snapshot_scan import (
    SOURCE,
    PartitionResult,
    gzip_module,
    merged_files,
    partitions,
    scan_partition,
)
from trendline.tasks.ingest.runs import finish_run, start_run

NAME = "openalex_snapshot"

def done_partitions(engine: Engine) -> dict[str, int]:
    t = schema.snapshot_partitions
    with engine.connect() as conn:
        return {r.path: r.size for r in conn.execute(sa.select(t.c.path, t.c.size))}


def write_partition(engine: Engine, result: PartitionResult, run_id: str) -> int:
    """One partition in one transaction: its works replace stored versions that are not
    newer (whatever order partitions finish in), with their authorships; a stored work
    this partition holds in a newer, no longer joint version leaves the store."""
    now = utcnow()
    extra = {"refresh_run_id": run_id}
    w, a = schema.works, schema.authorships
    with engine.begin() as conn:
        written = upsert(conn, w, [{**r, **extra, "fetched_at": now} for r in result.works],
                         newer="updated_date")
        won = _winners(conn, result.works)
        for chunk in _chunks(sorted(won)):
            conn.execute(a.delete().where(a.c.work_id.in_(chunk)))
        upsert(conn, a, [{**r, **extra} for r in result.authorships if r["work_id"] in won])
        result.removed = len(_stale(conn, result))
        upsert(conn, schema.snapshot_partitions, [{
            "path": result.path, "size": result.size, "works_read": result.read,
            "works_kept": len(result.works), "finished_at": now}])
    return written


def _winners(conn, works: list[dict]) -> set[str]:
    """The works whose stored version is now this partition's."""
    mine = {r["id"]: r["updated_date"] for r in works}
    return {i for i, v in _stored(conn, list(mine)) if v == mine[i]}


def _stored(conn, ids: list[str]) -> list[tuple[str, str | None]]:
    w = schema.works
    out = []
    for chunk in _chunks(ids):
        out += conn.execute(sa.select(w.c.id, w.c.updated_date).where(w.c.id.in_(chunk))).all()
    return out


def _stale(conn, result: PartitionResult) -> list[str]:
    """Stored snapshot works this partition saw in a newer version that is not joint."""
    kept = {work_key(r["id"]) for r in result.works}
    others = sorted(set(result.seen) - kept)
    if not others or not result.version:
        return []
    w = schema.works
    gone = []
    for chunk in _chunks([f"W{k}" for k in others]):
        gone += [i for (i,) in conn.execute(sa.select(w.c.id).where(
            w.c.id.in_(chunk), w.c.source == SOURCE,
            sa.or_(w.c.updated_date.is_(None), w.c.updated_date < result.version)))]
    remove(conn, gone)
    return gone


def remove(conn, ids: list[str]) -> int:
    """Works (and their authorships) out of the store; their facts go at the next resolve."""
    w, a = schema.works, schema.authorships
    for chunk in _chunks(ids):
        conn.execute(a.delete().where(a.c.work_id.in_(chunk)))
        conn.execute(w.delete().where(w.c.id.in_(chunk)))
    return len(ids)


def apply_merged(engine: Engine, root: Path) -> int:
    """merged_ids/works/*.csv.gz (merge_date, id, merged_into_id): works merged away or
    deleted leave the store. Each file is applied once (remembered like a partition)."""
    done = done_partitions(engine)
    removed = 0
    for path in merged_files(root):
        key = str(path.resolve())
        if done.get(key) == path.stat().st_size:
            continue
        with gzip_module.open(path, "rt", encoding="utf-8") as fh:
            ids = [short_id(r.get("id")) for r in csv.DictReader(fh) if r.get("id")]
        with engine.begin() as conn:
            removed += remove(conn, [i for i in ids if i])
            upsert(conn, schema.snapshot_partitions, [{
                "path": key, "size": path.stat().st_size, "works_read": len(ids),
                "works_kept": 0, "finished_at": utcnow()}])
    return removed


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class IngestOutcome:
    run_id: str
    partitions: int = 0
    skipped: int = 0
    read: int = 0
    kept: int = 0
    errors: int = 0
    removed: int = 0  # merged away, deleted, or replaced by a newer version that is not joint
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def line(self) -> str:
        text = (f"snapshot: {self.partitions} partitions read ({self.skipped} already done), "
                f"{self.read:,} works read, {self.kept:,} kept, {self.removed:,} removed, "
                f"{self.errors} unparseable")
        if self.failed:
            names = ", ".join(f"{Path(p).parent.name}/{Path(p).name}" for p, _ in self.failed)
            text += f"; {len(self.failed)} partition(s) failed: {names}"
        return text


def ingest(
    engine: Engine,
    root: Path,
    countries: tuple[str, ...] = ("CN", "RU"),
    workers: int | None = None,
    progress: Callable[[PartitionResult], None] | None = None,
    dask_address: str = "",
) -> IngestOutcome:
    """Scan every unfinished partition in parallel (local processes, or the Dask cluster at
    `dask_address`); write each as it completes (the newest version of a work wins, in
    whatever order they finish); then apply the merged_ids files not applied yet."""
    files = partitions(root)
    done = done_partitions(engine)
    todo = [str(p.resolve()) for p in files
            if done.get(str(p.resolve())) != p.stat().st_size]
    with engine.begin() as conn:
        _close_interrupted(conn)
        run_id = start_run(conn, NAME, "file", utcnow())
    outcome = IngestOutcome(run_id, skipped=len(files) - len(todo))
    try:
        for result in _results(todo, countries, workers, dask_address):
            if result.failed:
                outcome.failed.append((result.path, result.failed))
                if progress:
                    progress(result)
                continue
            outcome.kept += write_partition(engine, result, outcome.run_id)
            outcome.removed += result.removed
            outcome.partitions += 1
            outcome.read += result.read
            outcome.errors += result.errors
            if progress:
                progress(result)
        outcome.removed += apply_merged(engine, root)
    except BaseException as exc:
        _finish_run(engine, outcome, "failed", f"{type(exc).__name__}: {exc}"[:500])
        raise
    status = "failed" if outcome.failed else "succeeded"
    detail = "".join(f"; {p}: {why}" for p, why in outcome.failed)
    _finish_run(engine, outcome, status, (outcome.line() + detail)[:2000])
    return outcome


def _results(
    todo: list[str], countries, workers, dask_address: str = ""
) -> Iterator[PartitionResult]:
    if dask_address:  # a running Dask cluster that sees the same files
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(dask_address) as client:
            futures = client.map(scan_partition, todo, countries=countries, pure=False)
            for fut in dask_completed(futures):
                yield fut.result()
        return
    workers = workers or min(len(todo), os.cpu_count() or 1)
    if workers <= 1 or len(todo) <= 1:
        for path in todo:
            yield scan_partition(path, countries)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                               initargs=(os.getpid(), signal.SIGKILL))
    with pool:  # workers end with the ingest, even when it is killed
        futures = {pool.submit(scan_partition, path, countries): path for path in todo}
        for fut in as_completed(futures):
            yield _result_of(fut, futures)


def _result_of(fut, futures: dict) -> PartitionResult:
    """A worker that died or raised fails its partition, not the ingest."""
    try:
        return fut.result()
    except Exception as exc:  # e.g. BrokenProcessPool: the partition is named, the rest go on
        path = futures[fut]
        return PartitionResult(path, 0, failed=f"worker failed ({type(exc).__name__}: {exc})")


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
                   rows_written=outcome.kept)
