"""The OpenAlex works snapshot: the scale path for the joint-works set.

A snapshot folder holds `updated_date=YYYY-MM-DD/part_NNN.gz` files of JSON Lines. Each
partition is streamed line by line (never loaded whole); a line is parsed only when its
bytes contain every wanted country code, and then only the fields Trendline stores are
decoded (msgspec, unknown fields skipped). Partitions run in parallel processes; each
finished partition is written in one transaction together with its `snapshot_partitions`
row, so an interrupted ingest resumes where it stopped.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tasks.ingest.runs import finish_run, start_run
from tasks.ingest.sources.openalex import work_rows
from tasks.names import work_key
from tasks.parse import short_id
from trendline import schema
from trendline.db import upsert, utcnow

NAME = "openalex_snapshot"
SOURCE = "snapshot"

try:  # ISA-L inflates several times faster than zlib; plain gzip otherwise
    from isal import igzip as gzip_module
except ImportError:  # pragma: no cover
    import gzip as gzip_module


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
    concepts: list[_Named]
    is_authors_truncated: bool | None
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
    version: str = ""  # the partition's updated_date: a work lives where it was last updated
    seen: list[int] = field(default_factory=list)  # work keys of every record read
    removed: int = 0  # stored works this partition holds in a newer, not joint version


def works_root(root: Path) -> Path:
    """The snapshot's root (with works/ and merged_ids/) or its works/ folder itself."""
    return root / "works" if (root / "works").is_dir() else root


def partitions(root: Path) -> list[Path]:
    """The partition files under a snapshot (or the file itself), oldest update first."""
    if root.is_file():
        return [root]
    works = works_root(root)
    return sorted(works.glob("updated_date=*/part_*.gz"),
                  key=lambda p: (version_of(p), str(p))) or sorted(works.glob("**/*.gz"))


def merged_files(root: Path) -> list[Path]:
    """merged_ids/works/*.csv.gz beside works/: works merged away or deleted."""
    base = root.parent if root.name == "works" else root
    return sorted((base / "merged_ids" / "works").glob("*.csv.gz")) if root.is_dir() else []


def version_of(path: Path | str) -> str:
    """The updated_date of a partition, from its folder name ('' when it has none)."""
    parent = Path(path).parent.name
    return parent.split("=", 1)[1] if parent.startswith("updated_date=") else ""


def needles(countries: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(f'"{c}"'.encode() for c in countries)


_ID = re.compile(rb'"id":\s*"https://openalex\.org/W(\d+)"')


def matching_lines(path: str, countries: tuple[str, ...], seen: list[int] | None = None
                   ) -> Iterator[bytes | None]:
    """Every line of a partition: the line when its bytes mention every country, else None
    (so the caller can count what it read). `seen` collects every record's work key, so a
    newer version that is no longer joint can replace an older one that was."""
    wanted = needles(countries)
    with gzip_module.open(path, "rb") as fh:
        for line in fh:
            if seen is not None and (m := _ID.search(line, 0, 200)):
                seen.append(int(m.group(1)))
            if all(n in line for n in wanted):
                yield line
            elif line.strip():
                yield None


def scan_partition(path: str, countries: tuple[str, ...]) -> PartitionResult:
    """Read one partition and normalise the works whose affiliations span `countries`."""
    result = PartitionResult(path, os.path.getsize(path), version=version_of(path))
    wanted = set(countries)
    for line in matching_lines(path, countries, result.seen):
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
            work["updated_date"] = max(work["updated_date"] or "", result.version) or None
            result.works.append(work)
            result.authorships.extend(auths)
    return result


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

    def line(self) -> str:
        return (f"snapshot: {self.partitions} partitions read ({self.skipped} already done), "
                f"{self.read:,} works read, {self.kept:,} kept, {self.removed:,} removed, "
                f"{self.errors} unparseable")


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
        run_id = start_run(conn, NAME, "file", utcnow())
    outcome = IngestOutcome(run_id, skipped=len(files) - len(todo))
    try:
        for result in _results(todo, countries, workers, dask_address):
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
    _finish_run(engine, outcome, "succeeded", outcome.line())
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
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(scan_partition, path, countries) for path in todo]
        for fut in as_completed(futures):
            yield fut.result()


def _finish_run(engine: Engine, outcome: IngestOutcome, status: str, message: str) -> None:
    with engine.begin() as conn:
        finish_run(conn, outcome.run_id, status, message, rows_read=outcome.read,
                   rows_written=outcome.kept)
