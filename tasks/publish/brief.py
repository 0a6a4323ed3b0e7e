"""The indicator table as the brief reads: grouped as the brief groups its evidence, each row
with the brief's figure, the latest complete value, the change against the brief's last
period and against the year before, and a sparkline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trendline.indicators.verdict_words import pct, word
from trendline.tasks.evaluate.verdicts import growth_words
from trendline.tasks.publish.render import change, number, sparkline

GROUPS = (
    ("research", "Research"),
    ("investment", "Investment"),
    ("formal", "Formal ties"),
    ("talent", "Talent"),
    ("data", "Data health"),
)
FORMAL = ("research.formalization", "investment.partnerships", "investment.new_vehicles",
          "investment.data_agreements")
# the order the brief (and the README's watch-list table) takes them in
ORDER = (
    "research.joint_output", "research.joint_share", "research.dyad_comparison",
    "research.field_mix", "research.institution_pairs", "research.citation_impact",
    "research.entity_list_collab", "research.defence_ru_collab", "research.huawei_ru",
    "research.joint_centres", "research.chinese_language", "research.formalization",
    "investment.disclosed_flow", "investment.dyad_comparison", "investment.portfolio_share",
    "investment.new_vehicles", "investment.opacity", "investment.concern_areas",
    "investment.rcif_portfolio", "investment.ai_dragons", "investment.defence_soe",
    "investment.partnerships", "investment.data_agreements", "talent.student_flows",
    "data.freshness",
)
# the brief's headline figure for each indicator, in a few words
FIGURES = {
    "research.joint_output": "296 papers in 2010-2019",
    "research.joint_share": "1.97% of Russia's AI papers",
    "research.dyad_comparison": "US-China 129x China-Russia",
    "research.field_mix": "pattern recognition first (29 papers)",
    "research.institution_pairs": "RAS-CAS first (15 papers)",
    "research.entity_list_collab": "5 of 43 CNKI papers",
    "research.defence_ru_collab": "none found",
    "research.huawei_ru": "17 collaborations",
    "research.joint_centres": "3 centres named",
    "research.chinese_language": "43 CNKI papers, 2005-2020",
    "research.formalization": "8 events, 2018-2020",
    "investment.disclosed_flow": "$879M in 2016-2019",
    "investment.dyad_comparison": "US-China $35B, US-Russia $670M (2010-2020)",
    "investment.portfolio_share": "Russia to US $666M, to China $555M",
    "investment.new_vehicles": "RCIF (2012), $2.5B",
    "investment.opacity": "29% undisclosed (5 of 17)",
    "investment.rcif_portfolio": "$2.5B assets, 6 AI deals",
    "investment.ai_dragons": "1 deal (Megvii)",
    "investment.defence_soe": "1 collaboration",
    "investment.partnerships": "5 partnerships",
    "investment.data_agreements": "none found",
    "talent.student_flows": "48,000 Chinese students in Russia (2020)",
}


def group_of(indicator_id: str) -> str:
    if indicator_id in FORMAL:
        return "formal"
    return indicator_id.split(".", 1)[0]


def _rank(indicator_id: str) -> int:
    return ORDER.index(indicator_id) if indicator_id in ORDER else len(ORDER)


def row(ind: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """One table row from an overview row (trendline.tasks.publish.report.overview)."""
    unit = ind["unit"]
    series = ind["series"]
    complete = [p for p in series if not _partial(p, today)]
    latest = complete[-1] if complete else None
    values = {p["period"]: p["value"] for p in series}
    end = str(ind["baseline"].get("end") or "")
    prev = None
    if latest is not None and latest["period"].isdigit():
        prev_period = str(int(latest["period"]) - 1)
        prev = values.get(prev_period)
    at_end = values.get(end) if end and end != (latest or {}).get("period") else None
    # the trend stops at the latest complete year: a year filling in is not a collapse
    yearly = [p for p in complete if p["period"].isdigit()]
    years = range(int(yearly[0]["period"]), int(yearly[-1]["period"]) + 1) if yearly else []
    years = list(years)[-12:]
    spark_vals = [values.get(str(y)) for y in years]
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
        "brief": FIGURES.get(ind["id"], ""),
        "brief_summary": ind["baseline"].get("summary", ""),
        "brief_end": end,
        "period": latest["period"] if latest else "",
        "when": _when(latest["period"]) if latest else "",
        "value": shown(latest, unit) if latest else "no data",
        "so_far": (f"{number(now['value'], unit)} so far in {now['period']}" if now else ""),
        "vs_brief": (f"{change(latest['value'], at_end, unit)} since {end}"
                     if latest and change(latest["value"], at_end, unit) else ""),
        "vs_last_year": change(latest["value"], prev, unit) if latest else "",
        "spark": sparkline(spark_vals),
        "spark_range": f"{years[0]}-{years[-1]}" if years else "",
        "evidence_count": ind["evidence_count"],
        "demo": any(e.get("demo") for e in ind["evidence"]),
    }


def verdict_short(judged: dict[str, Any] | None) -> str:
    """`trend +16%/yr`: the verdict and its rate in a few words ("" without one); no rate
    beside `unclear` (the data cannot tell it) or "too short to judge"."""
    if not judged:
        return ""
    g = judged.get("growth")
    if g is None or judged["verdict"] in ("unclear", "insufficient"):
        return word(judged["verdict"])
    return f"{word(judged['verdict'])} {pct(g)}/yr"


def shown(point: dict[str, Any], unit: str) -> str:
    """A value as text; one resting on undisclosed amounts is unknown, with its bound."""
    detail = point.get("detail") or {}
    hidden = detail.get("undisclosed")
    if point.get("value") is None and hidden:
        lower = detail.get("disclosed")
        head = f">= {number(lower, unit)}" if lower else "unknown"
        return f"{head} ({int(hidden)} undisclosed)"
    return number(point.get("value"), unit)


def _when(period: str) -> str:
    """`in 2025`, or `on 2026-11-29` for a day."""
    return f"on {period}" if len(period) == 10 else f"in {period}"


def _partial(point: dict[str, Any], today: dt.date) -> bool:
    return bool(point["detail"].get("partial")) or point["period"] == str(today.year)


def grouped(overview: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """[{key, title, rows}] in the brief's order; empty groups left out."""
    rows = sorted((row(i, today) for i in overview), key=lambda r: _rank(r["id"]))
    out = []
    for key, title in GROUPS:
        members = [r for r in rows if group_of(r["id"]) == key]
        if members:
            out.append({"key": key, "title": title, "rows": members})
    return out
