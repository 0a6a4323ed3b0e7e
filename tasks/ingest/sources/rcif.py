"""The Russia-China Investment Fund (RCIF): assets under management over time and its
portfolio (data/curated/rcif_portfolio.yaml), plus a parser for a saved copy of its public
portfolio page (live mode: rcif_portfolio.html in sources.deals_dir).

Portfolio entries linked to a curated deal (`deal_id`) stay that deal; other entries become
deals here (id rcif:<slug>, amount undisclosed), coded by the configured direction rule.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, field_validator

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.deal_records import (
    Amount,
    Country,
    Date,
    Record,
    Required,
    SourceUrl,
    Tags,
    Text,
    record,
    wrong,
)
from trendline.tasks.ingest.parsing.deal_rules import (
    Invalid,
    Rules,
    load_rules,
    read_files,
    yaml_items,
)
from trendline.tasks.ingest.source import Batch, Reject, Source

NAME = "rcif"
CURATED = DATA_DIR / "curated" / "rcif_portfolio.yaml"
RCIF = "Russia-China Investment Fund"
COUNTRY_NAMES = {"china": "CN", "russia": "RU", "hong kong": "HK", "kazakhstan": "KZ"}


def fetch(settings: Settings) -> dict:
    files = read_files([(CURATED, False)])
    page = None
    if settings.sources.deals == "live" and settings.sources.deals_dir:
        saved = Path(settings.sources.deals_dir) / "rcif_portfolio.html"
        page = read_files([(saved, False)])[0] if saved.is_file() else None
    return {"files": files, "page": page, "mode": settings.sources.deals}


def normalise(raw: dict, rules: Rules | None = None) -> Batch:
    rules = rules or load_rules()
    batch = Batch(mode=raw.get("mode", "live"))
    points, deals, parties, linked = [], {}, [], set()
    for where, text, _demo in raw["files"]:
        for key, series in (("aum", "rcif.aum"), ("portfolio_counts", "rcif.portfolio_deals")):
            for number, item in yaml_items(where, text, key):
                batch.read += 1
                try:
                    points.append(_point(item, series, rules))
                except Invalid as exc:
                    batch.rejects.append(Reject(where, number, f"{key}.{exc.field}", exc.reason))
        for number, item in yaml_items(where, text, "portfolio"):
            batch.read += 1
            try:
                entry = _entry(item, rules)
            except Invalid as exc:
                batch.rejects.append(Reject(where, number, f"portfolio.{exc.field}", exc.reason))
                continue
            if entry.get("deal_id"):
                linked.add(_slug(entry["company"]))
                continue
            _add_deal(entry, where, rules, deals, parties)
    if raw.get("page"):
        where, html, _ = raw["page"]
        for entry in parse_portfolio_page(html):
            batch.read += 1
            if _slug(entry["company"]) not in linked:
                _add_deal(entry, where, rules, deals, parties)
    batch.tables = {"series_points": points, "deals": list(deals.values()),
                    "deal_parties": parties}
    return batch


class PointRecord(Record):
    """A figure of the fund (assets under management, portfolio counts), checked in order."""

    period: Text
    source_url: SourceUrl("RCIF figure")
    value: Amount
    series: Text = ""
    note: Text = ""

    @field_validator("period")
    @classmethod
    def _year_or_range(cls, period: str) -> str:
        if not re.fullmatch(r"\d{4}(-\d{4})?", period):
            raise wrong(f"not a year or year range: {period!r}")
        return period

    @field_validator("value")
    @classmethod
    def _stated(cls, value: float | None) -> float:
        if value is None:
            raise wrong("missing value")
        return value


class EntryRecord(Record):
    """A portfolio entry, checked in order."""

    company: Required("missing company")
    year: Date  # a year (or a date in it)
    country: Country = None
    sectors: Tags = []
    ai_related: Annotated[bool, BeforeValidator(lambda v: False if v is None else v)] = False
    deal_id: Text = ""
    source_url: Text = ""
    note: Text = ""


def _point(item: dict, series: str, rules: Rules) -> dict:
    rec = record(PointRecord, item, rules)
    series = rec.series or series
    unit = "USD" if series == "rcif.aum" else "deals"
    return {"series": series, "period": rec.period, "value": rec.value, "unit": unit,
            "source_url": rec.source_url, "note": rec.note, "is_demo": False}


def _entry(item: dict, rules: Rules) -> dict:
    rec = record(EntryRecord, item, rules)
    return {
        "company": rec.company,
        "year": rec.year.year,
        "country": rec.country,
        "sectors": rec.sectors,
        "ai_related": rec.ai_related,
        "deal_id": rec.deal_id,
        "url": rec.source_url,
        "note": rec.note,
    }


def _add_deal(entry: dict, where: str, rules: Rules, deals: dict, parties: list) -> None:
    deal_id = f"rcif:{_slug(entry['company'])}-{entry['year']}"[:80]
    if deal_id in deals:
        return
    deals[deal_id] = {
        "id": deal_id,
        "announced_on": dt.date(entry["year"], 1, 1),
        "year": entry["year"],
        "target": entry["company"],
        "target_country": entry["country"],
        "direction": rules.direction(RCIF, None, entry["country"]),
        "deal_type": "RCIF portfolio investment",
        "amount_usd": None,
        "amount_original": None,
        "currency": None,
        "disclosed": False,
        "sectors": entry["sectors"],
        "concern_areas": rules.concern_areas(*entry["sectors"]),
        "source": NAME,
        "source_url": entry["url"] or "",
        "note": "; ".join(x for x in (entry["note"], f"RCIF portfolio ({Path(where).name})") if x),
        "is_demo": False,
    }
    parties.append({"deal_id": deal_id, "name": RCIF, "role": "investor", "country": None,
                    "org_id": None})
    parties.append({"deal_id": deal_id, "name": entry["company"][:255], "role": "target",
                    "country": entry["country"], "org_id": None})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


class _PortfolioPage(HTMLParser):
    """Collects `portfolio-item` blocks: title, industry, country, year and link."""

    FIELDS = {"portfolio-item__title": "company", "portfolio-item__industry": "industry",
              "portfolio-item__country": "country_name"}

    def __init__(self):
        super().__init__()
        self.items: list[dict] = []
        self.field: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "portfolio-item" in classes:
            self.items.append({"year": attrs.get("data-year") or "", "url": ""})
        elif self.items and "portfolio-item__link" in classes:
            self.items[-1]["url"] = attrs.get("href") or ""
        self.field = next((self.FIELDS[c] for c in classes if c in self.FIELDS), self.field)

    def handle_endtag(self, tag):
        self.field = None

    def handle_data(self, data):
        if self.items and self.field and data.strip():
            item = self.items[-1]
            item[self.field] = (item.get(self.field, "") + " " + data.strip()).strip()


def parse_portfolio_page(html: str, base_url: str = "https://rcif.com") -> list[dict]:
    """Portfolio entries from a saved page: company, year, country, sectors, url.
    Entries without a company name or a four-digit year are skipped."""
    parser = _PortfolioPage()
    parser.feed(html)
    entries = []
    for item in parser.items:
        if not item.get("company") or not re.fullmatch(r"\d{4}", item["year"]):
            continue
        url = item["url"]
        entries.append({
            "company": item["company"],
            "year": int(item["year"]),
            "country": COUNTRY_NAMES.get(item.get("country_name", "").casefold()),
            "sectors": [s.strip() for s in item.get("industry", "").split(",") if s.strip()],
            "ai_related": False,
            "deal_id": "",
            "url": url if url.startswith("http") else base_url + url,
            "note": "parsed from the RCIF portfolio page",
        })
    return entries


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="deals")
