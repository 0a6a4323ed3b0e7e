"""Helpers shared by the research indicators: server-side counts and their evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trendline.indicators import words
from trendline.indicators.base import year_series

JOINT = "CN+RU"


def count_series(
    counts: pd.DataFrame, params: Mapping[str, Any]
) -> tuple[dict[str, dict[str, float | None]], dict[str, str], str]:
    """Yearly server-side counts per series, for one AI definition (the `ai_definition`
    param, else the one fetched last), with each series' query URL."""
    if counts is None or counts.empty:
        return {}, {}, ""
    definition = params.get("ai_definition")
    if not definition:
        latest = counts.sort_values("fetched_at").iloc[-1] if "fetched_at" in counts else None
        definition = (latest if latest is not None else counts.iloc[0])["ai_definition"]
    rows = counts[counts["ai_definition"] == definition]
    series = {
        name: year_series(dict(zip(g["year"].astype(int), g["count"], strict=True)))
        for name, g in rows.groupby("series")
    }
    urls = {name: sorted(set(g["query_url"]))[0] for name, g in rows.groupby("series")}
    return series, urls, definition


def count_records(series: Mapping[str, dict], urls: Mapping[str, str], names, periods,
                  demo: bool = False) -> dict[str, list[dict]]:
    """Evidence for server-side counts: the queries a reader can replay."""
    return {p: [{"kind": "count", "id": f"{s}:{p}",
                 "label": f"OpenAlex count of {s} AI papers, {p}: "
                          f"{words.amount(series.get(s, {}).get(p), 'papers')}", "series": s,
                 "year": int(p), "count": series.get(s, {}).get(p), "url": urls.get(s, ""),
                 "demo": demo} for s in names] for p in periods}


def ratio(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
    if a is None or not b:
        return None
    return round(scale * a / b, 6)


def is_demo_counts(counts: pd.DataFrame) -> bool:
    return bool(len(counts)) and "is_demo" in counts and bool(counts["is_demo"].fillna(False).any())
