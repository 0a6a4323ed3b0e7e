"""Shared helpers for the deal, event and series-point indicators. Pure: frames in, plain
Python out. Frames are read as lists of dicts so empty or partial frames behave the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from indicators.common import deal_record, event_record

CN_RU = ("CN->RU", "RU->CN", "JOINT")
RCIF_NAMES = ("russia-china investment fund", "russian-chinese investment fund", "rcif")


def rows(frames: Mapping[str, pd.DataFrame], name: str) -> list[dict[str, Any]]:
    """A frame's rows as dicts with NaN/NaT turned into None; [] when the frame is absent."""
    frame = frames.get(name)
    if frame is None or frame.empty:
        return []
    return [{k: _clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _clean(value: Any) -> Any:
    if isinstance(value, list | dict | tuple):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def year_of(rec: Mapping[str, Any], key: str = "year") -> int | None:
    try:
        return int(rec[key]) if rec.get(key) is not None else None
    except (TypeError, ValueError):
        return None


def cn_ru_deals(deals: Iterable[dict]) -> list[dict]:
    return [d for d in deals if d.get("direction") in CN_RU and year_of(d) is not None]


def by_year(records: Iterable[dict], key: str = "year") -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for rec in records:
        year = year_of(rec, key)
        if year is not None:
            out.setdefault(year, []).append(rec)
    return dict(sorted(out.items()))


def disclosed_sum(deals: Iterable[dict]) -> float:
    return float(sum(d["amount_usd"] for d in deals if d.get("amount_usd") is not None))


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


def point_record(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": "series_point",
        "id": f"{p.get('series')}:{p.get('period')}",
        "series": p.get("series"),
        "period": str(p.get("period")),
        "value": p.get("value"),
        "url": p.get("source_url") or "",
        "note": p.get("note") or "",
        "demo": bool(p.get("is_demo") or False),
    }


def deal_evidence(deals: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for year, group in by_year(deals).items():
        out[str(year)] = [deal_record(d, disclosed=bool(d.get("disclosed")),
                                      concern_areas=list(d.get("concern_areas") or []),
                                      note=d.get("note") or "") for d in group]
    return out


def event_evidence(events: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for year, group in by_year(events).items():
        out[str(year)] = [event_record(e, concern_areas=list(e.get("concern_areas") or []),
                                       note=e.get("note") or "") for e in group]
    return out


def merge_evidence(*parts: Mapping[str, list[dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for part in parts:
        for period, recs in part.items():
            out.setdefault(period, []).extend(recs)
    return out


def cn_ru_yearly_value(deals: list[dict], sp: list[dict], prefer_baseline: bool = True):
    """Disclosed China-Russia value per year: the brief's yearly figure where it has one
    (it counted deals we cannot list one by one), else the sum of stored deals.
    Returns (values, evidence of the baseline points used)."""
    base = points(sp, "cn_ru.disclosed_value")
    values = {str(y): disclosed_sum(g) for y, g in by_year(cn_ru_deals(deals)).items()}
    evidence: dict[str, list[dict]] = {}
    if prefer_baseline:
        for period, pts in base.items():
            values[period] = summed({period: pts})[period]
            evidence[period] = [point_record(p) for p in pts]
    return dict(sorted(values.items())), evidence


def is_rcif(name: str | None, names: Iterable[str] = RCIF_NAMES) -> bool:
    key = (name or "").casefold()
    return any(n in key for n in names)


def party_key(parties: Iterable[str]) -> str:
    """An order-free key for a set of parties: the same partnership across events."""
    return " + ".join(sorted({p.strip().casefold() for p in parties if p and p.strip()}))
