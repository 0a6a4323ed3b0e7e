"""Each organisation's list memberships as dated intervals (org_listings). An entry whose
listing date is unknown stays unknown (date_known false): it is never read as 'not
listed' at some date, and never as 'listed' either."""

from __future__ import annotations

import datetime as dt

from trendline.core import schema
from trendline.tasks.resolve.registry import Registry, sync


def resolve_listings(conn, reg: Registry, now: dt.datetime) -> int:
    t = schema.org_listings
    rows = []
    for e in reg.entries:
        org = reg.entry_orgs[e["id"]]
        rule = "org_id" if e.get("org_id") else ("ror" if e.get("ror_id") else "name")
        rows.append({
            "entry_id": e["id"], "org_id": org, "list_name": e["list_name"], "name": e["name"],
            "listed_on": e.get("listed_on"), "removed_on": e.get("removed_on"),
            "date_known": e.get("listed_on") is not None, "citation": e.get("citation") or "",
            "source_url": e.get("source_url") or "", "rule": rule, "resolved_at": now,
        })
    return sync(conn, t, rows, ("org_id", "list_name", "listed_on", "removed_on", "citation"))
