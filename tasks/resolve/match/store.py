"""Resolve every distinct affiliation in the store into affiliation_matches."""

from __future__ import annotations

import sqlalchemy as sa

from tasks.resolve.match.build import build
from tasks.resolve.match.keys import affiliation_key
from trendline import schema
from trendline.db import upsert, utcnow


def match_store(engine: sa.Engine) -> int:
    """Match all distinct (institution name, ROR id) pairs; fill in the organisation of
    watch-list entries that had none. Returns how many pairs matched an organisation."""
    with engine.connect() as conn:
        orgs = conn.execute(sa.select(schema.organisations)).mappings().all()
        entries = conn.execute(sa.select(schema.watchlist_entries)).mappings().all()
        pairs = conn.execute(
            sa.select(schema.authorships.c.institution_name, schema.authorships.c.ror_id).distinct()
        ).all()
    matcher, entry_orgs = build(orgs, entries)
    now = utcnow()
    rows = {}
    for name, ror in pairs:
        m = matcher.resolve(name, ror)
        k = affiliation_key(name, ror)
        rows[k] = {
            "key": k, "affiliation": name or "", "ror_id": ror, "org_id": m.org_id,
            "org_name": m.org_name, "lists": list(m.lists), "score": m.score, "rule": m.rule,
            "matched_at": now,
        }
    t = schema.watchlist_entries
    with engine.begin() as conn:
        existing = {
            r.key: (r.org_id, tuple(r.lists or ()), r.rule)
            for r in conn.execute(sa.select(schema.affiliation_matches))
        }
        changed = [r for k, r in rows.items() if existing.get(k) != _state(r)]
        upsert(conn, schema.affiliation_matches, changed)
        for e in entries:
            if not e["org_id"]:
                conn.execute(t.update().where(t.c.id == e["id"]).values(org_id=entry_orgs[e["id"]]))
    return sum(1 for r in rows.values() if r["org_id"] and r["rule"] != "review")


def _state(row: dict) -> tuple:
    return row["org_id"], tuple(row["lists"]), row["rule"]
