"""Headline or trend line? A verdict per yearly series. Pure statistics: no I/O, no clock.

A series is a list of periods (years) and values; unknown values (None/NaN) are dropped,
never read as zero. Each series gets one label:

- ``trend``: growth whose 95% CI lies above zero and survives dropping the largest point
  and the two largest points (the rise does not rest on one or two periods);
- ``decline``: the mirror image;
- ``headline``: no sustained rise, but one or two periods far above the rest;
- ``flat``: none of these;
- ``insufficient``: fewer than ``min_periods`` known periods.

Estimators (all batched in numpy across series, and checked in tests/test_verdict.py
against the library each one mirrors):

- counts: Poisson regression with a log link, fitted by IRLS, with the quasi-Poisson
  dispersion (Pearson chi2 / (n - 2)) and a t interval. Mirrors
  ``statsmodels.api.GLM(y, add_constant(x), family=Poisson()).fit(scale="X2", use_t=True)``;
  growth = exp(slope) - 1. Overdispersed (spiky) series get wide intervals.
- amounts and shares: Theil-Sen slope with Sen's (1968) interval. Mirrors
  ``scipy.stats.theilslopes(y, x, alpha=0.95, method="separate")``; growth = slope / fitted
  level at the median period (which for that method is median(y); the mean if that is 0).
- change points: optimal piecewise-linear segmentation with a BIC-style penalty. Mirrors
  ``ruptures.Pelt(model="linear", min_size=3, jump=1).fit(signal).predict(pen)`` on
  log(1 + count) or value / median value; reported as the first period of each new regime.

``reference_fit`` and ``reference_change_points`` run the libraries themselves, one series
at a time: they are the yardstick for the tests and the benchmark, not the production path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trendline.indicators.verdict_fits import (
    KINDS,
    Fit,
    change_points,
    check_kind,
    family_of,
    fit,
    num,
    reference_change_points,
    reference_fit,
)
from trendline.indicators.verdict_words import against_brief, describe

__all__ = ["KINDS", "LABELS", "Verdict", "change_points", "reference_change_points",
           "reference_fit", "trend_points", "verdict_for", "verdicts"]

LABELS = ("trend", "headline", "flat", "decline", "insufficient")

MIN_GROWTH = 0.02  # |growth| below 2% a period is flat even when significant
COLLAPSE = 0.5  # a refit without the top point(s) must keep at least half the growth
SPIKE_RATIO = 1.5  # a spike is at least 1.5x the level the other periods predict ...
SPIKE_Z = 4.0  # ... and at least 4 noise units above it


@dataclass
class Verdict:
    series: str
    verdict: str
    growth: float | None
    growth_low: float | None
    growth_high: float | None
    change_points: list[int] = field(default_factory=list)
    explanation: str = ""
    n_periods: int = 0
    brief_growth: float | None = None
    kind: str = "count"

    def as_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        out["change_points"] = list(self.change_points)
        return out


# --------------------------------------------------------------------------- public API


def verdict_for(
    periods: Sequence[int],
    values: Sequence[float | None],
    *,
    kind: str = "count",
    series: str = "value",
    window: tuple[int, int] | None = None,
    brief_window: tuple[int, int] | None = None,
    min_periods: int = 5,
) -> Verdict:
    """The verdict for one series. ``window=(start, end)`` restricts the fit to those periods
    (inclusive); ``brief_window`` is fitted too and quoted for comparison."""
    if len(periods) != len(values):
        raise ValueError(f"{len(periods)} periods but {len(values)} values")
    p = [int(v) for v in periods]
    if len(set(p)) != len(p):
        raise ValueError("duplicate periods")
    frame = pd.DataFrame(
        {"series": series, "period": p, "value": [num(v) for v in values]},
        columns=["series", "period", "value"],
    )
    out = _run(frame, [series], {series: check_kind(kind)}, window, brief_window, min_periods)
    return out[0]


def verdicts(
    frame: pd.DataFrame,
    kind: str | None = None,
    *,
    window: tuple[int, int] | None = None,
    brief_window: tuple[int, int] | None = None,
    min_periods: int = 5,
) -> pd.DataFrame:
    """Verdicts for many series at once: ``frame`` has columns ``series, period, value``.
    ``kind=None`` picks "count" for a series whose known values are all whole numbers >= 0,
    else "amount". One row per series (first-seen order), columns as in `Verdict`."""
    missing = [c for c in ("series", "period", "value") if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    df = pd.DataFrame(
        {
            "series": frame["series"].astype(str).to_numpy(),
            "period": pd.to_numeric(frame["period"]).to_numpy(),
            "value": pd.to_numeric(frame["value"]).to_numpy(dtype=float),
        }
    )
    if len(df) and not np.all(np.mod(df["period"].to_numpy(dtype=float), 1) == 0):
        raise ValueError("periods must be whole numbers")
    df["period"] = df["period"].astype(np.int64)
    if df.duplicated(["series", "period"]).any():
        raise ValueError("duplicate (series, period)")
    names = list(pd.unique(df["series"]))
    if kind is None:
        v = df["value"].to_numpy()
        whole = np.isnan(v) | ((np.mod(v, 1) == 0) & (v >= 0))
        all_whole = pd.Series(whole).groupby(df["series"].to_numpy(), sort=False).all()
        whole_by = all_whole.to_dict()
        kinds = {s: ("count" if whole_by[s] else "amount") for s in names}
    else:
        k = check_kind(kind)
        kinds = dict.fromkeys(names, k)
    rows = _run(df, names, kinds, window, brief_window, min_periods)
    columns = list(Verdict.__dataclass_fields__)
    return pd.DataFrame([r.as_dict() for r in rows], columns=columns)


def trend_points(
    periods: Sequence[int],
    values: Sequence[float | None],
    *,
    kind: str = "count",
    window: tuple[int, int] | None = None,
) -> list[tuple[int, float]]:
    """The fitted trend (the same fit `verdict_for` makes) at each known period of the
    window, for drawing; [] when no rate can be fitted."""
    frame = pd.DataFrame({"series": "s", "period": [int(v) for v in periods],
                          "value": [num(v) for v in values]})
    x, y, m = _dense(frame, ["s"])
    if window is not None:
        m &= (x >= window[0]) & (x <= window[1])
    f = fit(family_of(check_kind(kind)), x, y, m)
    if not f.ok[0]:
        return []
    xs = x[0][m[0]]
    if family_of(kind) == "count":
        ys = f.level[0] * np.exp(f.slope[0] * (xs - f.center[0]))
    else:
        ys = f.level[0] + f.slope[0] * (xs - f.center[0])
    return [(int(a), float(b)) for a, b in zip(xs, ys, strict=True)]


# --------------------------------------------------------------------------- the pipeline


def _run(df, names, kinds, window, brief_window, min_periods) -> list[Verdict]:
    if min_periods < 3:
        raise ValueError("min_periods must be at least 3")
    x, y, known = _dense(df, names)
    inwin = known.copy()
    if window is not None:
        inwin &= (x >= window[0]) & (x <= window[1])
    out: list[Verdict | None] = [None] * len(names)
    for family in ("count", "amount"):
        rows = np.array([i for i, s in enumerate(names) if family_of(kinds[s]) == family], int)
        if not len(rows):
            continue
        xs, ys, ms = x[rows], y[rows], inwin[rows]
        if family == "count" and np.any(ms & (ys < 0)):
            bad = names[rows[np.nonzero(np.any(ms & (ys < 0), axis=1))[0][0]]]
            raise ValueError(f"series {bad!r}: negative value in a count series")
        res = _classify(family, xs, ys, ms, min_periods)
        brief = None
        if brief_window is not None:
            mb = known[rows] & (x[rows] >= brief_window[0]) & (x[rows] <= brief_window[1])
            bf = fit(family, xs, ys, mb)
            res["brief_n"] = mb.sum(1)
            brief = np.where(res["brief_n"] >= min_periods, bf.growth, np.nan)
        for j, i in enumerate(rows):
            out[i] = _verdict(names[i], kinds[names[i]], j, res, brief, brief_window, min_periods)
    return [v for v in out if v is not None]


def _classify(family: str, x, y, m, min_periods: int) -> dict[str, Any]:
    n = m.sum(1)
    yk = np.where(m, y, -np.inf)
    order = np.argsort(-yk, axis=1, kind="stable")
    top1, top2 = order[:, 0], order[:, 1]
    rows = np.arange(len(y))
    m1 = m.copy()
    m1[rows, top1] = False
    m2 = m1.copy()
    m2[rows, top2] = False

    full, f1, f2 = fit(family, x, y, m), fit(family, x, y, m1), fit(family, x, y, m2)
    g = full.growth
    with np.errstate(invalid="ignore"):
        trend = (
            full.ok
            & (full.low > 0)
            & (g > MIN_GROWTH)
            & f1.ok
            & (f1.low > 0)
            & (f1.growth >= COLLAPSE * g)
            & f2.ok
            & (f2.growth >= COLLAPSE * g)
        )
        decline = (
            full.ok
            & (full.high < 0)
            & (g < -MIN_GROWTH)
            & f1.ok
            & (f1.high < 0)
            & (f1.growth <= COLLAPSE * g)
            & f2.ok
            & (f2.growth <= COLLAPSE * g)
        )
    x1, y1 = x[rows, top1], y[rows, top1]
    x2, y2 = x[rows, top2], y[rows, top2]
    one, r1 = _spike(family, f1, x1, y1, m1)
    two_a, r2a = _spike(family, f2, x1, y1, m2)
    two_b, r2b = _spike(family, f2, x2, y2, m2)
    two = two_a & two_b & (n >= 4)
    label = np.full(len(y), "flat", dtype=object)
    label[(one | two)] = "headline"
    label[decline] = "decline"
    label[trend] = "trend"
    label[n < min_periods] = "insufficient"
    spikes = [
        ([int(a), int(b)] if tw else [int(a)]) if (o or tw) else []
        for a, b, o, tw in zip(x1, x2, one, two, strict=True)
    ]
    ratios = [
        ([a, b] if tw else [c]) if (o or tw) else []
        for a, b, c, o, tw in zip(r2a, r2b, r1, one, two, strict=True)
    ]
    # order two spikes by year for the explanation
    for k, sp in enumerate(spikes):
        if len(sp) == 2 and sp[0] > sp[1]:
            spikes[k], ratios[k] = sp[::-1], ratios[k][::-1]
    return {
        "label": label,
        "fit": full,
        "n": n,
        "spikes": spikes,
        "ratios": ratios,
        "change_points": change_points(family, x, y, m),
        "first": np.where(m, x, np.inf).min(1),
        "last": np.where(m, x, -np.inf).max(1),
    }


def _spike(family: str, f: Fit, xt, yt, mrest):
    """Is value ``yt`` at period ``xt`` far above what fit ``f`` (of the other periods)
    predicts? Returns (bool array, ratio array)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if family == "count":
            pred = np.where(f.ok, f.level * np.exp(f.slope * (xt - f.center)), f.level)
            unit = np.sqrt(np.maximum(np.where(f.ok, f.noise, 1.0), 1.0) * np.maximum(pred, 1.0))
        else:
            pred = np.where(f.ok, f.level + f.slope * (xt - f.center), f.level)
            unit = np.maximum(np.where(f.ok, f.noise, 0.0), 0.02 * np.abs(f.level))
            unit = np.maximum(unit, 1e-12)
        excess = yt - pred
        hit = (yt > SPIKE_RATIO * pred) & (excess > SPIKE_Z * unit) & (mrest.sum(1) >= 2)
        ratio = np.where(pred > 0, yt / pred, np.inf)
    return hit & np.isfinite(yt), ratio


def _verdict(name, kind, j, res, brief, brief_window, min_periods) -> Verdict:
    f: Fit = res["fit"]
    label = str(res["label"][j])
    n = int(res["n"][j])
    growth, low, high = _opt(f.growth[j]), _opt(f.low[j]), _opt(f.high[j])
    bg = None if brief is None else _opt(brief[j])
    cps: list[int] = []
    if label == "insufficient":
        growth = low = high = None
    else:
        cps = res["change_points"][j]
    text = describe(label, n, res["first"][j], res["last"][j], growth, low, high,
                    res["spikes"][j], res["ratios"][j], min_periods)
    if brief_window is not None and label != "insufficient":
        text += against_brief(bg, int(res["brief_n"][j]), brief_window, min_periods)
    return Verdict(name, label, growth, low, high, cps, text, n, bg, kind)


# --------------------------------------------------------------------------- helpers


def _dense(df: pd.DataFrame, names: list[str]):
    """Rows of (period, value) per series, sorted by period, padded with NaN."""
    codes = pd.Categorical(df["series"], categories=names).codes
    order = np.lexsort((df["period"].to_numpy(), codes))
    codes = codes[order]
    per = df["period"].to_numpy(dtype=float)[order]
    val = df["value"].to_numpy(dtype=float)[order]
    counts = np.bincount(codes, minlength=len(names))
    width = max(int(counts.max()) if len(counts) else 0, 2)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(codes)) - starts[codes]
    x = np.full((len(names), width), np.nan)
    y = np.full((len(names), width), np.nan)
    x[codes, pos] = per
    y[codes, pos] = val
    known = np.isfinite(x) & np.isfinite(y)
    return x, y, known


def _opt(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)
