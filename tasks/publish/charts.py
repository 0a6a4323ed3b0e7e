"""Charts of the indicator series, drawn like the brief's figures: the brief's period shaded,
a year still filling in dashed with a hollow marker, a missing year left as a gap, alert
periods marked, dyads compared on one chart, and the verdict (headline or trend line): its
fitted trend over the years after the brief and its change points as vertical markers.
Small palette PNGs (600x260) for email."""

from __future__ import annotations

import io
import math
from typing import Any

from trendline.indicators import words

WIDTH, HEIGHT, DPI = 6.0, 2.6, 100
COLOURS = ("#1f4e79", "#c55a11", "#7f7f7f")  # primary, second, third series
ALERT = "#c00000"
TREND = "#2a7a2a"
WORDS = {"trend": "trend line"}


def chart_series(row: dict[str, Any]) -> dict[str, dict[int, float | None]]:
    """{label: {year: value}} for an overview row; empty when it has no yearly series."""
    points = [p for p in row["series"] if str(p["period"]).isdigit()]
    if len(points) < 2:
        return {}
    picks = row.get("chart") or [("value", "value")]  # declared: what the chart draws
    out: dict[str, dict[int, float | None]] = {}
    for label, key in picks:
        out[label] = {
            int(p["period"]): (p["value"] if key == "value" else p["detail"].get(key))
            for p in points
        }
    return out


def verdict_overlay(row: dict[str, Any]) -> tuple[list[tuple[int, float]], list[int]]:
    """(the fitted trend line as (year, value) points, the change points) of the row's
    verdict, in the units of its primary series; empty when there is none to draw (no
    verdict, too short to judge, or a chart whose first line is not the judged series)."""
    v = row.get("verdict") or {}
    if not v or v.get("verdict") == "insufficient":
        return [], []
    if (row.get("chart") or [("value", "value")])[0][1] != "value":
        return [], []
    line = [(int(x), float(y)) for x, y in v.get("trend") or []]
    return (line if len(line) >= 2 else []), [int(c) for c in v.get("change_points") or []]


def partial_years(row: dict[str, Any], current_year: int) -> set[int]:
    years = {int(p["period"]) for p in row["series"]
             if str(p["period"]).isdigit() and p["detail"].get("partial")}
    return years | {current_year}


def chart_png(row: dict[str, Any], alert_periods: set[str], current_year: int) -> bytes | None:
    """The PNG of one indicator row of the overview, or None when it has no series."""
    series = chart_series(row)
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    unit = row.get("chart_unit") or row["unit"]  # of the series drawn (a dyad: its counts)
    scale, ylabel = {"usd": (1e6, "USD millions"), "share": (0.01, "%"),
                     "percent": (1, "%")}.get(unit, (1, words.noun(unit) or unit))
    years = sorted({y for s in series.values() for y in s})
    first, last = years[0], years[-1]
    partial = partial_years(row, current_year)
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    ax = fig.add_subplot()
    end = row["baseline"].get("end") or 0
    if first <= end:
        ax.axvspan(first - 0.5, min(end, last) + 0.5, color="#e8e8e8", lw=0,
                   label="brief's period")
    for colour, (label, points) in zip(COLOURS, series.items(), strict=False):
        xs = list(range(first, last + 1))  # every year: a missing one is a gap, not a line
        ys = [_scaled(points.get(x), scale) for x in xs]
        solid = [y if x not in partial else math.nan for x, y in zip(xs, ys, strict=True)]
        ax.plot(xs, solid, color=colour, marker="o", markersize=3, lw=1.6,
                label=label if len(series) > 1 else None)
        for x in sorted(partial):  # dashed into the year still filling in, hollow marker
            if x in points and not _nan(_scaled(points[x], scale)):
                prev = x - 1
                if prev in points and not _nan(_scaled(points[prev], scale)):
                    ax.plot([prev, x], [_scaled(points[prev], scale), _scaled(points[x], scale)],
                            color=colour, lw=1.2, ls="--")
                ax.plot([x], [_scaled(points[x], scale)], marker="o", markersize=5,
                        markerfacecolor="white", color=colour)
        if colour == COLOURS[0]:
            hits = [x for x in xs if str(x) in alert_periods and not _nan(ys[x - first])]
            if hits:
                ax.plot(hits, [ys[x - first] for x in hits], ls="none", marker="o",
                        markersize=8, markerfacecolor="none", markeredgecolor=ALERT,
                        markeredgewidth=1.5, label="alert")
    line, cuts = verdict_overlay(row)
    verdict = (row.get("verdict") or {}).get("verdict", "")
    if line:
        ax.plot([x for x, _ in line], [y / scale for _, y in line], color=TREND, lw=1.4,
                ls=(0, (4, 2)), label=f"fitted: {WORDS.get(verdict, verdict)}")
    for k, x in enumerate(cuts):
        ax.axvline(x - 0.5, color=TREND, lw=1.0, ls=":",
                   label="change point" if k == 0 else None)
    if len(series) > 1:
        ax.set_yscale("symlog" if unit == "usd" else "log")
    ax.set_title(row["title"], fontsize=9, loc="left")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_xlim(first - 0.6, last + 0.6)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.25, lw=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if partial & set(years):
        labels.append("dashed: year still filling in")
        handles.append(matplotlib.lines.Line2D([], [], color="#555", ls="--"))
    low, high = ax.get_ylim()  # headroom above the data: the legend never covers a point
    if ax.get_yscale() == "linear":
        ax.set_ylim(low, high + (high - low) * 0.45)
    elif high > 0:
        ax.set_ylim(low, high * 12)
    ax.legend(handles, labels, fontsize=6.5, frameon=False, loc="upper left", ncol=3)
    fig.tight_layout(pad=0.4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return _palette(buf.getvalue())


def _scaled(v: Any, scale: float) -> float:
    return math.nan if v is None or _nan(v) else float(v) / scale


def _nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _palette(png: bytes) -> bytes:
    """Few colours, small file: a 64-colour palette PNG."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=64).save(out, format="PNG", optimize=True)
    return out.getvalue()
