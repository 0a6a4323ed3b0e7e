"""Resolve affiliations to canonical organisations and the watch-lists they are on.

Rules, in order: `ror` (the source gave a ROR id that a list entry carries), `alias`
(exact match on a normalised name or alias). Every match keeps its rule and score.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from trendline import schema
from trendline.db import upsert, utcnow


def affiliation_key(name: str | None, ror_id: str | None) -> str:
    raw = f"{ror_id or ''}|{normalise(name or '')}"
    return hashlib.sha1(raw.encode()).hexdigest()[:32]


_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


@dataclass(frozen=True)
class Match:
    org_id: str | None
    org_name: str | None
    lists: tuple[str, ...] = ()
    score: float = 0.0
    rule: str = "none"
    ror_id: str | None = None


@dataclass
class Matcher:
    by_ror: dict[str, Match] = field(default_factory=dict)
    by_name: dict[str, Match] = field(default_factory=dict)

    @classmethod
    def from_entries(cls, entries: Iterable[dict]) -> Matcher:
        """Build from watch-list entries (name, aliases, ror_id, org_id, list_name)."""
        lists: dict[str, set[str]] = {}
        info: dict[str, dict] = {}
        for e in entries:
            org = e.get("org_id") or f"tl:{normalise(e['name'])}"
            lists.setdefault(org, set()).add(e["list_name"])
            info.setdefault(org, {"name": e["name"], "ror": e.get("ror_id"), "names": set()})
            info[org]["names"].update([e["name"], *(e.get("aliases") or [])])
        m = cls()
        for org, meta in info.items():
            match = Match(org, meta["name"], tuple(sorted(lists[org])), 1.0, "alias", meta["ror"])
            for name in meta["names"]:
                m.by_name.setdefault(normalise(name), match)
            if meta["ror"]:
                m.by_ror[meta["ror"]] = Match(org, meta["name"], match.lists, 1.0, "ror", meta["ror"])
        return m

    def resolve(self, name: str | None, ror_id: str | None = None) -> Match:
        if ror_id and ror_id in self.by_ror:
            return self.by_ror[ror_id]
        return self.by_name.get(normalise(name or ""), Match(None, None))


def match_store(engine: sa.Engine) -> int:
    """Resolve every distinct affiliation in the store; returns how many are matched."""
    with engine.connect() as conn:
        entries = conn.execute(
            sa.select(schema.watchlist_entries).where(schema.watchlist_entries.c.removed_on.is_(None))
        ).mappings().all()
        pairs = conn.execute(
            sa.select(schema.authorships.c.institution_name, schema.authorships.c.ror_id).distinct()
        ).all()
    matcher = Matcher.from_entries(entries)
    now = utcnow()
    rows = {}
    for name, ror in pairs:
        m = matcher.resolve(name, ror)
        key = affiliation_key(name, ror)
        rows[key] = {
            "key": key, "affiliation": name or "", "ror_id": ror, "org_id": m.org_id,
            "org_name": m.org_name, "lists": list(m.lists), "score": m.score, "rule": m.rule,
            "matched_at": now,
        }
    with engine.begin() as conn:
        existing = {
            r.key: (r.org_id, tuple(r.lists or ()), r.rule)
            for r in conn.execute(sa.select(schema.affiliation_matches))
        }
        changed = [
            r for k, r in rows.items() if existing.get(k) != (r["org_id"], tuple(r["lists"]), r["rule"])
        ]
        upsert(conn, schema.affiliation_matches, changed)
    return sum(1 for r in rows.values() if r["org_id"])
