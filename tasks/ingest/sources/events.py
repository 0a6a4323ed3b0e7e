"""Curated China-Russia formal ties (agreements, joint centres, degree programmes, summer
schools, funded projects, corporate partnerships, data agreements, joint funds/ventures).

data/curated/events.yaml (real, sourced) is read in every mode; demo mode adds the
synthetic data/demo/events_demo.yaml, live mode adds events.yaml from sources.deals_dir.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, field_validator

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.deal_records import (
    Amount,
    Date,
    Id,
    PartyRecord,
    Record,
    Required,
    SourceUrl,
    Tags,
    Text,
    as_list,
    record,
    wrong,
)
from trendline.tasks.ingest.parsing.deal_rules import (
    DEMO_NOTE,
    Invalid,
    Rules,
    load_rules,
    read_files,
    yaml_items,
)
from trendline.tasks.ingest.source import Batch, Reject, Source

NAME = "events"
CURATED = DATA_DIR / "curated" / "events.yaml"
DEMO = DATA_DIR / "demo" / "events_demo.yaml"
TYPES = {
    "research_agreement", "joint_centre", "joint_degree", "summer_school", "research_project",
    "corporate_partnership", "data_agreement", "joint_fund", "joint_venture",
}


def fetch(settings: Settings) -> dict:
    paths = [(CURATED, False)]
    if settings.sources.deals == "demo":
        paths.append((DEMO, True))
    elif settings.sources.deals_dir:
        live = Path(settings.sources.deals_dir) / "events.yaml"
        paths += [(live, False)] if live.is_file() else []
    return {"files": read_files(paths), "mode": settings.sources.deals}


def normalise(raw: dict, rules: Rules | None = None) -> Batch:
    rules = rules or load_rules()
    batch = Batch(mode=raw.get("mode", "live"))
    events: dict[str, dict] = {}
    for where, text, demo in raw["files"]:
        items = yaml_items(where, text, "events")
        batch.read += len(items)
        for number, item in items:
            try:
                event = to_event(item, rules, demo)
                if event["id"] in events:
                    raise Invalid("id", f"duplicate event id {event['id']!r}")
            except Invalid as exc:
                batch.rejects.append(Reject(where, number, exc.field, exc.reason))
                continue
            events[event["id"]] = event
    batch.tables = {"events": list(events.values())}
    return batch


class EventRecord(Record):
    """A curated event, checked in this order."""

    id: Id
    type: Text
    title: Required("missing title")
    date: Date
    parties: Annotated[list[PartyRecord], BeforeValidator(as_list)] = []
    source_url: SourceUrl("event")
    amount_usd: Amount = None
    sectors: Tags = []
    note: Text = ""

    @field_validator("type")
    @classmethod
    def _known_type(cls, kind: str) -> str:
        if kind not in TYPES:
            raise wrong(f"unknown event type {kind!r} (known: {', '.join(sorted(TYPES))})")
        return kind

    @field_validator("parties")
    @classmethod
    def _two_at_least(cls, parties: list[PartyRecord]) -> list[PartyRecord]:
        if len(parties) < 2:
            raise wrong("an event needs at least two parties")
        return parties


def to_event(item: dict, rules: Rules, demo: bool) -> dict:
    """Validate one event; raise Invalid(field, reason) on the first bad field."""
    rec = record(EventRecord, item, rules)
    return {
        "id": rec.id,
        "date": rec.date,
        "year": rec.date.year,
        "type": rec.type,
        "title": rec.title,
        "parties": [p.name for p in rec.parties],
        "countries": sorted({p.country for p in rec.parties if p.country}),
        "amount_usd": rec.amount_usd,
        "sectors": rec.sectors,
        "concern_areas": rules.concern_areas(*rec.sectors, rec.title),
        "source_url": rec.source_url,
        "note": "; ".join(x for x in (rec.note, DEMO_NOTE if demo else "") if x),
        "is_demo": demo,
    }


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="deals")
