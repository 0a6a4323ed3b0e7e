"""Time-aware list membership: was an organisation on a list on a date, and is it now?

Pure: built from watch-list entry rows (list_name, org_id, listed_on, removed_on).
An entry without a listing date is on the list now, but cannot be shown to have been on it
at an earlier date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from trendline.tasks.ingest.parsing import fields as parse


class Listings:
    def __init__(self, entries: Iterable[Mapping]):
        self.by_org: dict[str, list[Mapping]] = {}
        for e in entries:
            if e.get("org_id"):
                self.by_org.setdefault(e["org_id"], []).append(e)

    def entries(self, org_id: str | None, lists: Iterable[str] | None = None) -> list[Mapping]:
        wanted = set(lists) if lists is not None else None
        return [
            e for e in self.by_org.get(org_id or "", ())
            if wanted is None or e["list_name"] in wanted
        ]

    def on(self, org_id: str | None, day: dt.date, lists: Iterable[str] | None = None
           ) -> list[Mapping]:
        """Entries that held on `day` (listed on or before it, not removed by then)."""
        return [
            e for e in self.entries(org_id, lists)
            if parse.day(e.get("listed_on")) is not None and parse.day(e["listed_on"]) <= day
            and (parse.day(e.get("removed_on")) is None or parse.day(e["removed_on"]) > day)
        ]

    def now(self, org_id: str | None, lists: Iterable[str] | None = None) -> list[Mapping]:
        return [e for e in self.entries(org_id, lists) if parse.day(e.get("removed_on")) is None]

    def was_listed(self, org_id, day, lists=None) -> bool:
        return bool(self.on(org_id, day, lists))

    def is_listed(self, org_id, lists=None) -> bool:
        return bool(self.now(org_id, lists))
