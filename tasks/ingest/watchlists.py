"""Watch-list entries as snapshots: what a list holds now, and what changed since."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert

COMPARED = ("name", "aliases", "listed_on", "citation")


def load_snapshot(
    conn, entries: list[dict], owned: sa.ColumnElement, run_id: str, now: dt.datetime
) -> int:
    """Upsert `entries`; entries matching `owned` (this source's rows) that are not among
    them are marked removed; every addition, change and removal goes to the change feed."""
    t = schema.watchlist_entries
    fresh = {e["id"]: e for e in entries}
    old = {r["id"]: r for r in conn.execute(sa.select(t).where(owned)).mappings()}
    changes = []
    for eid, entry in fresh.items():
        before = old.get(eid)
        if before is None or before["removed_on"] is not None:
            changes.append(change_row(entry, "added", run_id, now))
        elif diff := differences(before, entry):
            changes.append(change_row(entry, "changed", run_id, now, diff))
    for eid, before in old.items():
        if eid not in fresh and before["removed_on"] is None:
            changes.append(change_row(before, "removed", run_id, now))
            conn.execute(t.update().where(t.c.id == eid).values(removed_on=now.date()))
    written = upsert(conn, t, [{**e, "refresh_run_id": run_id, "fetched_at": now} for e in entries])
    upsert(conn, schema.watchlist_changes, changes)
    return written + len(changes)


def differences(before, entry) -> dict:
    return {f: [str(before[f]), str(entry[f])] for f in COMPARED if before[f] != entry[f]}


def change_row(
    entry, change: str, run_id: str, now: dt.datetime, details: dict | None = None
) -> dict:
    return {
        "id": hashlib.sha1(f"{entry['id']}|{change}|{run_id}".encode()).hexdigest()[:32],
        "list_name": entry["list_name"],
        "entry_id": entry["id"],
        "name": entry["name"],
        "change": change,
        "detected_at": now,
        "details": details or {},
        "refresh_run_id": run_id,
    }
