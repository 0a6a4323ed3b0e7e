"""A verdict in words, one name and one meaning per label, for every place that shows one
(explanations, CLI, summaries, charts, alerts): `trend: +18% a year (95% CI 12-24%) ...`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trendline.indicators.words import pct

# the label as people read it: `insufficient` is always "too short to judge"
WORDS = {"trend": "trend", "decline": "decline", "headline": "headline", "flat": "flat",
         "unclear": "unclear", "insufficient": "too short to judge"}
PLURAL = {"trend": "trends", "decline": "declines", "headline": "headlines"}
WITH_ARTICLE = {"trend": "a trend", "decline": "a decline", "headline": "a headline"}


def meanings(band: float) -> dict[str, str]:
    """One sentence per label (the README and the summaries' legend say the same)."""
    b = band_words(band)
    return {
        "trend": "growth whose 95% CI lies above zero and that does not rest on one or two "
                 "years.",
        "decline": "a fall whose 95% CI lies below zero and that does not rest on one or two "
                   "years.",
        "headline": "one or two years far above the rest, without a sustained rise.",
        "flat": f"the 95% CI lies within {b} a year and includes zero: evidence of no "
                "change.",
        "unclear": "none of these: the data cannot tell, and the explanation says what would "
                   "decide it.",
        "insufficient": "too few known years, or too few above zero, to fit a rate.",
    }


def word(label: str) -> str:
    return WORDS.get(label, label)


def counted(label: str, n: int) -> str:
    """`3 trends`, `1 decline`, `12 flat`, `9 too short to judge`."""
    return f"{n} {PLURAL[label] if n != 1 and label in PLURAL else word(label)}"


def _bound(v: float, sign: bool) -> str:
    """A bound in whole percent; one decimal when it would otherwise read as 0 (an
    interval just above zero says `0.4%`, not `0%`)."""
    x = v * 100
    whole = round(x)
    if whole:
        return f"{whole:+d}" if sign else f"{whole:d}"
    if abs(x) < 0.05:
        return "0"
    return f"{round(x, 1):+.1f}" if sign else f"{round(x, 1):.1f}"


def band_words(band: float) -> str:
    """`±10%`: the flat band."""
    return f"±{_bound(band, False)}%"


def ci_range(lo: float, hi: float) -> str:
    """`12-24%` when the interval is not below zero, else `-5% to +30%`."""
    if lo >= 0 or _bound(lo, False) == "0":
        return f"{_bound(lo, False)}-{_bound(hi, False)}%"
    return f"{_bound(lo, True)}% to {_bound(hi, True)}%"


def rate(g: float | None, lo: float | None, hi: float | None) -> str:
    if g is None:
        return "no rate can be fitted"
    if lo is None or hi is None:
        return f"{pct(g)} a year"
    return f"{pct(g)} a year (95% CI {ci_range(lo, hi)})"


def years(ys: Sequence[int]) -> str:
    return " and ".join(str(int(y)) for y in ys)


@dataclass(frozen=True)
class Facts:
    """What one sentence needs: the fit, the window and why the label was chosen."""

    label: str
    span: str  # the window (or the known years) the fit covers, `2020-2025`
    growth: float | None = None
    low: float | None = None
    high: float | None = None
    band: float = 0.10
    n: int = 0  # known years in the window
    need: int = 5
    window_years: int = 0  # the window's length; 0: no window
    reason: str = ""  # insufficient: short | none | one; unclear: rests | noisy
    tops: Sequence[int] = ()  # the year(s) a rise rests on, or the one year above zero
    without: tuple[float, float, float] | None = None  # the fit without `tops`
    last_above: int | None = None  # the latest year above zero before the window
    total: float | None = None  # the sum of a count in the window
    spikes: Sequence[int] = ()
    ratios: Sequence[float] = ()
    unit: str = ""  # a count's noun ("papers"), when declared
    up: str = ""  # what a rise means ("the gap widens"), when declared
    down: str = ""


def describe(f: Facts) -> str:
    """The sentence for one series' label, starting with the label's word."""
    r = rate(f.growth, f.low, f.high)
    if f.label == "insufficient":
        return f"{word(f.label)}: {_short(f)}"
    if f.label == "trend":
        return f"trend: {r} over {f.span}, still rising without its top two years{_means(f.up)}"
    if f.label == "decline":
        return (f"decline: {r} over {f.span}, still falling without its top two years"
                f"{_means(f.down)}")
    if f.label == "headline":
        times = (" and ".join(f"{x:.1f}x" for x in f.ratios) + " the level"
                 if all(np.isfinite(x) for x in f.ratios) else "far above the level")
        return (f"headline: spike{'s' if len(f.spikes) > 1 else ''} in {years(f.spikes)} "
                f"({times} of the other years) without a sustained rise; {r} over {f.span}")
    band = band_words(f.band)
    if f.label == "flat":
        return f"flat: {r} over {f.span}, within {band} a year: no change"
    if f.reason == "rests":
        way = "rise" if (f.low or 0) > 0 else "fall"
        alone = " alone" if len(f.tops) == 1 else ""
        text = f"unclear: {r} over {f.span}, but the {way} rests on {years(f.tops)}{alone}"
        if f.without is not None:
            g, lo, hi = f.without
            text += f": without {'it' if alone else 'them'}, {rate(g, lo, hi)}"
        return text
    total = ""
    if f.total is not None:
        total = f" from {f.total:,.0f} {f.unit} in all" if f.unit else \
            f" from a total of {f.total:,.0f}"
    return (f"unclear: too noisy to tell: {r} over {f.span}{total}; a trend needs the CI "
            f"above zero, flat within {band}")


def _means(words: str) -> str:
    return f": {words}" if words else ""


def _short(f: Facts) -> str:
    if f.reason == "none":
        what = f"no {f.unit}" if f.unit else "none"
        before = f" (the last in {f.last_above})" if f.last_above is not None else ""
        return f"{what} in {f.span}{before}"
    if f.reason == "one":
        return f"only {years(f.tops)} is above zero in {f.span}; a rate needs two years"
    if f.reason == "flat-zero":
        return f"zero in every known year of {f.span}"
    if f.window_years and f.window_years < f.need:
        return f"{f.span} has {f.window_years} years (need {f.need} known)"
    if f.reason == "short" or f.n < f.need:
        known = f"{f.n} known year{'s' if f.n != 1 else ''}"
        return f"{known} in {f.span} (need {f.need})" if f.span else f"{known} (need {f.need})"
    return f"no rate can be fitted in {f.span}"


def against_brief(brief_growth: float | None, brief_n: int, brief_above_zero: int,
                  window: tuple[int, int], need: int) -> str:
    """The comparison with the brief's own window, appended to a verdict's sentence."""
    bw = f"{window[0]}-{window[1]}"
    if brief_n < need:
        return f"; too few known years in {bw} to compare"
    if brief_above_zero < need:
        return f"; too few years above zero in {bw} to compare"
    if brief_growth is None:
        return f"; no rate can be fitted in {bw}"
    return f"; against {pct(brief_growth)} a year in {bw}"
