"""Curated China-Russia formal ties (agreements, joint centres, degree programmes, summer
schools, funded projects, corporate partnerships, data agreements, joint funds/ventures).

data/curated/events.yaml (real, sourced) is read in every mode; demo mode adds the
synthetic data/demo/events_demo.yaml, live mode adds events.yaml from sources.deals_dir.
"""

from __future__ import annotations

from pathlib import Path

from tasks.ingest.sources import Batch, Reject
from tasks.ingest.sources.deal_rules import (
    DEMO_NOTE,
    Invalid,
    Rules,
    load_rules,
    read_files,
    yaml_items,
)
from trendline.settings import DATA_DIR, Settings

NAME = "events"
FAMILY = "deals"
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


def to_event(item: dict, rules: Rules, demo: bool) -> dict:
    """Validate one event; raise Invalid(field, reason) on the first bad field."""
    event_id = str(item.get("id") or "").strip()
    if not event_id or len(event_id) > 80:
        raise Invalid("id", "missing or longer than 80 characters")
    kind = str(item.get("type") or "")
    if kind not in TYPES:
        raise Invalid("type", f"unknown event type {kind!r} (known: {', '.join(sorted(TYPES))})")
    title = str(item.get("title") or "").strip()
    if not title:
        raise Invalid("title", "missing title")
    date = rules.date(str(item.get("date") or ""), "date")
    parties, countries = [], []
    for party in item.get("parties") or []:
        party = party if isinstance(party, dict) else {"name": str(party)}
        name = str(party.get("name") or "").strip()
        if not name:
            raise Invalid("parties", "a party without a name")
        country = rules.country(str(party.get("country") or ""), "parties")
        parties.append(name)
        countries.append(country)
    if len(parties) < 2:
        raise Invalid("parties", "an event needs at least two parties")
    url = str(item.get("source_url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise Invalid("source_url", "every event needs an http(s) source URL")
    amount = item.get("amount_usd")
    amount = rules.amount(str(amount), "amount_usd") if amount is not None else None
    sectors = [str(s) for s in item.get("sectors") or []]
    note = str(item.get("note") or "").strip()
    return {
        "id": event_id,
        "date": date,
        "year": date.year,
        "type": kind,
        "title": title,
        "parties": parties,
        "countries": sorted({c for c in countries if c}),
        "amount_usd": amount,
        "sectors": sectors,
        "concern_areas": rules.concern_areas(*sectors, title),
        "source_url": url,
        "note": "; ".join(x for x in (note, DEMO_NOTE if demo else "") if x),
        "is_demo": demo,
    }
