"""Curated China-Russia deals: one CSV row per deal, each with a source URL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from tasks.sources import Batch, Reject, SourceError
from trendline.settings import DATA_DIR, Settings

NAME = "curated_deals"
FAMILY = "deals"
CURATED = DATA_DIR / "curated" / "deals.csv"
REQUIRED = {"deal_id", "announced_on", "target", "target_country", "direction", "amount_usd",
            "source_url"}
DIRECTION = re.compile(r"^(CN|RU|US)->(CN|RU|US)\b")


def fetch(settings: Settings) -> tuple[str, str, str]:
    path = Path(settings.sources.deals_dir) / "deals.csv" if settings.sources.deals == "live" else CURATED
    try:
        return str(path), path.read_text(encoding="utf-8-sig"), "demo" if path == CURATED else "file"
    except OSError as exc:
        raise SourceError(f"cannot read curated deals {path}: {exc.strerror}") from None


def normalise(raw: tuple[str, str, str]) -> Batch:
    where, text, mode = raw
    reader = csv.DictReader(io.StringIO(text))
    missing = REQUIRED - set(reader.fieldnames or ())
    if missing:
        raise SourceError(f"{where}: missing columns {sorted(missing)}")
    batch = Batch(mode=mode)
    deals, parties = [], []
    for line, row in enumerate(reader, start=2):
        batch.read += 1
        try:
            deal = _deal(row)
        except ValueError as exc:
            field, reason = exc.args
            batch.rejects.append(Reject(where, line, field, reason))
            continue
        deals.append(deal)
        for name in _split(row.get("investors_or_parties", "")):
            parties.append({"deal_id": deal["id"], "name": name[:255], "role": "investor",
                            "country": None, "org_id": None})
        parties.append({"deal_id": deal["id"], "name": deal["target"][:255], "role": "target",
                        "country": deal["target_country"], "org_id": None})
    batch.tables = {"deals": deals, "deal_parties": _unique(parties)}
    return batch


def _deal(row: dict) -> dict:
    announced = parse_date(row["announced_on"])
    amount_text = (row.get("amount_usd") or "").strip()
    amount = None
    if amount_text:
        try:
            amount = float(amount_text)
        except ValueError:
            raise ValueError("amount_usd", f"not a number: {amount_text!r}") from None
        if amount < 0:
            raise ValueError("amount_usd", f"negative amount: {amount_text}")
    direction = DIRECTION.match(row["direction"].strip())
    if not row["source_url"].strip():
        raise ValueError("source_url", "every curated deal needs a source URL")
    return {
        "id": row["deal_id"].strip(),
        "announced_on": announced,
        "year": announced.year,
        "target": row["target"].strip(),
        "target_country": row["target_country"].strip() or None,
        "direction": f"{direction[1]}->{direction[2]}" if direction else None,
        "deal_type": row.get("deal_type", "").strip(),
        "amount_usd": amount,
        "amount_original": amount,
        "currency": "USD" if amount is not None else None,
        "disclosed": amount is not None,
        "sectors": _split(row.get("sector_tags", "")),
        "concern_areas": [],
        "source": NAME,
        "source_url": row["source_url"].strip(),
        "note": "; ".join(x for x in (row.get("amount_note", ""), row.get("source_note", "")) if x),
        "is_demo": False,
    }


def parse_date(text: str) -> dt.date:
    """ISO date, year-month or year; a year outside 1990-2100 is impossible here."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if not m:
        raise ValueError("announced_on", f"not a date: {text!r}")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    if not 1990 <= year <= 2100:
        raise ValueError("announced_on", f"impossible year {year}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError("announced_on", f"not a date: {text!r}") from None


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _unique(parties: list[dict]) -> list[dict]:
    return list({(p["deal_id"], p["name"]): p for p in parties}.values())
