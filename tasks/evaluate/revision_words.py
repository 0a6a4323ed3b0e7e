"""Source revisions in words: "OpenAlex revised 2019 from 152 to 171 papers (+12%), 2018
from 137 to 153 papers (+12%)". Every number through indicators/words.py, in the unit its
series declares."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from trendline.indicators import words
from trendline.indicators.base import sorted_periods
from trendline.indicators.registry import all_indicators

SOURCE_NAMES = {  # how a sentence names a source (tasks/ingest/sources/*.py NAME)
    "openalex": "OpenAlex", "openalex_snapshot": "the OpenAlex snapshot", "cnki": "CNKI",
    "crunchbase": "Crunchbase", "curated_deals": "the curated deals file",
    "events": "the curated events file", "rcif": "the RCIF portfolio",
    "screening_list": "the Consolidated Screening List", "curated_lists": "the curated lists",
    "baseline_series": "the curated baseline series",
}


def source_words(names: str) -> str:
    """`OpenAlex`, `OpenAlex and CNKI`, or `a source` when none is known; `names`: "a, b"."""
    said = [SOURCE_NAMES.get(n.strip(), n.strip()) for n in names.split(",") if n.strip()]
    if not said:
        return "a source"
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"


def changes(rows: pd.DataFrame, unit: str) -> str:
    """`2019 from 152 to 171 papers (+12%), 2018 from ...`: newest period first."""
    by_period = {r.period: r for r in rows.itertuples(index=False)}
    parts = []
    for period in reversed(sorted_periods(by_period)):
        r = by_period[period]
        # "from 152 to 171 papers": a count's noun said once
        old, new = words.bare(r.previous, unit), words.amount(r.value, unit)
        parts.append(f"{period} from {old} to {new} ({moved(r.value, r.previous, unit)})")
    return ", ".join(parts)


def moved(new: float, old: float, unit: str) -> str:
    """`+12%`; for percentages and shares the points too (`+0.2 points, +12%`): a revision
    is measured against the value it replaced, whatever its unit."""
    rel = "none before" if old == 0 else words.pct(new / old - 1)
    if words.unit_of(unit).kind not in ("percent", "share", "points"):
        return rel
    points = words.change(new, old, unit)
    return rel if points == "no change" else f"{points}, {rel}"


def lines(revisions: pd.DataFrame, titles: Mapping[str, str] | None = None) -> list[str]:
    """One sentence per revised series ("OpenAlex revised Joint China-Russia AI papers per
    year: 2019 from ..."), in the brief's order; a series whose changes repeat another of
    the same indicator and subject word for word is said once."""
    inds = all_indicators()
    out: list[str] = []
    if revisions.empty:
        return out
    order = {i: n for n, i in enumerate(inds)}
    groups = revisions.groupby(["indicator_id", "subject", "series"], sort=False)
    keys = sorted(groups.groups, key=lambda k: (order.get(k[0], 999), k[1], k[2] != "value",
                                                k[2]))
    said: set[tuple[str, str, str]] = set()
    for ind_id, subject, series in keys:
        rows = groups.get_group((ind_id, subject, series))
        ind = inds.get(ind_id)
        decl = ind.series_of(series) if ind else None
        text = changes(rows, decl.unit if decl else "records")
        if (ind_id, subject, text) in said:
            continue
        said.add((ind_id, subject, text))
        title = (titles or {}).get(ind_id) or (ind.title if ind else ind_id)
        what = title + ("" if series == "value" else f", {decl.label or series}" if decl
                        else f", {series}") + ("" if subject == "all" else f" ({subject})")
        source = source_words(",".join(sorted(set(rows["source"]))))
        out.append(f"{source[0].upper()}{source[1:]} revised {what}: {text}")
    return out


def verdict_notes(revisions: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(indicator, subject) -> what revised its value series ("OpenAlex revised 2019 from
    152 to 171 papers (+12%) on 2026-12-01"), from revisions of the `value` series (each
    period from its value before the first of them to its latest)."""
    inds = all_indicators()
    out: dict[tuple[str, str], str] = {}
    value = revisions[revisions["series"] == "value"] if len(revisions) else revisions
    for (ind_id, subject), rows in value.groupby(["indicator_id", "subject"]):
        ind = inds.get(ind_id)
        latest = rows.drop_duplicates("period", keep="last")  # the latest revision of each
        first = rows.drop_duplicates("period", keep="first").set_index("period")["previous"]
        latest = latest.assign(previous=latest["period"].map(first))  # from before them all
        unit = ind.unit if ind else "records"
        source = source_words(",".join(sorted(set(rows["source"]))))
        when = max(rows["written_at"])
        out[(ind_id, subject)] = f"{source} revised {changes(latest, unit)} on {when:%Y-%m-%d}"
    return out
