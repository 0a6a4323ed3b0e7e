"""Change points of the verdicts' series: exact PELT segmentation on a least-squares line
cost, batched over series of equal length, and ruptures' own PELT it mirrors (the yardstick
for the tests and the benchmark). Pure."""

from __future__ import annotations

import math

import numpy as np

from trendline.indicators.verdict_fits import check_kind, family_of, known

MIN_SEGMENT = 3  # shortest regime, in known periods



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


def reference_change_points(periods, values, kind: str = "count") -> list[int]:
    """Change points from ruptures' own PELT on the same signal and penalty."""
    import ruptures

    x, y = known(periods, values)
    family = family_of(check_kind(kind))
    if len(y) < 2 * MIN_SEGMENT:
        return []
    sig = _signal(family, y[None, :])
    pen = float(_penalty(sig)[0])
    signal = np.column_stack([sig[0], np.ones(len(x)), x])
    algo = ruptures.Pelt(model="linear", min_size=MIN_SEGMENT, jump=1).fit(signal)
    return [int(x[b]) for b in algo.predict(pen=pen)[:-1]]
