"""A verdict in words: `trend line: +18% a year (95% CI 12-24%) over 2010-2019, ...`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pct(g: float) -> str:
    whole = round(g * 100)
    return f"{whole:+d}%" if whole else "0%"


def ci_range(lo: float, hi: float) -> str:
    """`12-24%` when the interval is not below zero, else `-5% to +30%`."""
    if round(lo * 100) >= 0:
        return f"{round(lo * 100)}-{round(hi * 100)}%"
    return f"{pct(lo)} to {pct(hi)}"


def rate(g: float | None, lo: float | None, hi: float | None) -> str:
    if g is None:
        return "no rate can be fitted"
    if lo is None or hi is None:
        return f"{pct(g)} a year"
    return f"{pct(g)} a year (95% CI {ci_range(lo, hi)})"


def describe(label: str, n: int, first: float, last: float, growth, low, high,
             spikes: Sequence[int], ratios: Sequence[float], min_periods: int) -> str:
    """The sentence for one series' label over its known periods."""
    span = f"{int(first)}-{int(last)}" if n and first != last else f"{int(first)}" if n else ""
    if label == "insufficient":
        text = f"insufficient: {n} known period{'s' if n != 1 else ''}"
        return text + (f" in {span}" if n else "") + f" (need {min_periods})"
    r = rate(growth, low, high)
    if label == "trend":
        return f"trend line: {r} over {span}"
    if label == "decline":
        return f"decline: {r} over {span}"
    if label == "headline":
        what = " and ".join(str(s) for s in spikes)
        if all(np.isfinite(x) for x in ratios):
            times = " and ".join(f"{x:.1f}x" for x in ratios) + " the level"
        else:
            times = "far above the level"
        return (f"headline: spike{'s' if len(spikes) > 1 else ''} in {what} ({times} "
                f"of the other periods) without a sustained rise; {r} over {span}")
    return f"flat: {r} over {span}"


def against_brief(brief_growth: float | None, brief_n: int, window: tuple[int, int],
                  min_periods: int) -> str:
    """The comparison with the brief's own window, appended to a verdict's sentence."""
    bw = f"{window[0]}-{window[1]}"
    if brief_growth is None and brief_n >= min_periods:
        return f", no rate can be fitted in {bw}"
    if brief_growth is None:
        return f", too few known periods in {bw} to compare"
    return f", against {pct(brief_growth)} a year in {bw}"
