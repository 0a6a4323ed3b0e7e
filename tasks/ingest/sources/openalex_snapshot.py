"""The OpenAlex works snapshot: the scale path for the joint-works set.

A snapshot folder holds `updated_date=YYYY-MM-DD/part_NNN.gz` files of JSON Lines. Each
partition is streamed line by line (never loaded whole); a line is parsed only when its
bytes contain every wanted country code, and then only the fields Trendline stores are
decoded (msgspec, unknown fields skipped). Partitions run in parallel processes; each
finished partition is written in one transaction together with its `snapshot_partitions`
row, so an interrupted ingest resumes where it stopped.
"""

from __future__ import annotations

import os
import signal
import uuid
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import msgspec
import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from tasks.ingest.sources.openalex import work_rows
from trendline import schema
from trendline.db import utcnow
from trendline.procs import die_with_parent

NAME = "openalex_snapshot"
SOURCE = "snapshot"

try:  # ISA-L inflates several times faster than zlib; plain gzip otherwise
    from isal import igzip as gzip_module
    from isal.isal_zlib import error as _isal_error
except ImportError:  # pragma: no cover
    import gzip as gzip_module

    _isal_error = zlib.error

# What a truncated or corrupt partition raises while it is read.
UNREADABLE = (EOFError, OSError, zlib.error, _isal_error)


# Only the fields work_rows reads: msgspec skips the rest of each record unparsed.
class _Named(TypedDict, total=False):
    id: str | None
    display_name: str | None


class _Institution(TypedDict, total=False):
    id: str | None
    display_name: str | None
    ror: str | None
    country_code: str | None


class _Authorship(TypedDict, total=False):
    author: _Named | None
    institutions: list[_Institution]
    countries: list[str]
    raw_affiliation_strings: list[str]


class _Topic(TypedDict, total=False):
    id: str | None
    display_name: str | None
    score: float | None
    subfield: _Named | None
    field: _Named | None


class _Grant(TypedDict, total=False):
    funder_display_name: str | None


class _Work(TypedDict, total=False):
    id: str
    doi: str | None
    title: str | None
    display_name: str | None
    publication_year: int | None
    language: str | None
    type: str | None
    cited_by_count: int | None
    fwci: float | None
    citation_normalized_percentile: dict[str, Any] | None
    cited_by_percentile_year: dict[str, Any] | None
    authorships: list[_Authorship]
    topics: list[_Topic]
    grants: list[_Grant]
    updated_date: str | None


_DECODER = msgspec.json.Decoder(_Work)


@dataclass
class PartitionResult:
    path: str
    size: int
    read: int = 0
    works: list[dict] = field(default_factory=list)
    authorships: list[dict] = field(default_factory=list)
    errors: int = 0
    failed: str = ""  # why the partition could not be read (truncated, not gzip, ...)


def partitions(root: Path) -> list[Path]:
    """The partition files under a snapshot folder (or the file itself), sorted."""
    if root.is_file():
        return [root]
    found = sorted(root.glob("updated_date=*/part_*.gz")) or sorted(root.glob("**/*.gz"))
    return found


def needles(countries: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(f'"{c}"'.encode() for c in countries)


def matching_lines(path: str, countries: tuple[str, ...]) -> Iterator[bytes | None]:
    """Every line of a partition: the line when its bytes mention every country, else None
    (so the caller can count what it read)."""
    wanted = needles(countries)
    with gzip_module.open(path, "rb") as fh:
        for line in fh:
            if all(n in line for n in wanted):
                yield line
            elif line.strip():
                yield None


def scan_partition(path: str, countries: tuple[str, ...]) -> PartitionResult:
    """Read one partition and normalise the works whose affiliations span `countries`.
    A partition that cannot be read to its end (truncated, not gzip, corrupt) comes back
    with `failed` set and nothing else: none of it is stored, and the others go on."""
    result = PartitionResult(path, os.path.getsize(path))
    try:
        _scan(result, countries)
    except UNREADABLE as exc:
        reason = "truncated (ends before the end of its compressed stream)" if isinstance(
            exc, EOFError) else f"unreadable ({type(exc).__name__}: {exc})"
        return PartitionResult(path, result.size, read=result.read, failed=reason)
    return result


def _scan(result: PartitionResult, countries: tuple[str, ...]) -> None:
    wanted = set(countries)
    for line in matching_lines(result.path, countries):
        result.read += 1
        if line is None:
            continue
        try:
            item = _DECODER.decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            result.errors += 1
            continue
        work, auths = work_rows(item)
        if wanted <= set(work["countries"]):
            work["source"] = SOURCE
            result.works.append(work)
            result.authorships.extend(auths)


def done_partitions(engine: Engine) -> dict[str, int]:
    t = schema.snapshot_partitions
    with engine.connect() as conn:
        return {r.path: r.size for r in conn.execute(sa.select(t.c.path, t.c.size))}


def fast_upsert(conn: Connection, table: sa.Table, rows: list[dict]) -> int:
    """An executemany upsert (one statement, many parameter sets): much cheaper per row
    than a multi-VALUES insert for the tens of thousands of rows a partition can hold.
    On SQLite the parameters go straight to the driver (JSON via orjson)."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    keys = [c.name for c in table.primary_key.columns]
    cols = list(rows[0])
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in cols if c not in keys}
    )
    if dialect != "sqlite":
        conn.execute(stmt, rows)
        return len(rows)
    compiled = stmt.compile(dialect=conn.dialect, column_keys=cols)
    order = compiled.positiontup or []
    convert = [_sqlite_value(table.c[name].type) for name in order]
    params = [tuple(f(row[name]) for f, name in zip(convert, order, strict=True))
              for row in rows]
    conn.exec_driver_sql(compiled.string, params)
    return len(rows)


def _sqlite_value(kind: sa.types.TypeEngine) -> Callable[[Any], Any]:
    """How SQLAlchemy would store a Python value in SQLite, for the types we write."""
    if isinstance(kind, sa.JSON):
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else v.replace(tzinfo=None).isoformat(
            " ", "microseconds")
    if isinstance(kind, sa.Boolean):
        return lambda v: None if v is None else int(bool(v))
    return lambda v: v


def write_partition(engine: Engine, result: PartitionResult, run_id: str) -> int:
    now = utcnow()
    extra = {"refresh_run_id": run_id}
    with engine.begin() as conn:
        written = fast_upsert(conn, schema.works,
                              [{**w, **extra, "fetched_at": now} for w in result.works])
        fast_upsert(conn, schema.authorships, [{**a, **extra} for a in result.authorships])
        fast_upsert(conn, schema.snapshot_partitions, [{
            "path": result.path, "size": result.size, "works_read": result.read,
            "works_kept": len(result.works), "finished_at": now,
        }])
    return written


@dataclass
class IngestOutcome:
    run_id: str
    partitions: int = 0
    skipped: int = 0
    read: int = 0
    kept: int = 0
    errors: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def line(self) -> str:
        text = (f"snapshot: {self.partitions} partitions read ({self.skipped} already done), "
                f"{self.read:,} works read, {self.kept:,} kept, {self.errors} unparseable")
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
    `dask_address`); write each as it completes."""
    files = partitions(root)
    done = done_partitions(engine)
    todo = [str(p.resolve()) for p in files
            if done.get(str(p.resolve())) != p.stat().st_size]
    outcome = IngestOutcome(str(uuid.uuid4()), skipped=len(files) - len(todo))
    _start_run(engine, outcome.run_id)
    try:
        for result in _results(todo, countries, workers, dask_address):
            if result.failed:
                outcome.failed.append((result.path, result.failed))
                if progress:
                    progress(result)
                continue
            outcome.kept += write_partition(engine, result, outcome.run_id)
            outcome.partitions += 1
            outcome.read += result.read
            outcome.errors += result.errors
            if progress:
                progress(result)
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


def _start_run(engine: Engine, run_id: str) -> None:
    """Record this ingest as running; one a killed ingest left `running` is marked failed
    (only one ingest runs at a time: the store lock)."""
    t = schema.refresh_runs
    with engine.begin() as conn:
        conn.execute(t.update().where(t.c.source == NAME, t.c.status == "running").values(
            status="failed", finished_at=utcnow(),
            message="interrupted: the ingest ended before it finished (its finished "
                    "partitions are kept)"))
        conn.execute(schema.refresh_runs.insert().values(
            id=run_id, source=NAME, mode="file", started_at=utcnow(), status="running",
        ))


def _finish_run(engine: Engine, outcome: IngestOutcome, status: str, message: str) -> None:
    with engine.begin() as conn:
        conn.execute(schema.refresh_runs.update().where(
            schema.refresh_runs.c.id == outcome.run_id
        ).values(status=status, finished_at=utcnow(), checked_at=utcnow(),
                 rows_read=outcome.read, rows_written=outcome.kept, message=message))
