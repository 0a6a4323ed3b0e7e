"""The indicator table as the brief reads: grouped as the brief groups its evidence (each
indicator declares its group and order), each row with the brief's figure, the latest
complete value, the change against the brief and against the year before, and a
sparkline. Every number goes through indicators/words.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trendline.indicators import words
from trendline.indicators.declaration import GROUPS
from trendline.indicators.verdict_words import word
from trendline.tasks.evaluate.verdicts import growth_words
from trendline.tasks.publish.render import sparkline


def row(ind: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """One table row from an overview row (tasks.publish.report.overview)."""
    unit = ind["unit"]
    series = ind["series"]
    complete = [p for p in series if not _partial(p, today)]
    latest = complete[-1] if complete else None
    values = {p["period"]: p["value"] for p in series}
    end = str(ind["baseline"].get("end") or "")
    prev = None
    if latest is not None and latest["period"].isdigit():
        prev = values.get(str(int(latest["period"]) - 1))
    # the trend stops at the latest complete year: a year filling in is not a collapse
    yearly = [p for p in complete if p["period"].isdigit()]
    years = list(range(int(yearly[0]["period"]), int(yearly[-1]["period"]) + 1))[-12:] \
        if yearly else []
    now = series[-1] if series and _partial(series[-1], today) else None
    judged = ind.get("verdict") or {}
    return {
        "id": ind["id"],
        "title": ind["title"],
        "unit": unit,
        "verdict": judged.get("verdict", ""),  # headline or trend line: the label ...
        "verdict_text": judged.get("explanation", ""),  # ... and its one line
        "verdict_growth": growth_words(judged),  # +16% a year, 95% CI 8-23%
        "status": ind["status"],
        "alerts_firing": ind["alerts_firing"],
        "brief": ind["baseline"].get("headline") or "",
        "brief_summary": ind["baseline"].get("summary", ""),
        "brief_end": end,
        "period": latest["period"] if latest else "",
        "when": _when(latest["period"]) if latest else "",
        "value": shown(latest, unit) if latest else words.UNKNOWN,
        "so_far": (f"{shown(now, unit)} so far in {now['period']}" if now else ""),
        "vs_brief": against_brief(ind, latest, values, end),
        "vs_last_year": words.change(latest["value"], prev, unit) if latest else "",
        "spark": sparkline([values.get(str(y)) for y in years]),
        "spark_range": words.span(years[0], years[-1]) if years else "",
        # the records behind the value shown, for the same period
        "evidence_count": latest.get("evidence_count", 0) if latest else 0,
        "demo": any(e.get("demo") for e in ind["evidence"]),
    }


def against_brief(ind: dict[str, Any], latest: dict | None, values: dict, end: str) -> str:
    """`+133% since 2019`, or against the brief's own figure when it has one (`+2.9 points
    against the brief's 2010-2019 share (296 of 15,032)`); "" when not comparable."""
    if latest is None:
        return ""
    base = ind["baseline"]
    unit = ind["unit"]
    if base.get("reference") is not None:
        moved = words.change(latest["value"], base["reference"], unit)
        return f"{moved} against {base['reference_words']}" if moved else ""
    if not end or end == latest["period"]:
        return ""
    before = values.get(end)
    moved = words.change(latest["value"], before, unit)
    if moved == "none before":  # "3 deals against none in 2020", not "none before since"
        return f"{words.amount(latest['value'], unit)} against none in {end}"
    return f"{moved} since {end}" if moved else ""


def verdict_short(judged: dict[str, Any] | None) -> str:
    """`trend +16%/yr`: the verdict and its rate in a few words ("" without one); no rate
    beside `unclear` (the data cannot tell it) or "too short to judge"."""
    if not judged:
        return ""
    g = judged.get("growth")
    if g is None or judged["verdict"] in ("unclear", "insufficient"):
        return word(judged["verdict"])
    return f"{word(judged['verdict'])} {words.pct(g)}/yr"


def shown(point: dict[str, Any], unit: str) -> str:
    """A value as text; one resting on undisclosed amounts is unknown, with its bound; a
    value that names something (the leading field) says what."""
    detail = point.get("detail") or {}
    hidden = detail.get("undisclosed")
    if point.get("value") is None and hidden:
        lower = detail.get("disclosed")
        head = f"at least {words.amount(lower, unit)}" if lower else words.UNKNOWN
        return f"{head} ({words.plural(int(hidden), 'deal')} undisclosed)"
    text = words.amount(point.get("value"), unit)
    return f"{text} ({detail['label']})" if detail.get("label") else text


def _when(period: str) -> str:
    """`in 2025`, or `on 2026-11-29` for a day."""
    return f"on {period}" if len(period) == 10 else f"in {period}"


def _partial(point: dict[str, Any], today: dt.date) -> bool:
    return bool(point["detail"].get("partial")) or point["period"] == str(today.year)


def grouped(overview: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """[{key, title, rows}] in the brief's order; empty groups left out."""
    ordered = sorted(overview, key=lambda i: i.get("order", 999))
    out = []
    for key, title in GROUPS.items():
        members = [row(i, today) for i in ordered if i.get("group") == key]
        if members:
            out.append({"key": key, "title": title, "rows": members})
    return out
