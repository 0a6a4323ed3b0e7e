"""The six labels, decided for many series at once from the fits, and the check that no
label contradicts its own interval. Pure numpy.

In order of precedence:

- ``insufficient``: fewer known periods than needed, or no rate can be fitted (a count
  with fewer than two periods above zero, an amount that is zero throughout);
- ``trend``: the 95% CI of the growth lies above zero, and refits without the largest
  point and without the two largest points keep at least half the growth (the first with
  its CI above zero too): the rise does not rest on one or two periods;
- ``decline``: the mirror image;
- ``headline``: one or two periods far above what the others predict, no sustained rise;
- ``flat``: the 95% CI lies within plus or minus ``band`` a period and includes zero:
  evidence of no change;
- ``unclear``: none of these; the reason is kept ("rests": significant but resting on the
  top one or two periods; "noisy": an interval too wide to tell).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from trendline.indicators.verdict_fits import Fit, fit

LABELS = ("trend", "decline", "headline", "flat", "unclear", "insufficient")
FLAT_BAND = 0.10  # flat: the 95% CI within +-10% a period (setting `verdicts.flat_band`)
MIN_KNOWN = 4  # the fewest known periods any verdict rests on
COLLAPSE = 0.5  # a refit without the top point(s) must keep at least half the growth
SPIKE_RATIO = 1.5  # a spike is at least 1.5x the level the other periods predict ...
SPIKE_Z = 4.0  # ... and at least 4 noise units above it
MIN_REST = 3  # ... of at least three other known periods


def needed(min_periods: int, window: tuple[int, int] | None) -> int:
    """Known periods a verdict needs: `min_periods`, but never more than the window holds
    (a requirement the window cannot meet is no requirement), and at least MIN_KNOWN."""
    if window is None:
        return min_periods
    return max(MIN_KNOWN, min(min_periods, window[1] - window[0] + 1))


def classify(family: str, x, y, m, need: int, band: float) -> dict[str, Any]:
    """Labels and the facts behind them, per row of (x, y) where mask ``m`` is known."""
    rows = np.arange(len(y))
    n = m.sum(1)
    order = np.argsort(-np.where(m, y, -np.inf), axis=1, kind="stable")
    top1, top2 = order[:, 0], order[:, 1]
    m1 = m.copy()
    m1[rows, top1] = False
    m2 = m1.copy()
    m2[rows, top2] = False
    full, f1, f2 = fit(family, x, y, m), fit(family, x, y, m1), fit(family, x, y, m2)
    g = full.growth
    with np.errstate(invalid="ignore"):
        keeps_up1 = f1.ok & (f1.low > 0) & (f1.growth >= COLLAPSE * g)
        keeps_up2 = f2.ok & (f2.growth >= COLLAPSE * g)
        keeps_down1 = f1.ok & (f1.high < 0) & (f1.growth <= COLLAPSE * g)
        keeps_down2 = f2.ok & (f2.growth <= COLLAPSE * g)
        up, down = full.ok & (full.low > 0), full.ok & (full.high < 0)
        flat = full.ok & (full.low >= -band) & (full.high <= band) & ~up & ~down
    trend = up & keeps_up1 & keeps_up2
    decline = down & keeps_down1 & keeps_down2
    x1, y1, x2, y2 = x[rows, top1], y[rows, top1], x[rows, top2], y[rows, top2]
    one, r1 = _spike(family, f1, full, x1, y1, m1)
    two_a, r2a = _spike(family, f2, full, x1, y1, m2)
    two_b, r2b = _spike(family, f2, full, x2, y2, m2)
    two = two_a & two_b & (n >= 4)
    short = (n < need) | ~full.ok
    label = np.full(len(y), "unclear", dtype=object)
    label[flat] = "flat"
    label[one | two] = "headline"
    label[decline] = "decline"
    label[trend] = "trend"
    label[short] = "insufficient"
    # which top point(s) an insignificant-without-them rise or fall rests on
    alone = np.where(up, ~keeps_up1, ~keeps_down1)
    facts = []
    for i in range(len(y)):
        spikes = ([int(x1[i]), int(x2[i])] if two[i] else [int(x1[i])]) if one[i] or two[i] else []
        ratios = ([r2a[i], r2b[i]] if two[i] else [r1[i]]) if one[i] or two[i] else []
        if len(spikes) == 2 and spikes[0] > spikes[1]:
            spikes, ratios = spikes[::-1], ratios[::-1]
        tops = [int(x1[i])] if alone[i] else sorted([int(x1[i]), int(x2[i])])
        refit = f1 if alone[i] else f2
        facts.append({
            "spikes": spikes, "ratios": ratios, "tops": tops,
            "without": (refit.growth[i], refit.low[i], refit.high[i]) if refit.ok[i] else None,
        })
    return {"label": label, "fit": full, "n": n, "facts": facts,
            "reason": _reasons(family, label, n, need, full, x, y, m)}


def _reasons(family, label, n, need, full, x, y, m) -> list[str]:
    """Why a series is too short to judge or unclear (see verdict_words._short)."""
    npos = (m & (y > 0)).sum(1)
    out = []
    for i, lab in enumerate(label):
        if lab == "unclear":
            out.append("rests" if full.low[i] > 0 or full.high[i] < 0 else "noisy")
        elif lab != "insufficient":
            out.append("")
        elif npos[i] == 0 and n[i]:  # what the records show comes first
            out.append("none" if family == "count" else "flat-zero")
        elif npos[i] == 1 and family == "count":
            out.append("one")
        elif n[i] < need:
            out.append("short")
        else:
            out.append("")
    return out


def _spike(family: str, f: Fit, full: Fit, xt, yt, mrest):
    """Is value ``yt`` at period ``xt`` far above what the other periods predict (fit ``f``
    of them: its slope only when significant, else its level; an insignificant slope
    extrapolated from a few points is noise)? The noise unit of amounts is the larger of
    both fits' robust scales: the other periods alone, the top ones trimmed, understate
    it. Returns (bool array, ratio array)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        sloped = f.ok & ((f.low > 0) | (f.high < 0))
        if family == "count":
            pred = np.where(sloped, f.level * np.exp(f.slope * (xt - f.center)), f.level)
            unit = np.sqrt(np.maximum(np.where(f.ok, f.noise, 1.0), 1.0) * np.maximum(pred, 1.0))
        else:
            pred = np.where(sloped, f.level + f.slope * (xt - f.center), f.level)
            unit = np.maximum(np.where(f.ok, f.noise, 0.0), 0.02 * np.abs(f.level))
            unit = np.maximum(unit, np.where(full.ok, full.noise, 0.0))
            unit = np.maximum(unit, 1e-12)
        excess = yt - pred
        hit = (yt > SPIKE_RATIO * pred) & (excess > SPIKE_Z * unit) & (mrest.sum(1) >= MIN_REST)
        ratio = np.where(pred > 0, yt / pred, np.inf)
    return hit & np.isfinite(yt), ratio


def contradiction(label: str, growth: float | None, low: float | None, high: float | None,
                  band: float = FLAT_BAND) -> str | None:
    """Why this label contradicts its own numbers, or None when it does not."""
    if label not in LABELS:
        return f"unknown label {label!r}"
    rate = (growth, low, high)
    if label == "insufficient":
        return None if rate == (None, None, None) else "a rate beside too short to judge"
    if None in rate:
        return f"{label} without a rate and its 95% CI"
    assert growth is not None and low is not None and high is not None
    if not low <= growth <= high:
        return f"growth {growth:+.3f} outside its own 95% CI {low:+.3f} to {high:+.3f}"
    if label == "trend" and not low > 0:
        return f"trend with the 95% CI's lower bound {low:+.3f} not above zero"
    if label == "decline" and not high < 0:
        return f"decline with the 95% CI's upper bound {high:+.3f} not below zero"
    inside = -band <= low <= 0 <= high <= band
    if label == "flat" and not inside:
        return f"flat with the 95% CI {low:+.3f} to {high:+.3f} not around zero within +-{band:g}"
    if label == "unclear" and inside:
        return f"unclear with the 95% CI {low:+.3f} to {high:+.3f} inside +-{band:g} (flat)"
    return None
