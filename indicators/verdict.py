"""Headline or trend line? A verdict per yearly series. Pure statistics: no I/O, no clock.

A series is a list of periods (years) and values; unknown values (None/NaN) are dropped,
never read as zero. Each series gets one of six labels (`verdict_labels`): ``trend``,
``decline``, ``headline``, ``flat``, ``unclear``, ``insufficient``; its explanation
(`verdict_words`) starts with the label's word and says why.

Estimators (all batched in numpy across series, and checked in tests/indicators/
test_verdict.py against the library each one mirrors):

- counts: Poisson regression with a log link, fitted by IRLS, with the quasi-Poisson
  dispersion (Pearson chi2 / (n - 2)) and a t interval. Mirrors
  ``statsmodels.api.GLM(y, add_constant(x), family=Poisson()).fit(scale="X2", use_t=True)``;
  growth = exp(slope) - 1. Overdispersed (spiky) series get wide intervals.
- amounts and shares: Theil-Sen slope with Sen's (1968) interval. Mirrors
  ``scipy.stats.theilslopes(y, x, alpha=0.95, method="separate")``; growth = slope / fitted
  level at the median period (which for that method is median(y); the mean if that is 0).
- change points (`verdict_changes`): optimal piecewise-linear segmentation with a
  BIC-style penalty. Mirrors ``ruptures.Pelt(model="linear", min_size=3, jump=1)`` on
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

from trendline.indicators.verdict_changes import change_points, reference_change_points
from trendline.indicators.verdict_fits import (
    KINDS,
    Fit,
    check_kind,
    family_of,
    fit,
    num,
    reference_fit,
)
from trendline.indicators.verdict_labels import (
    FLAT_BAND,
    LABELS,
    classify,
    contradiction,
    needed,
)
from trendline.indicators.verdict_words import Facts, against_brief, describe

__all__ = ["FLAT_BAND", "KINDS", "LABELS", "Verdict", "change_points", "contradiction",
           "reference_change_points", "reference_fit", "trend_points", "verdict_for",
           "verdicts"]


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
    flat_band: float = FLAT_BAND,
    unit: str = "",
    up: str = "",
    down: str = "",
) -> Verdict:
    """The verdict for one series. ``window=(start, end)`` restricts the fit to those periods
    (inclusive); ``brief_window`` is fitted too and quoted for comparison. ``flat_band``:
    flat needs the 95% CI within +-that a period. ``unit`` (a count's noun), ``up`` and
    ``down`` (what a rise and a fall mean, for ratios and shares) enter the words."""
    if len(periods) != len(values):
        raise ValueError(f"{len(periods)} periods but {len(values)} values")
    p = [int(v) for v in periods]
    if len(set(p)) != len(p):
        raise ValueError("duplicate periods")
    frame = pd.DataFrame(
        {"series": series, "period": p, "value": [num(v) for v in values]},
        columns=["series", "period", "value"],
    )
    ask = _Ask(window, brief_window, min_periods, flat_band, unit, up, down)
    return _run(frame, [series], {series: check_kind(kind)}, ask)[0]


def verdicts(
    frame: pd.DataFrame,
    kind: str | None = None,
    *,
    window: tuple[int, int] | None = None,
    brief_window: tuple[int, int] | None = None,
    min_periods: int = 5,
    flat_band: float = FLAT_BAND,
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
    rows = _run(df, names, kinds, _Ask(window, brief_window, min_periods, flat_band))
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


@dataclass(frozen=True)
class _Ask:
    """What every series of one call shares."""

    window: tuple[int, int] | None
    brief_window: tuple[int, int] | None
    min_periods: int
    band: float
    unit: str = ""
    up: str = ""
    down: str = ""


def _run(df, names, kinds, ask: _Ask) -> list[Verdict]:
    if ask.min_periods < 3:
        raise ValueError("min_periods must be at least 3")
    if not 0 < ask.band < 1:
        raise ValueError(f"flat_band must lie between 0 and 1, not {ask.band!r}")
    x, y, known = _dense(df, names)
    inwin = known.copy()
    if ask.window is not None:
        inwin &= (x >= ask.window[0]) & (x <= ask.window[1])
    need = needed(ask.min_periods, ask.window)
    out: list[Verdict | None] = [None] * len(names)
    for family in ("count", "amount"):
        rows = np.array([i for i, s in enumerate(names) if family_of(kinds[s]) == family], int)
        if not len(rows):
            continue
        xs, ys, ms = x[rows], y[rows], inwin[rows]
        if family == "count" and np.any(ms & (ys < 0)):
            bad = names[rows[np.nonzero(np.any(ms & (ys < 0), axis=1))[0][0]]]
            raise ValueError(f"series {bad!r}: negative value in a count series")
        res = _facts_of(family, xs, ys, ms, known[rows], need, ask)
        brief = None if ask.brief_window is None else _brief(family, xs, ys, known[rows], ask)
        for j, i in enumerate(rows):
            out[i] = _verdict(names[i], kinds[names[i]], j, res, brief, need, ask)
    return [v for v in out if v is not None]


def _brief(family, x, y, known, ask: _Ask) -> dict[str, Any]:
    """The same fit over the brief's window, quoted only when it has the known periods a
    verdict needs, and (a count) as many above zero: a count that is zero until the brief's
    last years (a list that began then) has no growth rate to compare."""
    lo, hi = ask.brief_window
    mb = known & (x >= lo) & (x <= hi)
    n = mb.sum(1)
    pos = (mb & (y > 0)).sum(1) if family == "count" else n
    need = needed(ask.min_periods, ask.brief_window)
    growth = np.where((n >= need) & (pos >= need), fit(family, x, y, mb).growth, np.nan)
    return {"growth": growth, "n": n, "pos": pos, "need": need}


def _facts_of(family, x, y, m, known, need, ask: _Ask) -> dict[str, Any]:
    res = classify(family, x, y, m, need, ask.band)
    res["change_points"] = change_points(family, x, y, m)
    res["first"] = np.where(m, x, np.inf).min(1)
    res["last"] = np.where(m, x, -np.inf).max(1)
    res["total"] = np.where(m, y, 0.0).sum(1) if family == "count" else None
    # the latest period above zero before the window: "none in 2021-2025 (the last in 2017)"
    before = known & (y > 0) & (x < ask.window[0]) if ask.window else np.zeros_like(known)
    res["last_above"] = np.where(before, x, -np.inf).max(1)
    return res


def _verdict(name, kind, j, res, brief, need, ask: _Ask) -> Verdict:
    f: Fit = res["fit"]
    label = str(res["label"][j])
    n = int(res["n"][j])
    growth, low, high = _opt(f.growth[j]), _opt(f.low[j]), _opt(f.high[j])
    bg = None if brief is None else _opt(brief["growth"][j])
    facts = res["facts"][j]
    known_span = _span(res["first"][j], res["last"][j]) if n else ""
    window_span = _span(*ask.window) if ask.window is not None else known_span
    cps: list[int] = []
    if label == "insufficient":
        growth = low = high = None
    else:
        cps = res["change_points"][j]
    last_above = res["last_above"][j]
    without = facts["without"]
    text = describe(Facts(
        label=label, span=window_span if label == "insufficient" else known_span,
        growth=growth, low=low, high=high, band=ask.band, n=n, need=need,
        window_years=(ask.window[1] - ask.window[0] + 1) if ask.window is not None else 0,
        reason=res["reason"][j], tops=facts["tops"],
        without=None if without is None else tuple(float(v) for v in without),
        last_above=int(last_above) if np.isfinite(last_above) else None,
        total=None if res["total"] is None else float(res["total"][j]),
        spikes=facts["spikes"], ratios=facts["ratios"],
        unit=ask.unit if family_of(kind) == "count" else "", up=ask.up, down=ask.down,
    ))
    if brief is not None and label != "insufficient":
        text += against_brief(bg, int(brief["n"][j]), int(brief["pos"][j]), ask.brief_window,
                              brief["need"])
    return Verdict(name, label, growth, low, high, cps, text, n, bg, kind)


def _span(first, last) -> str:
    return f"{int(first)}-{int(last)}" if first != last else f"{int(first)}"


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
