"""Helpers shared by the research indicators: the joint set, counts, evidence, mappings.

The mapping files under data/research/ are static reference data shipped with the code;
they are read once at import, so `evaluate` itself stays free of I/O.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from indicators.base import year_series
from indicators.common import joint_works, work_record
from trendline.settings import DATA_DIR

JOINT = "CN+RU"
ENGLISH_SOURCES = ("openalex", "snapshot")  # CNKI has its own indicator
_RESEARCH = DATA_DIR / "research"


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads((_RESEARCH / name).read_text(encoding="utf-8"))


FIELDS: list[dict[str, Any]] = _load("fields.toml")["field"]
CENTRES: list[dict[str, Any]] = _load("centres.toml")["centre"]


def joint_english(works: pd.DataFrame) -> pd.DataFrame:
    """CN+RU works from OpenAlex (API or snapshot), the brief's English-language set."""
    if works.empty:
        return works
    return joint_works(works[works["source"].isin(ENGLISH_SOURCES)])


def paper_record(row: Any, **extra: Any) -> dict[str, Any]:
    """work_record, with the source's landing page when there is no DOI or OpenAlex id."""
    rec = work_record(row, **extra)
    for key in ("url", "doi"):  # a missing value may arrive as NaN from pandas
        if not isinstance(rec[key], str):
            rec[key] = ""
    url = row.get("url") if hasattr(row, "get") else None
    if not rec["url"] and isinstance(url, str) and url:
        rec["url"] = url
    return rec


def papers_by_year(works: pd.DataFrame, **extra: Any) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for _, row in works.sort_values("id").iterrows():
        year = row.get("publication_year")
        if year is not None and not pd.isna(year):
            out.setdefault(str(int(year)), []).append(paper_record(row, **extra))
    return out


def counted(works: pd.DataFrame) -> dict[str, float | None]:
    if works.empty:
        return {}
    years = works["publication_year"].dropna().astype(int)
    return year_series(years.value_counts().to_dict())


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


def count_record(series: str, period: str, value: float | None, url: str) -> dict[str, Any]:
    """Evidence for a server-side count: the query a reader can replay."""
    return {"kind": "count", "id": f"{series}:{period}", "label": f"{series} {period}",
            "series": series, "year": int(period) if period.isdigit() else period,
            "count": value, "url": url}


def org_name(row: Any) -> str:
    """The canonical organisation when the matcher resolved one, else the source's name."""
    name = row.get("org_name") if hasattr(row, "get") else None
    if isinstance(name, str) and name:
        return name
    return str(row.get("institution_name") or row.get("raw_affiliation") or "").strip()


def affiliations_of(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """`affiliations` when the store provided it, else the bare authorships."""
    aff = frames.get("affiliations")
    if aff is None or aff.empty:
        aff = frames.get("authorships", pd.DataFrame())
    return aff if aff is not None else pd.DataFrame()


def ratio(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
    if a is None or not b:
        return None
    return round(scale * a / b, 6)
