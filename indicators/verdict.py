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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

LABELS = ("trend", "headline", "flat", "decline", "insufficient")
KINDS = ("count", "amount", "share")

MIN_GROWTH = 0.02  # |growth| below 2% a period is flat even when significant
COLLAPSE = 0.5  # a refit without the top point(s) must keep at least half the growth
SPIKE_RATIO = 1.5  # a spike is at least 1.5x the level the other periods predict ...
SPIKE_Z = 4.0  # ... and at least 4 noise units above it
MIN_SEGMENT = 3  # change points: shortest regime, in known periods
_MAX_ITER = 100


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
        {"series": series, "period": p, "value": [_num(v) for v in values]},
        columns=["series", "period", "value"],
    )
    out = _run(frame, [series], {series: _check_kind(kind)}, window, brief_window, min_periods)
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
        k = _check_kind(kind)
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
                          "value": [_num(v) for v in values]})
    x, y, m = _dense(frame, ["s"])
    if window is not None:
        m &= (x >= window[0]) & (x <= window[1])
    f = _fit(_family(_check_kind(kind)), x, y, m)
    if not f.ok[0]:
        return []
    xs = x[0][m[0]]
    if _family(kind) == "count":
        ys = f.level[0] * np.exp(f.slope[0] * (xs - f.center[0]))
    else:
        ys = f.level[0] + f.slope[0] * (xs - f.center[0])
    return [(int(a), float(b)) for a, b in zip(xs, ys, strict=True)]


# --------------------------------------------------------------------------- the pipeline


class _Fit(NamedTuple):
    growth: np.ndarray  # NaN where the fit is impossible
    low: np.ndarray
    high: np.ndarray
    ok: np.ndarray  # bool
    center: np.ndarray  # pred(x) = level * exp(slope * (x - center)) for counts,
    level: np.ndarray  # level + slope * (x - center) for amounts
    slope: np.ndarray
    noise: np.ndarray  # dispersion (counts) or robust residual scale (amounts)


def _run(df, names, kinds, window, brief_window, min_periods) -> list[Verdict]:
    if min_periods < 3:
        raise ValueError("min_periods must be at least 3")
    x, y, known = _dense(df, names)
    inwin = known.copy()
    if window is not None:
        inwin &= (x >= window[0]) & (x <= window[1])
    out: list[Verdict | None] = [None] * len(names)
    for family in ("count", "amount"):
        rows = np.array([i for i, s in enumerate(names) if _family(kinds[s]) == family], int)
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
            bf = _fit(family, xs, ys, mb)
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

    full, f1, f2 = _fit(family, x, y, m), _fit(family, x, y, m1), _fit(family, x, y, m2)
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


def _spike(family: str, f: _Fit, xt, yt, mrest):
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
    f: _Fit = res["fit"]
    label = str(res["label"][j])
    n = int(res["n"][j])
    growth = _opt(f.growth[j])
    low, high = _opt(f.low[j]), _opt(f.high[j])
    bg = None if brief is None else _opt(brief[j])
    first, last = res["first"][j], res["last"][j]
    span = f"{int(first)}-{int(last)}" if n and first != last else f"{int(first)}" if n else ""
    if label == "insufficient":
        text = f"insufficient: {n} known period{'s' if n != 1 else ''}"
        text += f" in {span}" if n else ""
        text += f" (need {min_periods})"
        growth = low = high = None
        cps: list[int] = []
    else:
        rate = _rate(growth, low, high)
        cps = res["change_points"][j]
        if label == "trend":
            text = f"trend line: {rate} over {span}"
        elif label == "decline":
            text = f"decline: {rate} over {span}"
        elif label == "headline":
            sp, rt = res["spikes"][j], res["ratios"][j]
            what = " and ".join(str(s) for s in sp)
            if all(np.isfinite(r) for r in rt):
                times = " and ".join(f"{r:.1f}x" for r in rt) + " the level"
            else:
                times = "far above the level"
            text = (
                f"headline: spike{'s' if len(sp) > 1 else ''} in {what} ({times} "
                f"of the other periods) without a sustained rise; {rate} over {span}"
            )
        else:
            text = f"flat: {rate} over {span}"
    if brief_window is not None and label != "insufficient":
        bw = f"{brief_window[0]}-{brief_window[1]}"
        if bg is None and res["brief_n"][j] >= min_periods:
            text += f", no rate can be fitted in {bw}"
        elif bg is None:
            text += f", too few known periods in {bw} to compare"
        else:
            text += f", against {_pct(bg)} a year in {bw}"
    return Verdict(name, label, growth, low, high, cps, text, n, bg, kind)


# --------------------------------------------------------------------------- estimators


def _fit(family: str, x, y, m) -> _Fit:
    return _poisson(x, y, m) if family == "count" else _theil_sen(x, y, m)


def _poisson(x, y, m) -> _Fit:
    """Quasi-Poisson log-linear regression of y on x by IRLS, batched over rows.
    Mirrors statsmodels GLM(y, add_constant(x), family=Poisson()).fit(scale="X2",
    use_t=True): same start (mu = (y + mean y) / 2), same iteration, the covariance of the
    last weighted least-squares step times the Pearson chi2 / (n - 2) scale, t quantiles."""
    from scipy.special import stdtrit

    n = m.sum(1)
    npos = (m & (y > 0)).sum(1)
    ok = (n >= 3) & (npos >= 2)
    S = len(y)
    growth, low, high = np.full(S, np.nan), np.full(S, np.nan), np.full(S, np.nan)
    a, b, phi = np.zeros(S), np.zeros(S), np.ones(S)
    xbar = np.zeros(S)
    idx = np.nonzero(ok)[0]
    if len(idx):
        mm = m[idx]
        w0 = mm.astype(float)
        yy = np.where(mm, y[idx], 0.0)
        nn = w0.sum(1)
        xb = (w0 * np.where(mm, x[idx], 0.0)).sum(1) / nn
        xx = np.where(mm, x[idx] - xb[:, None], 0.0)
        aa, bb, ph, se = _irls(w0, xx, yy, nn)
        t = stdtrit(nn - 2, 0.975)
        with np.errstate(over="ignore", invalid="ignore"):
            growth[idx] = np.expm1(bb)
            low[idx] = np.expm1(bb - t * se)
            high[idx] = np.expm1(bb + t * se)
        a[idx], b[idx], phi[idx], xbar[idx] = aa, bb, ph, xb
    good = ok & np.isfinite(growth) & np.isfinite(low) & np.isfinite(high)
    mean = (np.where(m, y, 0.0)).sum(1) / np.maximum(n, 1)
    level = np.where(good, np.exp(a), mean)
    return _Fit(
        growth, low, high, good, xbar, level, np.where(good, b, 0.0), np.where(good, phi, 1.0)
    )


def _irls(w0, xx, yy, nn):
    """IRLS for the Poisson log link on centred x; returns (intercept, slope, scale, se)."""
    mu = (yy + ((w0 * yy).sum(1) / nn)[:, None]) / 2.0
    mu = np.where(w0 > 0, mu, 1.0)
    eta = np.log(mu)
    a = b = var_b = np.zeros(len(yy))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for _ in range(_MAX_ITER):
            z = eta + (yy - mu) / mu
            w = w0 * mu
            sw, swx = w.sum(1), (w * xx).sum(1)
            swxx, swz, swxz = (w * xx * xx).sum(1), (w * z).sum(1), (w * xx * z).sum(1)
            det = sw * swxx - swx * swx
            b_new = (sw * swxz - swx * swz) / det
            a_new = (swz - b_new * swx) / sw
            var_b = sw / det
            moved = (np.abs(b_new - b) > 1e-12 * (1 + np.abs(b_new))) | (
                np.abs(a_new - a) > 1e-12 * (1 + np.abs(a_new))
            )
            a, b = a_new, b_new
            eta = a[:, None] + b[:, None] * xx
            mu = np.exp(eta)
            if not np.any(moved & np.isfinite(b)):
                break
        phi = (w0 * (yy - mu) ** 2 / mu).sum(1) / (nn - 2)
        se = np.sqrt(phi * var_b)
    return a, b, phi, se


def _theil_sen(x, y, m) -> _Fit:
    """Theil-Sen slope with Sen's (1968) 95% interval, batched over rows. Mirrors
    scipy.stats.theilslopes(y, x, alpha=0.95, method="separate"): the median of pairwise
    slopes, the interval from order statistics of the sorted slopes (ties in y corrected);
    growth is slope / median(y), the fitted level at the median period (slope / mean(y)
    when the median is zero; no growth when both are <= 0: amounts are taken as >= 0)."""
    from scipy.special import ndtri  # scipy.stats.norm.ppf, without importing scipy.stats

    S, N = y.shape
    n = m.sum(1)
    i, j = np.triu_indices(N, 1)
    valid = m[:, i] & m[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        sl = np.where(valid, (y[:, j] - y[:, i]) / (x[:, j] - x[:, i]), np.nan)
    sl.sort(axis=1)
    nt = valid.sum(1)
    slope = _sorted_median(sl, nt)
    ys = np.sort(np.where(m, y, np.nan), axis=1)
    xs = np.sort(np.where(m, x, np.nan), axis=1)
    ymed, xmed = _sorted_median(ys, n), _sorted_median(xs, n)
    # ties in y: sum over runs of equal values of k(k-1)(2k+5)
    same = np.zeros((S, N), bool)
    same[:, 1:] = ys[:, 1:] == ys[:, :-1]
    run = np.cumsum(~same, axis=1) - 1
    counts = np.zeros((S, N), np.int64)
    np.add.at(counts, (np.repeat(np.arange(S), N), run.ravel()), np.isfinite(ys).ravel())
    ties = (counts * (counts - 1) * (2 * counts + 5)).sum(1)
    sigma = np.sqrt((n * (n - 1) * (2 * n + 5) - ties) / 18.0)
    z = ndtri(0.025)
    ru = np.minimum(np.round((nt - z * sigma) / 2.0).astype(np.int64), nt - 1)
    rl = np.maximum(np.round((nt + z * sigma) / 2.0).astype(np.int64) - 1, 0)
    rows = np.arange(S)
    ok = (nt >= 1) & (n >= 3)
    lo_s = sl[rows, np.clip(rl, 0, sl.shape[1] - 1)] if sl.shape[1] else np.full(S, np.nan)
    hi_s = sl[rows, np.clip(ru, 0, sl.shape[1] - 1)] if sl.shape[1] else np.full(S, np.nan)
    mean = (np.where(m, y, 0.0)).sum(1) / np.maximum(n, 1)
    level = np.where(ymed > 0, ymed, mean)  # a series mostly at zero: relative to its mean
    good = ok & (level > 0) & np.isfinite(slope)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(good, slope / level, np.nan)
        low = np.where(good, lo_s / level, np.nan)
        high = np.where(good, hi_s / level, np.nan)
        resid = np.where(m, y - (ymed[:, None] + slope[:, None] * (x - xmed[:, None])), np.nan)
        spread = np.sort(np.abs(resid), axis=1)
        noise = 1.4826 * _sorted_median(spread, n)
    return _Fit(
        growth,
        low,
        high,
        good,
        np.where(ok, xmed, 0.0),
        np.where(ok, ymed, mean),
        np.where(ok, slope, 0.0),
        np.where(ok, noise, 0.0),
    )


def _sorted_median(a, count):
    """Median of the first ``count`` entries of each row of row-sorted ``a`` (NaN last),
    computed as numpy.median computes it."""
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    rows = np.arange(a.shape[0])
    lo = np.clip((count - 1) // 2, 0, a.shape[1] - 1)
    hi = np.clip(count // 2, 0, a.shape[1] - 1)
    odd = count % 2 == 1
    with np.errstate(invalid="ignore"):
        med = np.where(odd, a[rows, lo], (a[rows, lo] + a[rows, hi]) / 2.0)
    return np.where(count > 0, med, np.nan)


# --------------------------------------------------------------------------- change points


def change_points(family: str, x, y, m) -> list[list[int]]:
    """Periods where a new regime starts, per row. The signal is log(1 + count) or
    value / median value; the penalty is 3 sigma^2 log(n) (three parameters per extra
    segment, BIC-style) with sigma from the median absolute second difference. Exact
    segmentation mirroring ruptures.Pelt(model="linear", min_size=3, jump=1)."""
    n = m.sum(1)
    out: list[list[int]] = [[] for _ in range(len(y))]
    for size in np.unique(n):
        size = int(size)
        if size < 2 * MIN_SEGMENT:
            continue
        rows = np.nonzero(n == size)[0]
        xs, ys = _compact(x[rows], y[rows], m[rows], size)
        sig = _signal(family, ys)
        pen = _penalty(sig)
        bkps = _pelt_linear(sig, xs, pen)
        for k, (r, bk) in enumerate(zip(rows, bkps, strict=True)):
            out[r] = [int(xs[k, b]) for b in bk]
    return out


def _compact(x, y, m, size):
    idx = np.argsort(~m, axis=1, kind="stable")[:, :size]
    return np.take_along_axis(x, idx, 1), np.take_along_axis(y, idx, 1)


def _signal(family: str, ys):
    if family == "count":
        return np.log1p(np.maximum(ys, 0))
    med = np.median(ys, axis=1, keepdims=True)
    scale = np.where(
        np.abs(med) > 0, np.abs(med), np.maximum(np.abs(ys).max(1, keepdims=True), 1e-12)
    )
    return ys / scale


def _penalty(sig):
    d2 = sig[:, 2:] - 2 * sig[:, 1:-1] + sig[:, :-2]
    sigma = 1.4826 * np.median(np.abs(d2), axis=1) / math.sqrt(6)
    sigma = np.maximum(sigma, 1e-3)
    return 3.0 * sigma**2 * math.log(sig.shape[1])


def _pelt_linear(sig, xs, pen) -> list[list[int]]:
    """PELT as ruptures runs it (same candidate order, same pruning, first minimum wins),
    on a least-squares line cost, for rows of equal length at once. Returns the breakpoint
    indices (start of each new segment) per row."""
    R, n = sig.shape
    ms = MIN_SEGMENT
    cost = np.full((R, n + 1, n + 1), np.inf)
    for t in range(n):
        for e in range(t + ms, n + 1):
            xv, yv = xs[:, t:e], sig[:, t:e]
            xc = xv - xv.mean(1, keepdims=True)
            yc = yv - yv.mean(1, keepdims=True)
            sxx, sxy, syy = (xc * xc).sum(1), (xc * yc).sum(1), (yc * yc).sum(1)
            cost[:, t, e] = np.maximum(syy - sxy * sxy / sxx, 0.0)
    F = np.full((R, n + 1), np.inf)
    F[:, 0] = 0.0
    prev = np.zeros((R, n + 1), np.int64)
    adm = np.zeros((R, n + 1), bool)
    defined = np.zeros(n + 1, bool)
    defined[0] = True
    for bkp in [*range(ms, n), n]:
        adm[:, bkp - ms] = True
        cand = adm & defined[None, :]
        vals = np.where(cand, F + (cost[:, :, bkp] + pen[:, None]), np.inf)
        best = np.argmin(vals, axis=1)
        F[:, bkp] = vals[np.arange(R), best]
        prev[:, bkp] = best
        defined[bkp] = True
        adm = cand & (vals <= (F[:, bkp] + pen)[:, None])
    out = []
    for r in range(R):
        b, cuts = n, []
        while b > 0:
            b = int(prev[r, b])
            if b > 0:
                cuts.append(b)
        out.append(sorted(cuts))
    return out


# --------------------------------------------------------------------------- references


def reference_fit(periods, values, kind: str = "count") -> tuple[float, float, float]:
    """(growth, low, high) from the library the batched estimator mirrors, for one series
    (unknown values dropped). Slow; for tests and the benchmark."""
    x, y = _known(periods, values)
    if _family(_check_kind(kind)) == "count":
        import statsmodels.api as sm

        res = sm.GLM(y, sm.add_constant(x), family=sm.families.Poisson()).fit(
            scale="X2", use_t=True
        )
        lo, hi = res.conf_int(0.05)[1]
        return math.expm1(res.params[1]), math.expm1(lo), math.expm1(hi)
    from scipy.stats import theilslopes

    res = theilslopes(y, x, alpha=0.95, method="separate")
    level = float(np.median(y)) if np.median(y) > 0 else float(np.mean(y))
    return res.slope / level, res.low_slope / level, res.high_slope / level


def reference_change_points(periods, values, kind: str = "count") -> list[int]:
    """Change points from ruptures' own PELT on the same signal and penalty."""
    import ruptures

    x, y = _known(periods, values)
    family = _family(_check_kind(kind))
    if len(y) < 2 * MIN_SEGMENT:
        return []
    sig = _signal(family, y[None, :])
    pen = float(_penalty(sig)[0])
    signal = np.column_stack([sig[0], np.ones(len(x)), x])
    algo = ruptures.Pelt(model="linear", min_size=MIN_SEGMENT, jump=1).fit(signal)
    return [int(x[b]) for b in algo.predict(pen=pen)[:-1]]


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


def _known(periods, values):
    x = np.asarray(periods, dtype=float)
    y = np.asarray([_num(v) for v in values], dtype=float)
    keep = np.isfinite(y)
    order = np.argsort(x[keep], kind="stable")
    return x[keep][order], y[keep][order]


def _num(v) -> float:
    return float("nan") if v is None else float(v)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind


def _family(kind: str) -> str:
    return "count" if kind == "count" else "amount"


def _opt(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _pct(g: float) -> str:
    whole = round(g * 100)
    return f"{whole:+d}%" if whole else "0%"


def _rate(g, lo, hi) -> str:
    if g is None:
        return "no rate can be fitted"
    if lo is None or hi is None:
        return f"{_pct(g)} a year"
    if round(lo * 100) >= 0:
        ci = f"{round(lo * 100)}-{round(hi * 100)}%"
    else:
        ci = f"{_pct(lo)} to {_pct(hi)}"
    return f"{_pct(g)} a year (95% CI {ci})"
