"""Why each listed record counts, read from the resolved facts for the listed rows only:
the matched organisations (rule and score), their list memberships with dates, the
country rule, and a deal's amount (known USD with currency and rate, or undisclosed)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from trendline.core import schema as T
from trendline.indicators.words import LISTS

WHY = ["organisations", "listing", "country_rule", "amount_usd", "currency", "rate", "amount"]
CHUNK = 500  # ids per IN (...)


def why(conn, rows: list[dict]) -> None:
    """Fill the WHY columns into `rows` (dicts with kind and id), in place; a field with
    nothing to say stays None, a deal with no known amount says "undisclosed"."""
    for r in rows:
        r.update(dict.fromkeys(WHY))
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    orgs: dict[tuple[str, str], list[tuple[str, str, str, float]]] = {}
    if by_kind.get("work"):
        ids = sorted({r["id"] for r in by_kind["work"]})
        orgs.update(_work_orgs(conn, ids))
        f = T.work_facts
        rules = _chunked(conn, ids, lambda c: sa.select(f.c.work_id, f.c.country_rule)
                         .where(f.c.work_id.in_(c)))
        for r in by_kind["work"]:
            r["country_rule"] = rules.get(r["id"]) or None
    for kind in ("deal", "event"):
        if by_kind.get(kind):
            orgs.update(_party_orgs(conn, kind, sorted({r["id"] for r in by_kind[kind]})))
    if by_kind.get("deal"):
        _amounts(conn, by_kind["deal"])
    listed = {r["id"] for r in by_kind.get("listing", [])}  # a listing's id is its org
    org_ids = sorted({o[0] for found in orgs.values() for o in found} | listed)
    listings = _listings(conn, org_ids) if org_ids else {}
    for r in rows:
        found = orgs.get((r["kind"], r["id"]), [])
        if found:
            r["organisations"] = "; ".join(f"{name} ({rule}, {score:.2f})"
                                           for _, name, rule, score in found)
        named = [(name, oid) for oid, name, _, _ in found] or (
            [("", r["id"])] if r["kind"] == "listing" else [])
        words = [f"{name}: {w}" if name else w for name, oid in named
                 for w in listings.get(oid, [])]
        r["listing"] = "; ".join(dict.fromkeys(words)) or None


def _chunked(conn, ids: list[str], query) -> dict:
    out = {}
    for i in range(0, len(ids), CHUNK):
        out.update({k: v for k, v in conn.execute(query(ids[i:i + CHUNK]))})
    return out


def _work_orgs(conn, ids: list[str]) -> dict:
    """(work, id) -> [(org id, name, rule, score)], each organisation once, best first."""
    a, m = T.authorships, T.affiliation_matches
    out: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for i in range(0, len(ids), CHUNK):
        q = (sa.select(a.c.work_id, m.c.org_id, m.c.org_name, m.c.rule, m.c.score)
             .join(m, m.c.key == a.c.affiliation_key)
             .where(a.c.work_id.in_(ids[i:i + CHUNK]), m.c.org_id.is_not(None))
             .order_by(a.c.work_id, a.c.author_position, a.c.institution_index))
        for wid, oid, name, rule, score in conn.execute(q):
            known = out[("work", wid)].get(oid)
            if known is None or score > known[3]:
                out[("work", wid)][oid] = (oid, name or oid, rule, float(score or 0))
    return {k: list(v.values()) for k, v in out.items()}


def _party_orgs(conn, kind: str, ids: list[str]) -> dict:
    p = T.party_matches
    out: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for i in range(0, len(ids), CHUNK):
        q = (sa.select(p.c.record_id, p.c.org_id, p.c.org_name, p.c.rule, p.c.score)
             .where(p.c.record_kind == kind, p.c.record_id.in_(ids[i:i + CHUNK]),
                    p.c.org_id.is_not(None))
             .order_by(p.c.record_id, p.c.name))
        for rid, oid, name, rule, score in conn.execute(q):
            out[(kind, rid)].setdefault(oid, (oid, name or oid, rule, float(score or 0)))
    return {k: list(v.values()) for k, v in out.items()}


def _listings(conn, org_ids: list[str]) -> dict[str, list[str]]:
    """org id -> `U.S. Entity List since 2020-06-05` / `..., date unknown`, once each."""
    t = T.org_listings
    out: dict[str, list[str]] = defaultdict(list)
    for i in range(0, len(org_ids), CHUNK):
        q = (sa.select(t.c.org_id, t.c.list_name, t.c.listed_on, t.c.removed_on)
             .where(t.c.org_id.in_(org_ids[i:i + CHUNK]))
             .order_by(t.c.org_id, t.c.listed_on, t.c.list_name))
        for oid, lst, on, off in conn.execute(q):
            title = LISTS.get(lst, lst)
            when = f"{title} since {on.isoformat()}" if on else f"{title}, date unknown"
            if off:
                when += f", removed {off.isoformat()}"
            if when not in out[oid]:
                out[oid].append(when)
    return out


def _amounts(conn, deals: list[dict]) -> None:
    d, f = T.deals, T.deal_facts
    ids = sorted({r["id"] for r in deals})
    found = {}
    for i in range(0, len(ids), CHUNK):
        q = (sa.select(d.c.id, d.c.currency, f.c.amount_usd, f.c.amount_status, f.c.amount_rule)
             .select_from(d.outerjoin(f, f.c.deal_id == d.c.id))
             .where(d.c.id.in_(ids[i:i + CHUNK])))
        found.update({row.id: row for row in conn.execute(q)})
    for r in deals:
        row = found.get(r["id"])
        if row is None:
            continue
        known = row.amount_status == "known" and row.amount_usd is not None
        r["amount"] = "known" if known else "undisclosed"  # never a zero
        r["amount_usd"] = float(row.amount_usd) if known else None
        r["currency"] = row.currency or None
        r["rate"] = (row.amount_rule or None) if known else None
