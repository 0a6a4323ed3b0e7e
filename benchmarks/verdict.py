"""Benchmark headline-or-trend verdicts: 10,000 series x 20 periods in one `verdicts` call.

Series: 60% counts, 40% amounts; trends, spikes, flat and declining; 5% of values unknown.
Two baselines in the same run:

1. the floor: one plain `numpy.polyfit` on log(1 + value) per series (10,000 calls), a
   fit with no interval, no robustness refits and no change points;
2. the libraries the batched estimators mirror, one series at a time (statsmodels GLM or
   scipy theilslopes for the fit and its two refits, ruptures PELT for change points),
   timed on a 200-series sample and extrapolated to 10,000.

Target: `verdicts` <= 10 s on 2 cores.

    .venv/bin/python -m benchmarks.verdict
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from trendline.indicators.verdict import reference_change_points, reference_fit, verdicts

SERIES, PERIODS, SAMPLE, TARGET_S = 10_000, 20, 200, 10.0


def frame(rng: np.random.Generator) -> pd.DataFrame:
    years = np.arange(2006, 2006 + PERIODS)
    t = np.arange(PERIODS)
    level = rng.uniform(5, 300, (SERIES, 1))
    rate = rng.choice([-0.15, 0.0, 0.0, 0.1, 0.3], (SERIES, 1)) + rng.normal(0, 0.02, (SERIES, 1))
    mean = level * (1 + rate) ** t
    spiky = rng.random(SERIES) < 0.2
    mean[spiky, rng.integers(0, PERIODS, spiky.sum())] *= 4
    counts = rng.random(SERIES) < 0.6
    values = np.where(
        counts[:, None],
        rng.negative_binomial(30, 30 / (30 + mean)),
        mean * np.exp(rng.normal(0, 0.08, mean.shape)),
    ).astype(float)
    values[rng.random(values.shape) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "series": np.repeat([f"s{i:05d}" for i in range(SERIES)], PERIODS),
            "period": np.tile(years, SERIES),
            "value": values.ravel(),
        }
    )


def polyfit_floor(df: pd.DataFrame) -> float:
    x = df["period"].to_numpy(float).reshape(SERIES, PERIODS)
    y = df["value"].to_numpy(float).reshape(SERIES, PERIODS)
    start = time.perf_counter()
    for i in range(SERIES):
        keep = np.isfinite(y[i])
        np.polyfit(x[i, keep], np.log1p(y[i, keep]), 1)
    return time.perf_counter() - start


def libraries_per_series(df: pd.DataFrame, kinds: pd.Series) -> float:
    """Seconds for SAMPLE series the slow way, extrapolated to SERIES."""
    names = kinds.index[:SAMPLE]
    sub = df[df["series"].isin(names)]
    groups = {s: g for s, g in sub.groupby("series")}
    for kind in ("count", "amount"):  # imports out of the timing
        reference_fit([2000, 2001, 2002, 2003], [1, 3, 2, 5], kind)
        reference_change_points(list(range(2000, 2008)), [1, 3, 2, 5, 4, 6, 5, 7], kind)
    start = time.perf_counter()
    for s in names:
        g = groups[s]
        x, y = g["period"].to_numpy(float), g["value"].to_numpy(float)
        keep = np.isfinite(y)
        x, y = x[keep], y[keep]
        kind = kinds[s]
        reference_fit(x, y, kind)
        top = np.argsort(-y, kind="stable")
        for drop in (top[:1], top[:2]):
            rest = np.delete(np.arange(len(y)), drop)
            reference_fit(x[rest], y[rest], kind)
        reference_change_points(x, y, kind)
    return (time.perf_counter() - start) * SERIES / SAMPLE


def main() -> None:
    rng = np.random.default_rng(2021)
    df = frame(rng)
    verdicts(df.head(PERIODS * 50))  # imports and first-call costs out of the timing

    runs = []
    for _ in range(3):
        start = time.perf_counter()
        out = verdicts(df)
        runs.append(time.perf_counter() - start)
    ours = sorted(runs)[1]
    floor = polyfit_floor(df)
    libs = libraries_per_series(df, out.set_index("series")["kind"])

    counts = out["verdict"].value_counts().to_dict()
    print(
        f"data     : {SERIES:,} series x {PERIODS} periods "
        f"({(out['kind'] == 'count').sum():,} counts), {df['value'].isna().mean():.1%} unknown"
    )
    print(
        f"verdicts : {ours:.2f} s (median of 3: {', '.join(f'{r:.2f}' for r in runs)}) "
        f"target <= {TARGET_S:.0f} s -> {'OK' if ours <= TARGET_S else 'TOO SLOW'}"
    )
    print(f"           {counts}")
    print(
        f"floor    : numpy.polyfit on log values, {SERIES:,} calls: {floor:.2f} s; "
        f"verdicts take {ours / floor:.1f}x the floor's time"
    )
    print(
        f"libraries: statsmodels/scipy fits (x3) + ruptures PELT per series, "
        f"{SAMPLE} timed, extrapolated: {libs:.1f} s; speed-up {libs / ours:.0f}x"
    )


if __name__ == "__main__":
    main()
