"""Shared frame helpers for indicators: joint-paper selection and evidence records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

OPENALEX = "https://openalex.org/"


def joint_works(works: pd.DataFrame, a: str = "CN", b: str = "RU") -> pd.DataFrame:
    """Works with at least one affiliation in each of two countries."""
    if works.empty:
        return works
    mask = works["countries"].map(lambda cs: a in (cs or ()) and b in (cs or ()))
    return works[mask]


def work_record(row: Any, **extra: Any) -> dict[str, Any]:
    """The evidence a reader needs to check one paper in one click."""
    wid = row["id"]
    doi = text(row.get("doi"))
    url = f"{OPENALEX}{wid}" if str(wid).startswith("W") else (text(row.get("url")) or doi)
    rec = {
        "kind": "work",
        "id": wid,
        "title": text(row.get("title")),
        "label": text(row.get("title")) or wid,
        "year": _int(row.get("publication_year")),
        "doi": doi,
        "url": url,
        "source": row.get("source") or "",
        "demo": bool(row.get("is_demo", False)),
    }
    rec.update(extra)
    return rec


def deal_record(row: Any, **extra: Any) -> dict[str, Any]:
    rec = {
        "kind": "deal",
        "id": row["id"],
        "target": row.get("target") or "",
        "label": f"{row.get('target') or row['id']} ({row.get('direction') or 'no direction'})",
        "direction": row.get("direction") or "",
        "amount_usd": _num(row.get("amount_usd")),
        "date": str(row.get("announced_on") or row.get("year") or ""),
        "url": row.get("source_url") or "",
        "demo": bool(row.get("is_demo", False)),
    }
    rec.update(extra)
    return rec


def event_record(row: Any, **extra: Any) -> dict[str, Any]:
    rec = {
        "kind": "event",
        "id": row["id"],
        "title": row.get("title") or "",
        "label": row.get("title") or row["id"],
        "type": row.get("type") or "",
        "date": str(row.get("date") or row.get("year") or ""),
        "parties": list(row.get("parties") or []),
        "url": row.get("source_url") or "",
        "demo": bool(row.get("is_demo", False)),
    }
    rec.update(extra)
    return rec


def records_by_year(frame: pd.DataFrame, year_col: str, make, **kw) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for _, row in frame.iterrows():
        year = _int(row.get(year_col))
        if year is not None:
            out.setdefault(str(year), []).append(make(row, **kw))
    return out


def partial_years(periods: Iterable[str], as_of) -> frozenset[str]:
    """The current year is still filling in (publication and reporting lag)."""
    return frozenset(p for p in periods if p[:4].isdigit() and int(p[:4]) >= as_of.year)


def text(x: Any) -> str:
    """A frame cell as text: None and NaN become ''."""
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    return str(x)


def _int(x: Any) -> int | None:
    try:
        return None if x is None or pd.isna(x) else int(x)
    except (TypeError, ValueError):
        return None


def _num(x: Any) -> float | None:
    try:
        return None if x is None or pd.isna(x) else float(x)
    except (TypeError, ValueError):
        return None
