"""The estimators behind the verdicts, batched in numpy across series: quasi-Poisson IRLS
for counts, Theil-Sen for amounts and shares; and the per-series library calls (statsmodels,
scipy) they mirror, which the tests and the benchmark use as the yardstick. Pure."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

KINDS = ("count", "amount", "share")
_MAX_ITER = 100


class Fit(NamedTuple):
    growth: np.ndarray  # NaN where the fit is impossible
    low: np.ndarray
    high: np.ndarray
    ok: np.ndarray  # bool
    center: np.ndarray  # pred(x) = level * exp(slope * (x - center)) for counts,
    level: np.ndarray  # level + slope * (x - center) for amounts
    slope: np.ndarray
    noise: np.ndarray  # dispersion (counts) or robust residual scale (amounts)


# --------------------------------------------------------------------------- estimators


def fit(family: str, x, y, m) -> Fit:
    return _poisson(x, y, m) if family == "count" else _theil_sen(x, y, m)


def _poisson(x, y, m) -> Fit:
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
    return Fit(
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


def _theil_sen(x, y, m) -> Fit:
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
    return Fit(
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


# --------------------------------------------------------------------------- references


def reference_fit(periods, values, kind: str = "count") -> tuple[float, float, float]:
    """(growth, low, high) from the library the batched estimator mirrors, for one series
    (unknown values dropped). Slow; for tests and the benchmark."""
    x, y = known(periods, values)
    if family_of(check_kind(kind)) == "count":
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


# --------------------------------------------------------------------------- helpers


def known(periods, values):
    x = np.asarray(periods, dtype=float)
    y = np.asarray([num(v) for v in values], dtype=float)
    keep = np.isfinite(y)
    order = np.argsort(x[keep], kind="stable")
    return x[keep][order], y[keep][order]


def num(v) -> float:
    return float("nan") if v is None else float(v)


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind


def family_of(kind: str) -> str:
    return "count" if kind == "count" else "amount"
