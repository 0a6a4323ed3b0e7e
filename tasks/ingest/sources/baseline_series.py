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

from tasks.ingest.sources import Batch, Reject, SourceError
from tasks.ingest.sources.deal_rules import Invalid, load_rules, numbered, read_files
from trendline.settings import DATA_DIR, Settings

NAME = "baseline_series"
FAMILY = "deals"
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


def normalise(raw: dict) -> Batch:
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
                point = to_point(row, demo)
            except Invalid as exc:
                batch.rejects.append(Reject(where, line, exc.field, exc.reason))
                continue
            points[(point["series"], point["period"])] = point
    batch.tables = {"series_points": list(points.values())}
    return batch


def to_point(row: dict, demo: bool) -> dict:
    rules = load_rules()
    series = (row.get("series") or "").strip()
    if not SERIES.fullmatch(series):
        raise Invalid("series", f"not a dotted series name: {series!r}")
    period = (row.get("period") or "").strip()
    m = PERIOD.fullmatch(period)
    if not m:
        raise Invalid("period", f"not a year or year range: {period!r}")
    for year in filter(None, m.groups()):
        rules.date(year, "period")
    unit = (row.get("unit") or "").strip()
    if unit not in UNITS:
        raise Invalid("unit", f"unknown unit {unit!r}")
    url = (row.get("source_url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise Invalid("source_url", "every series point needs an http(s) source URL")
    note = (row.get("note") or "").strip()
    if demo and "synthetic demo record" not in note:
        note = "; ".join(x for x in (note, "synthetic demo record") if x)
    return {
        "series": series,
        "period": period,
        "value": rules.amount(row.get("value"), "value"),
        "unit": unit,
        "source_url": url,
        "note": note,
        "is_demo": demo,
    }
