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

from tasks.ingest.sources import Batch, Reject, SourceError
from tasks.ingest.sources.deal_rules import (
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
from trendline.settings import DATA_DIR, Settings

NAME = "curated_deals"
FAMILY = "deals"
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


def to_deal(rec: dict, rules: Rules, demo: bool) -> tuple[dict, list[dict]]:
    """Validate one record; raise Invalid(field, reason) on the first bad field."""
    deal_id = str(rec.get("id") or "").strip()
    if not deal_id or len(deal_id) > 80:
        raise Invalid("id", "missing or longer than 80 characters")
    target = str(rec.get("target") or "").strip()
    if not target:
        raise Invalid("target", "missing target")
    date = rules.date(str(rec.get("announced_on") or ""), "announced_on")
    target_country = rules.country(str(rec.get("target_country") or ""), "target_country")
    url = str(rec.get("source_url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise Invalid("source_url", "every curated deal needs an http(s) source URL")
    amount = rules.amount(str(rec.get("amount") if rec.get("amount") is not None else ""), "amount")
    currency = rules.currency(str(rec.get("currency") or "USD")) if amount is not None else None
    parties = _parties(rec.get("parties") or [], rules)
    sectors = [str(s) for s in rec.get("sectors") or []]
    note = str(rec.get("note") or "").strip()
    return deal_rows(
        rules, deal_id=deal_id, date=date, target=target, target_country=target_country,
        direction=_direction(rec, parties, target_country, rules),
        deal_type=str(rec.get("deal_type") or ""), amount=amount, currency=currency,
        amount_usd=rules.to_usd(amount, currency, date), sectors=sectors, source=NAME,
        source_url=url, note=note, demo=demo,
        parties=[(p["name"], p["role"], p["country"]) for p in parties],
    )


def _parties(items: list, rules: Rules) -> list[dict]:
    out = []
    for item in items:
        item = item if isinstance(item, dict) else {"name": str(item)}
        name = str(item.get("name") or "").strip()
        if not name:
            raise Invalid("parties", "a party without a name")
        role = str(item.get("role") or "investor")
        if role not in ("investor", "target", "partner"):
            raise Invalid("parties", f"unknown party role {role!r}")
        out.append({"name": name, "role": role,
                    "country": rules.country(str(item.get("country") or ""), "parties")})
    return out


def _direction(rec: dict, parties: list[dict], target_country, rules: Rules) -> str | None:
    """An 'unverified' deal has no direction. A joint vehicle among the CN/RU parties is
    coded by the configured rule; else the curated direction, else investor -> target."""
    text = str(rec.get("direction") or "").strip()
    if text.lower().startswith("unverified"):
        return None
    names = [str(rec.get("cn_ru_party") or "")] + [p["name"] for p in parties]
    for name in names:
        if name and rules.joint_countries(name):
            return rules.direction(name, None, target_country)
    m = DIRECTION.match(text)
    if m:
        return m[1] if m[1] == "JOINT" else f"{m[1]}->{m[2]}"
    for p in parties:
        if p["role"] == "investor" and p["country"] and p["country"] != target_country:
            return rules.direction(p["name"], p["country"], target_country)
    return None
