"""Curated China-Russia deals: CSV (the seed's columns) or YAML, every deal with a source URL.

Bundled real facts (data/curated/deals.csv, deals.yaml) are read in every mode; demo mode
adds the synthetic data/demo/deals_demo.yaml (is_demo), live mode adds deals.csv /
deals.yaml from sources.deals_dir.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo, field_validator

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.deal_records import (
    Amount,
    Country,
    Date,
    Id,
    PartyRecord,
    Record,
    Required,
    SourceUrl,
    Tags,
    Text,
    as_list,
    as_text,
    record,
    rule,
    wrong,
)
from trendline.tasks.ingest.parsing.deal_rules import (
    BadRow,
    Invalid,
    Rules,
    deal_rows,
    load_rules,
    numbered,
    read_files,
    split_list,
    yaml_items,
)
from trendline.tasks.ingest.source import Batch, Reject, Source, SourceError

NAME = "curated_deals"
CURATED = [DATA_DIR / "curated" / "deals.csv", DATA_DIR / "curated" / "deals.yaml"]
DEMO = DATA_DIR / "demo" / "deals_demo.yaml"
LIVE_NAMES = ("deals.csv", "deals.yaml", "deals.yml")
CSV_REQUIRED = {"deal_id", "announced_on", "target", "target_country", "source_url"}
DIRECTION = re.compile(r"^(CN|RU|US|JOINT)(?:->(CN|RU|US))?\b")


def fetch(settings: Settings) -> dict:
    paths = [(p, False) for p in CURATED]
    if settings.sources.deals == "demo":
        paths.append((DEMO, True))
    elif settings.sources.deals_dir:
        folder = Path(settings.sources.deals_dir)
        paths += [(folder / n, False) for n in LIVE_NAMES if (folder / n).is_file()]
    return {"files": read_files(paths), "mode": settings.sources.deals}


def normalise(raw: dict, rules: Rules | None = None) -> Batch:
    rules = rules or load_rules()
    batch = Batch(mode=raw.get("mode", "live"))
    deals: dict[str, dict] = {}
    parties: dict[tuple[str, str], dict] = {}
    for where, text, demo in raw["files"]:
        records = read_records(where, text)
        batch.read += len(records)
        for line, rec in records:
            if isinstance(rec, BadRow):  # the csv module could not read this row
                batch.rejects.append(Reject(where, line, "row", rec.reason))
                continue
            try:
                deal, deal_parties = to_deal(rec, rules, demo)
                if deal["id"] in deals:
                    raise Invalid("id", f"duplicate deal id {deal['id']!r}")
            except Invalid as exc:
                batch.rejects.append(Reject(where, line, exc.field, exc.reason))
                continue
            deals[deal["id"]] = deal
            for p in deal_parties:
                parties.setdefault((p["deal_id"], p["name"]), p)
    batch.tables = {"deals": list(deals.values()), "deal_parties": list(parties.values())}
    return batch


def is_curated(where: str, text: str) -> bool:
    """A curated deals file: YAML with a `deals` list, or CSV with the seed's key columns."""
    try:
        read_records(where, text)
        return True
    except SourceError:
        return False


def read_records(where: str, text: str) -> list[tuple[int, dict]]:
    """(line, record) pairs in one neutral shape, from CSV or YAML."""
    if where.endswith((".yaml", ".yml")):
        return yaml_items(where, text, "deals")
    reader = csv.DictReader(io.StringIO(text))
    missing = CSV_REQUIRED - set(reader.fieldnames or ())
    if missing:
        raise SourceError(f"{where}: missing columns {sorted(missing)}")
    return [(line, row if isinstance(row, BadRow) else _from_csv(row))
            for line, row in numbered(reader)]


def _from_csv(row: dict) -> dict:
    """A seed-shaped CSV row in the YAML record shape."""
    names = split_list(row.get("investors_or_parties"), ";")
    investors = [{"name": n, "role": "investor"} for n in names]
    amount = row.get("amount") or row.get("amount_usd") or ""
    return {
        "id": row.get("deal_id"),
        "announced_on": row.get("announced_on"),
        "target": row.get("target"),
        "target_country": row.get("target_country"),
        "parties": investors,
        "cn_ru_party": row.get("cn_ru_party") or "",
        "direction": row.get("direction") or "",
        "deal_type": row.get("deal_type") or row.get("round") or "",
        "amount": amount.strip() or "undisclosed",
        "currency": row.get("currency") or "USD",
        "sectors": split_list(row.get("sector_tags"), ";"),
        "source_url": row.get("source_url"),
        "note": "; ".join(x for x in (row.get("amount_note"), row.get("source_note")) if x),
    }


class Party(PartyRecord):
    """A party to a deal, with its role."""

    role: Text = "investor"

    @field_validator("role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        role = role or "investor"
        if role not in ("investor", "target", "partner"):
            raise wrong(f"unknown party role {role!r}")
        return role


class DealRecord(Record):
    """A curated deal (a YAML item, or a CSV row in the same shape), checked in this order."""

    id: Id
    target: Required("missing target")
    announced_on: Date
    target_country: Country = None
    source_url: SourceUrl("curated deal")
    amount: Amount = None
    currency: str | None = "USD"  # known when there is an amount (then USD if blank)
    parties: Annotated[list[Party], BeforeValidator(as_list)] = []
    sectors: Tags = []
    note: Text = ""
    direction: Text = ""
    cn_ru_party: Text = ""
    deal_type: Text = ""

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any, info: ValidationInfo) -> str | None:
        if info.data.get("amount") is None:
            return None
        return rule(info, Rules.currency, as_text(value) or "USD")


def to_deal(item: dict, rules: Rules, demo: bool) -> tuple[dict, list[dict]]:
    """Validate one record; raise Invalid(field, reason) on the first bad field."""
    rec = record(DealRecord, item, rules)
    return deal_rows(
        rules, deal_id=rec.id, date=rec.announced_on, target=rec.target,
        target_country=rec.target_country,
        direction=_direction(rec, rules), deal_type=rec.deal_type, amount=rec.amount,
        currency=rec.currency,
        amount_usd=rules.to_usd(rec.amount, rec.currency, rec.announced_on),
        sectors=rec.sectors, source=NAME, source_url=rec.source_url, note=rec.note, demo=demo,
        parties=[(p.name, p.role, p.country) for p in rec.parties],
    )


def _direction(rec: DealRecord, rules: Rules) -> str | None:
    """An 'unverified' deal has no direction. A joint vehicle among the CN/RU parties is
    coded by the configured rule; else the curated direction, else investor -> target."""
    if rec.direction.lower().startswith("unverified"):
        return None
    for name in [rec.cn_ru_party] + [p.name for p in rec.parties]:
        if name and rules.joint_countries(name):
            return rules.direction(name, None, rec.target_country)
    m = DIRECTION.match(rec.direction)
    if m:
        return m[1] if m[1] == "JOINT" else f"{m[1]}->{m[2]}"
    for p in rec.parties:
        if p.role == "investor" and p.country and p.country != rec.target_country:
            return rules.direction(p.name, p.country, rec.target_country)
    return None


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="deals")
