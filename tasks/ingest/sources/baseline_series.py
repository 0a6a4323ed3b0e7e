"""The brief's yearly aggregates as series points: China-Russia, US-China and US-Russia
AI investment, deal counts and student flows (data/curated/baseline_series.csv).

Demo mode adds the synthetic data/demo/series_demo.csv (is_demo); live mode adds
series.csv from sources.deals_dir (same columns).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from pydantic import ValidationInfo, field_validator

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.deal_records import (
    Amount,
    Record,
    SourceUrl,
    Text,
    record,
    rule,
    wrong,
)
from trendline.tasks.ingest.parsing.deal_rules import (
    DEMO_NOTE,
    Invalid,
    Rules,
    load_rules,
    numbered,
    read_files,
)
from trendline.tasks.ingest.source import Batch, Reject, Source, SourceError

NAME = "baseline_series"
CURATED = DATA_DIR / "curated" / "baseline_series.csv"
DEMO = DATA_DIR / "demo" / "series_demo.csv"
COLUMNS = {"series", "period", "value", "unit", "source_url", "note"}
SERIES = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")
PERIOD = re.compile(r"(\d{4})(?:-(\d{4}))?")
UNITS = {"USD", "deals", "students", ""}


def fetch(settings: Settings) -> dict:
    paths = [(CURATED, False)]
    if settings.sources.deals == "demo":
        paths.append((DEMO, True))
    elif settings.sources.deals_dir:
        live = Path(settings.sources.deals_dir) / "series.csv"
        paths += [(live, False)] if live.is_file() else []
    return {"files": read_files(paths), "mode": settings.sources.deals}


def normalise(raw: dict, rules: Rules | None = None) -> Batch:
    rules = rules or load_rules()
    batch = Batch(mode=raw.get("mode", "live"))
    points: dict[tuple[str, str], dict] = {}
    for where, text, demo in raw["files"]:
        reader = csv.DictReader(io.StringIO(text))
        missing = COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise SourceError(f"{where}: missing columns {sorted(missing)}")
        for line, row in numbered(reader):
            batch.read += 1
            try:
                point = to_point(row, demo, rules)
            except Invalid as exc:
                batch.rejects.append(Reject(where, line, exc.field, exc.reason))
                continue
            points[(point["series"], point["period"])] = point
    batch.tables = {"series_points": list(points.values())}
    return batch


class PointRecord(Record):
    """A row of a series file, checked in this order."""

    series: Text
    period: Text
    unit: Text
    source_url: SourceUrl("series point")
    value: Amount = None  # blank: not stated
    note: Text = ""

    @field_validator("series")
    @classmethod
    def _dotted(cls, series: str) -> str:
        if not SERIES.fullmatch(series):
            raise wrong(f"not a dotted series name: {series!r}")
        return series

    @field_validator("period")
    @classmethod
    def _year_or_range(cls, period: str, info: ValidationInfo) -> str:
        m = PERIOD.fullmatch(period)
        if not m:
            raise wrong(f"not a year or year range: {period!r}")
        for year in filter(None, m.groups()):
            rule(info, Rules.date, year)  # a year the rules allow
        return period

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNITS:
            raise wrong(f"unknown unit {unit!r}")
        return unit


def to_point(row: dict, demo: bool, rules: Rules | None = None) -> dict:
    """Validate one row; raise Invalid(field, reason) on the first bad field."""
    rec = record(PointRecord, row, rules)
    note = rec.note
    if demo and DEMO_NOTE not in note:
        note = "; ".join(x for x in (note, DEMO_NOTE) if x)
    return {
        "series": rec.series,
        "period": rec.period,
        "value": rec.value,
        "unit": rec.unit,
        "source_url": rec.source_url,
        "note": note,
        "is_demo": demo,
    }


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="deals")
