"""Writing snapshot parts to the store: each finished part in one transaction with its
`snapshot_partitions` row (so an interrupted ingest resumes where it stopped); the newest
version of a work wins whatever order parts finish in; merged-ids files and a `--full`
copy remove works that are gone."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.core.db import upsert, utcnow
from trendline.tasks.ingest.parsing.fields import short_id
from trendline.tasks.ingest.parsing.names import work_key
from trendline.tasks.ingest.parsing.snapshot_layout import content_key
from trendline.tasks.ingest.parsing.snapshot_scan import (
    SOURCE,
    PartitionResult,
    gzip_module,
)


def stored_keys(engine: Engine) -> set[str]:
    """The content keys of every part already stored (whatever path it was read from)."""
    t = schema.snapshot_partitions
    with engine.connect() as conn:
        return set(conn.execute(sa.select(t.c.content_key)).scalars())


def snapshot_work_keys(engine: Engine) -> set[int]:
    """The work keys of the stored snapshot works (the joint set: small beside the
    snapshot), so a part's records are checked against it in memory, not by queries."""
    w = schema.works
    with engine.connect() as conn:
        return {work_key(i) for i in conn.execute(
            sa.select(w.c.id).where(w.c.source == SOURCE)).scalars()}


def write_partition(engine: Engine, result: PartitionResult, run_id: str,
                    stored: set[int] | None = None) -> int:
    """One partition in one transaction: its works replace stored versions that are not
    newer (whatever order partitions finish in), with their authorships; a stored work
    this partition holds in a newer, no longer joint version leaves the store. `stored`
    (snapshot_work_keys, kept up to date here) saves reading it again for every part."""
    stored = snapshot_work_keys(engine) if stored is None else stored
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
        gone = _stale(conn, result, stored)
        result.removed = len(gone)
        upsert(conn, schema.snapshot_partitions, [{
            "path": result.path, "size": result.size, "content_key": result.key,
            "works_read": result.read,
            "works_kept": len(result.works), "finished_at": now}])
    stored.update(work_key(r["id"]) for r in result.works)
    stored.difference_update(work_key(i) for i in gone)
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


def _stale(conn, result: PartitionResult, stored: set[int]) -> list[str]:
    """Stored snapshot works this partition saw in a newer version that is not joint."""
    kept = {work_key(r["id"]) for r in result.works}
    others = sorted(stored.intersection(result.seen) - kept)
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


def apply_merged(engine: Engine, files: list[Path]) -> int:
    """merged_ids/works/*.csv.gz (merge_date, id, merged_into_id): works merged away or
    deleted leave the store. Each file is applied once (remembered like a part)."""
    done = stored_keys(engine)
    removed = 0
    for path in files:
        key = content_key(path)
        if key in done:
            continue
        with gzip_module.open(path, "rt", encoding="utf-8") as fh:
            ids = [short_id(r.get("id")) for r in csv.DictReader(fh) if r.get("id")]
        with engine.begin() as conn:
            removed += remove(conn, [i for i in ids if i])
            upsert(conn, schema.snapshot_partitions, [{
                "path": str(path.resolve()), "size": path.stat().st_size, "content_key": key,
                "works_read": len(ids),
                "works_kept": 0, "finished_at": utcnow()}])
    return removed


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i:i + size]




def remove_absent(engine: Engine, keys: set[str]) -> list[str]:
    """`--full`: the copy read is complete, so stored snapshot works whose part is not in
    it (by content key) are gone; so are the remembered parts it does not hold."""
    w, t = schema.works, schema.snapshot_partitions
    with engine.begin() as conn:
        rows = conn.execute(sa.select(w.c.id, w.c.snapshot_part).where(w.c.source == SOURCE))
        gone = sorted(i for i, k in rows if k not in keys)
        remove(conn, gone)
        stale = [p for p, k in conn.execute(sa.select(t.c.path, t.c.content_key))
                 if k not in keys]
        for chunk in _chunks(stale):
            conn.execute(t.delete().where(t.c.path.in_(chunk)))
    return gone
