"""Helpers for watch-list indicators: list membership over time and party matching. Pure:
everything is built from the frames (`organisations`, `watchlist_entries`), never from disk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from indicators.investment_common import rows
from tasks.resolve.match import Match, Matcher, build
from tasks.resolve.match.listings import Listings

CN_RU = ("CN", "RU")


def listings(frames) -> Listings:
    entries = frames.get("watchlist_entries", pd.DataFrame())
    return Listings(entries.to_dict("records") if len(entries) else [])


def first_listed(lst: Listings, org_id, lists) -> str:
    days = [e["listed_on"] for e in lst.entries(org_id, lists) if e.get("listed_on") is not None]
    days = [d for d in days if d == d]  # drop NaT
    return str(min(days))[:10] if days else ""


def year_end(year) -> dt.date:
    return dt.date(int(year), 12, 31)


@dataclass
class PartyRegistry:
    """A matcher, list membership and organisation countries, from the frames."""

    matcher: Matcher
    listings: Listings
    countries: dict[str, str] = field(default_factory=dict)  # org id -> ISO country

    def match(self, name: str | None, org_id: str | None = None) -> Match:
        """A deal or event party: its stored org id when the registry knows it, else the
        matcher on its name (`review` matches carry no lists)."""
        m = self.matcher
        if org_id and org_id in m.names:
            lists = tuple(sorted(m.lists.get(org_id, ())))
            return Match(org_id, m.names[org_id], lists, 1.0, "org_id", m.ror.get(org_id))
        return m.resolve(name)


def party_registry(frames) -> PartyRegistry:
    orgs = rows(frames, "organisations")
    entries = rows(frames, "watchlist_entries")
    matcher, entry_orgs = build(orgs, entries)
    # entries whose org the store has not filled in yet get the one the matcher chose
    entries = [{**e, "org_id": e.get("org_id") or entry_orgs[e["id"]]} for e in entries]
    countries = {o["id"]: o["country"] for o in orgs if o.get("country")}
    for e in entries:
        if e.get("country"):
            countries.setdefault(e["org_id"], e["country"])
    return PartyRegistry(matcher, Listings(entries), countries)
