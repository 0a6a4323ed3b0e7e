"""Curated watch-lists and the organisation registry from data/lists/ (each entry cites
its source). Loads organisations and watch-list entries; ids are stable across refreshes.

Entries are a full snapshot of the curated files: an entry dropped from a file is marked
removed (kept with its dates) and reported in the change feed, like the screening list.
"""

from __future__ import annotations

import datetime as dt

from trendline.core import schema
from trendline.core.db import upsert
from trendline.core.settings import Settings
from trendline.tasks.ingest.registry import LISTS_DIR, registry
from trendline.tasks.ingest.source import Batch, Source, SourceError
from trendline.tasks.ingest.watchlists import load_snapshot

NAME = "curated_lists"


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
    owned = schema.watchlist_entries.c.source == NAME
    return written + load_snapshot(conn, batch.tables["watchlist_entries"], owned, run_id, now)


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="watchlists", load=load)
