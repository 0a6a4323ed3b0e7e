"""Curated watch-lists and the organisation registry from data/lists/ (each entry cites
its source). Loads organisations and watch-list entries; ids are stable across refreshes.

Entries are a full snapshot of the curated files: an entry dropped from a file is marked
removed (kept with its dates) and reported in the change feed, like the screening list.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tasks.orgs import LISTS_DIR, registry
from tasks.sources import Batch, SourceError
from tasks.sources import screening_list as csl
from trendline import schema
from trendline.db import upsert
from trendline.settings import Settings

NAME = "curated_lists"
FAMILY = "watchlists"


def fetch(settings: Settings):
    """The registry read from data/lists/ (the same in demo and live mode)."""
    try:
        return registry(LISTS_DIR)
    except (OSError, ValueError, KeyError) as exc:
        raise SourceError(f"cannot read curated lists in {LISTS_DIR}: {exc}") from None


def normalise(raw) -> Batch:
    orgs, entries = raw
    batch = Batch(mode="file", read=len(entries))
    batch.tables["organisations"] = [o.row() for o in sorted(orgs.values(), key=lambda o: o.id)]
    batch.tables["watchlist_entries"] = sorted(entries, key=lambda e: e["id"])
    return batch


def load(conn, batch: Batch, run_id: str, now: dt.datetime) -> int:
    """Upsert organisations; entries as a snapshot with a change feed."""
    orgs = [{**o, "refresh_run_id": run_id} for o in batch.tables["organisations"]]
    written = upsert(conn, schema.organisations, orgs)
    t = schema.watchlist_entries
    fresh = {e["id"]: e for e in batch.tables["watchlist_entries"]}
    old = {r["id"]: r for r in conn.execute(sa.select(t).where(t.c.source == NAME)).mappings()}
    changes = []
    for eid, entry in fresh.items():
        before = old.get(eid)
        if before is None or before["removed_on"] is not None:
            changes.append(csl._change(entry, "added", run_id, now, {}))
        elif csl._differs(before, entry):
            changes.append(csl._change(entry, "changed", run_id, now, csl._diff(before, entry)))
    for eid, before in old.items():
        if eid not in fresh and before["removed_on"] is None:
            changes.append(csl._change(before, "removed", run_id, now, {}))
            conn.execute(t.update().where(t.c.id == eid).values(removed_on=now.date()))
    rows = [{**e, "refresh_run_id": run_id, "fetched_at": now} for e in fresh.values()]
    written += upsert(conn, t, rows)
    upsert(conn, schema.watchlist_changes, changes)
    return written + len(changes)
