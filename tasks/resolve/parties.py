"""Deal and event parties resolved to organisations, with rule and score; one party key
(the organisation, else the folded name) so a partnership is the same across events."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from trendline.core import schema
from trendline.tasks.ingest.parsing.names import canon
from trendline.tasks.resolve.registry import COUNTED, Registry, sync


def resolve_parties(conn, reg: Registry, now: dt.datetime) -> int:
    """Every party of every deal and event; writes only what changed."""
    found: dict[tuple, dict] = {}
    dp = schema.deal_parties
    for r in conn.execute(sa.select(dp.c.deal_id, dp.c.name, dp.c.role, dp.c.country)):
        found[("deal", r.deal_id, r.name)] = _row(reg, "deal", r.deal_id, r.name, r.role,
                                                  r.country, now)
    ev = schema.events
    for r in conn.execute(sa.select(ev.c.id, ev.c.parties)):
        for party in r.parties or []:
            name = str(party.get("name") if isinstance(party, dict) else party)[:255]
            found[("event", r.id, name)] = _row(reg, "event", r.id, name, "partner", None, now)
    return sync(conn, schema.party_matches, list(found.values()),
                ("org_id", "rule", "country", "party_key"))


def _row(reg: Registry, kind, record_id, name, role, country, now) -> dict:
    m = reg.matcher.resolve(name)
    counted = m.rule in COUNTED
    org = m.org_id if counted else None
    return {
        "record_kind": kind, "record_id": record_id, "name": name, "role": role or "",
        "country": country or (reg.countries.get(org) if org else None),
        "org_id": org, "org_name": m.org_name if counted else None, "rule": m.rule,
        "score": m.score, "party_key": org or "name:" + canon(name)[:150], "resolved_at": now,
    }
