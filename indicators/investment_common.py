"""Shared helpers for the deal, event and series-point indicators. Deal amounts come
resolved (None: undisclosed, never zero); a year's total with any undisclosed deal is
unknown, reported beside its disclosed lower bound."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trendline.indicators import words
from trendline.indicators.common import Evidence, records, rows

CN_RU = ("CN->RU", "RU->CN", "JOINT")


def year_of(rec: Mapping[str, Any], key: str = "year") -> int | None:
    try:
        return int(rec[key]) if rec.get(key) is not None else None
    except (TypeError, ValueError):
        return None


def cn_ru_deals(deals: Iterable[dict]) -> list[dict]:
    return [d for d in deals if d.get("is_cn_ru") and year_of(d) is not None]


def by_year(items: Iterable[dict], key: str = "year") -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for rec in items:
        year = year_of(rec, key)
        if year is not None:
            out.setdefault(year, []).append(rec)
    return dict(sorted(out.items()))


def total(deals: Iterable[dict]) -> float | None:
    """The sum of the deals' amounts: None (unknown) when any of them is undisclosed."""
    deals = list(deals)
    if any(d.get("amount_usd") is None for d in deals):
        return None
    return float(sum(d["amount_usd"] for d in deals))


def disclosed(deals: Iterable[dict]) -> float:
    """The disclosed part only: a lower bound of the total."""
    return float(sum(d["amount_usd"] for d in deals if d.get("amount_usd") is not None))


def undisclosed(deals: Iterable[dict]) -> int:
    return sum(d.get("amount_usd") is None for d in deals)


def points(series_points: Iterable[dict], *names: str) -> dict[str, list[dict]]:
    """Yearly points ('YYYY' periods) of the named series, by period."""
    out: dict[str, list[dict]] = {}
    for p in series_points:
        if p.get("series") in names and str(p.get("period", "")).isdigit():
            out.setdefault(str(p["period"]), []).append(p)
    return dict(sorted(out.items()))


def summed(by_period: Mapping[str, list[dict]]) -> dict[str, float | None]:
    """The sum of the points' values per period (None when none has a value)."""
    out = {}
    for period, pts in by_period.items():
        vals = [p["value"] for p in pts if p.get("value") is not None]
        out[period] = float(sum(vals)) if vals else None
    return out


# the curated yearly figures (data/curated/baseline_series.csv) in words
POINT_NAMES = {
    "cn_ru": "China-Russia", "us_cn": "US-China", "us_ru": "US-Russia", "rcif": "RCIF",
    "students": "students", "disclosed_value": "disclosed value", "value": "value",
    "aum": "assets under management", "cn_in_ru": "Chinese in Russia",
    "ru_in_cn": "Russians in China", "cn_in_us": "Chinese in the U.S.",
}
POINT_UNITS = {"USD": "usd", "deals": "deals", "students": "students"}


def point_label(p: Mapping[str, Any]) -> str:
    """`RCIF assets under management, 2024: $3.2B` for a curated yearly figure."""
    head, _, tail = str(p.get("series") or "").partition(".")
    what = f"{POINT_NAMES.get(head, head)} {POINT_NAMES.get(tail, tail.replace('_', ' '))}"
    unit = POINT_UNITS.get(str(p.get("unit") or ""), "records")
    return f"{what.strip()}, {p.get('period')}: {words.amount(p.get('value'), unit)}"


def point_record(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "series_point", "id": f"{p.get('series')}:{p.get('period')}",
            "label": point_label(p),
            "series": p.get("series"), "period": str(p.get("period")), "value": p.get("value"),
            "unit": POINT_UNITS.get(str(p.get("unit") or ""), ""),
            "url": p.get("source_url") or "", "note": p.get("note") or "",
            "demo": bool(p.get("is_demo") or False)}


def deal_record(d: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    rec = {"kind": "deal", "id": d["id"], "target": d.get("target") or "",
           "label": f"{d.get('target') or d['id']} ({d.get('direction') or 'no direction'})",
           "direction": d.get("direction") or "", "amount_usd": d.get("amount_usd"),
           "disclosed": d.get("amount_usd") is not None, "date": str(d.get("date") or d["year"]),
           "concern_areas": list(d.get("concern_areas") or []), "url": d.get("source_url") or "",
           "note": d.get("note") or "", "demo": bool(d.get("is_demo"))}
    rec.update(extra)
    return rec


def event_record(e: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    rec = {"kind": "event", "id": e["id"], "title": e.get("title") or "",
           "label": e.get("title") or e["id"], "type": e.get("type") or "",
           "date": str(e.get("date") or e.get("year") or ""),
           "parties": [p.get("name") if isinstance(p, dict) else p for p in e.get("parties") or []],
           "concern_areas": list(e.get("concern_areas") or []), "url": e.get("source_url") or "",
           "note": e.get("note") or "", "demo": bool(e.get("is_demo"))}
    rec.update(extra)
    return rec


def deal_evidence(deals: Iterable[dict]) -> Evidence:
    return records({str(y): [deal_record(d) for d in g] for y, g in by_year(deals).items()})


def event_evidence(events: Iterable[dict]) -> Evidence:
    return records({str(y): [event_record(e) for e in g] for y, g in by_year(events).items()})


def point_evidence(by_period: Mapping[str, list[dict]]) -> Evidence:
    return records({p: [point_record(x) for x in pts] for p, pts in by_period.items()})


def listed_orgs(frames, lists: Iterable[str]) -> set[str]:
    lst = frames.get("listings")
    if lst is None or lst.empty:
        return set()
    return set(lst.loc[lst["list_name"].isin(list(lists)), "org_id"].astype(str))


def parties_of(frames, kind: str) -> dict[str, list[dict]]:
    """record id -> its resolved parties."""
    out: dict[str, list[dict]] = {}
    for p in rows(frames, "parties"):
        if p["record_kind"] == kind:
            out.setdefault(p["record_id"], []).append(p)
    return out
