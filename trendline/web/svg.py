"""Charts drawn on the server as inline SVG, from the same overview rows and helpers as the
emailed PNGs (tasks/publish/charts.py): the brief's window shaded, the fitted trend and
its change points, a year still filling in hollow and dashed, an unknown year a gap with
a mark on the axis, a <title> tooltip per point. Text is escaped: nothing here runs."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from trendline.indicators import words
from trendline.indicators.verdict_words import word
from trendline.tasks.publish.charts import (
    COLOURS,
    TREND,
    chart_series,
    partial_years,
    verdict_overlay,
)

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 40


def _known(v: Any) -> bool:
    return not words.missing(v)


def sparkline_svg(values: list[Any], label: str) -> str:
    """A 96x22 line of the values (None: a gap), or "" with fewer than two known."""
    nums = [float(v) for v in values if _known(v)]
    if len(nums) < 2:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    step = 94 / max(len(values) - 1, 1)
    parts, run = [], []
    for i, v in enumerate(values):
        if not _known(v):
            if run:
                parts.append(run)
            run = []
            continue
        run.append(f"{1 + i * step:.1f},{20 - (float(v) - lo) / span * 18:.1f}")
    if run:
        parts.append(run)
    lines = "".join(f'<polyline points="{" ".join(p)}"/>' for p in parts if len(p) > 1)
    dots = "".join(f'<circle cx="{p[0].split(",")[0]}" cy="{p[0].split(",")[1]}" r="1.5"/>'
                   for p in parts if len(p) == 1)
    return (f'<svg class="spark" width="96" height="22" viewBox="0 0 96 22" role="img" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<g fill="none" stroke="#1f4e79" stroke-width="1.5">{lines}</g>'
            f'<g fill="#1f4e79">{dots}</g></svg>')


def _scale(unit: str) -> tuple[float, str]:
    """(divide by, axis label) for a unit: money in millions, shares in percent."""
    return {"usd": (1e6, "USD millions"), "share": (0.01, "%"),
            "percent": (1, "%")}.get(unit, (1, words.noun(unit) or unit))


def chart_svg(row: dict[str, Any], alert_periods: set[str], current_year: int) -> str:
    """The indicator's chart as an SVG element, or "" when it has no yearly series."""
    series = chart_series(row)
    if not series:
        return ""
    unit = row.get("chart_unit") or row["unit"]
    scale, ylabel = _scale(unit)
    years = sorted({y for s in series.values() for y in s})
    first, last = years[0], years[-1]
    partial = partial_years(row, current_year)
    line, cuts = verdict_overlay(row)
    values = [v / scale for s in series.values() for v in s.values() if _known(v)]
    values += [y / scale for _, y in line]
    lo, hi = min([0.0, *values]), max([*values, 1e-9])
    hi += (hi - lo) * 0.08

    def x(year: float) -> float:
        return LEFT + (year - first + 0.5) / (last - first + 1) * (W - LEFT - RIGHT)

    def y(v: float) -> float:
        return TOP + (hi - v) / ((hi - lo) or 1) * (H - TOP - BOTTOM)

    out = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
           f'aria-label="{escape(row["title"])}: chart of the series">']
    end = (row.get("baseline") or {}).get("end") or 0
    if first <= end:
        x0, x1 = x(first - 0.5), x(min(end, last) + 0.5)
        out.append(f'<rect class="brief" x="{x0:.1f}" y="{TOP}" width="{x1 - x0:.1f}" '
                   f'height="{H - TOP - BOTTOM}" fill="#ececec"><title>the brief\'s period '
                   f'{words.span(first, min(end, last))}</title></rect>')
    for k in range(5):  # value grid
        v = lo + (hi - lo) * k / 4
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#e3e6ea"/><text x="{LEFT - 4}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end" font-size="10">{escape(words.figure(v))}</text>')
    step = max(1, math.ceil((last - first + 1) / 12))
    for yr in range(first, last + 1, step):
        out.append(f'<text x="{x(yr):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle" '
                   f'font-size="10">{yr}</text>')
    out.append(f'<text x="12" y="{TOP + 4}" font-size="10" transform="rotate(-90 12 {TOP + 4})" '
               f'text-anchor="end">{escape(ylabel)}</text>')
    for cut in cuts:
        out.append(f'<line class="cut" x1="{x(cut - 0.5):.1f}" x2="{x(cut - 0.5):.1f}" '
                   f'y1="{TOP}" y2="{H - BOTTOM}" stroke="{TREND}" stroke-dasharray="2 3">'
                   f'<title>change point: a new level from {cut}</title></line>')
    if line:
        pts = " ".join(f"{x(a):.1f},{y(b / scale):.1f}" for a, b in line)
        verdict = word((row.get("verdict") or {}).get("verdict", ""))
        out.append(f'<polyline class="trend" points="{pts}" fill="none" stroke="{TREND}" '
                   f'stroke-width="1.5" stroke-dasharray="5 3"><title>fitted: {escape(verdict)}'
                   f'</title></polyline>')
    for colour, (label, points) in zip(COLOURS, series.items(), strict=False):
        out.extend(_line(label, points, colour, partial, unit, x, y, scale,
                         alert_periods if colour == COLOURS[0] else set()))
    out.append(_legend(series, colour_of=COLOURS, partial=bool(partial & set(years)),
                       trend=bool(line), cuts=bool(cuts)))
    out.append("</svg>")
    return "".join(out)


def _line(label, points, colour, partial, unit, x, y, scale, alerts) -> list[str]:
    out, run = [], []
    years = sorted(points)
    for yr in range(years[0], years[-1] + 1):
        v = points.get(yr)
        if not _known(v) or yr in partial:
            if len(run) > 1:
                out.append(f'<polyline points="{" ".join(run)}" fill="none" '
                           f'stroke="{colour}" stroke-width="2"/>')
            run = []
        else:
            run.append(f"{x(yr):.1f},{y(v / scale):.1f}")
    if len(run) > 1:
        out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"/>')
    for yr in years:
        v = points.get(yr)
        name = escape(f"{label}, {yr}")
        if not _known(v):  # unknown: a mark on the axis, never a point at zero
            out.append(f'<text class="unknown" x="{x(yr):.1f}" y="{y(0) - 3:.1f}" '
                       f'text-anchor="middle" font-size="11" fill="#888">?<title>{name}: '
                       f'{words.UNKNOWN}</title></text>')
            continue
        said = escape(words.amount(v, unit))
        filling = yr in partial
        if filling and _known(points.get(yr - 1)):
            out.append(f'<line x1="{x(yr - 1):.1f}" y1="{y(points[yr - 1] / scale):.1f}" '
                       f'x2="{x(yr):.1f}" y2="{y(v / scale):.1f}" stroke="{colour}" '
                       f'stroke-dasharray="4 3"/>')
        fill = "#fff" if filling else colour
        note = " (still filling in)" if filling else ""
        alert = " (alert)" if str(yr) in alerts else ""
        ring = (f'<circle cx="{x(yr):.1f}" cy="{y(v / scale):.1f}" r="7" fill="none" '
                f'stroke="#c00000" stroke-width="1.5"/>' if alert else "")
        out.append(f'<g class="point">{ring}<circle cx="{x(yr):.1f}" cy="{y(v / scale):.1f}" '
                   f'r="3.5" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
                   f'<title>{name}: {said}{note}{alert}</title></g>')
    return out


def _legend(series, colour_of, partial: bool, trend: bool, cuts: bool) -> str:
    items = [(c, label) for c, label in zip(colour_of, series, strict=False)]
    bits = [f'<tspan fill="{c}">● {escape(label)}</tspan>' for c, label in items]
    if trend:
        bits.append(f'<tspan fill="{TREND}">- - fitted trend</tspan>')
    if cuts:
        bits.append(f'<tspan fill="{TREND}">┊ change point</tspan>')
    if partial:
        bits.append('<tspan fill="#555">○ year still filling in</tspan>')
    bits.append('<tspan fill="#888">? unknown</tspan>')
    return (f'<text x="{LEFT}" y="{H - 8}" font-size="10">'
            + '<tspan dx="0"> </tspan>'.join(f"{b}  " for b in bits) + "</text>")
