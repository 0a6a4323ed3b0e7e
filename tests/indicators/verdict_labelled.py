"""The labelled set for the verdicts: synthetic yearly series whose label is known from how
they were made, with a fixed seed. `python tests/indicators/verdict_labelled.py FILE.csv`
writes it as `trendline verdict` reads it (series,period,value; the series name starts
with its label)."""

from __future__ import annotations

import csv
import math
import sys
from collections import Counter, defaultdict

import numpy as np

SEED = 20211  # the brief's year and a one
ORDER = ("trend", "decline", "headline", "flat", "unclear", "insufficient")


def noisy(rng, mean, kind: str) -> np.ndarray:
    """Counts: negative binomial around ``mean`` (size 30: mildly overdispersed);
    amounts and shares: lognormal noise of 8% around it."""
    mean = np.asarray(mean, float)
    if kind == "count":
        size = 30.0
        return np.asarray(rng.negative_binomial(size, size / (size + mean)), float)
    return mean * np.exp(rng.normal(0.0, 0.08, mean.shape))


def level(rng, kind: str, low: float = 30) -> float:
    if kind == "count":
        return float(rng.uniform(low, 300))
    if kind == "share":
        return float(rng.uniform(0.02, 0.08))
    return float(rng.uniform(5, 500))


def length_for(rng, rate: float) -> int:
    """Long enough for the change to be recoverable: at least a 2x rise (or halving) over
    the window; 6-20 periods."""
    need = math.ceil(math.log(2) / abs(math.log1p(rate))) + 1
    return int(rng.integers(max(6, need), 21))


class _Set:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.cases: list[dict] = []

    def add(self, label, kind, values):
        start = int(self.rng.integers(2000, 2012))
        periods = list(range(start, start + len(values)))
        self.cases.append({"label": label, "kind": kind, "periods": periods,
                           "values": [None if v is None else float(v) for v in values]})

    def holes(self, values, keep: set[int], k: int):
        values = list(values)
        free = [i for i in range(len(values)) if i not in keep]
        for i in self.rng.choice(free, size=min(k, len(free)), replace=False):
            values[int(i)] = None
        return values


def labelled_set(seed: int = SEED) -> list[dict]:
    """270 series with a known label: trends (8-60%/yr, 6-20 periods) and declines, one and
    two spikes (often the last period), flat series long and large enough to show it,
    unclear ones (a handful of papers a year over five or six years; amounts with wide
    noise), and too short ones (too few known periods, or fewer than two above zero); some
    with unknown values (None)."""
    s = _Set(seed)
    rng = s.rng
    kinds = ["count", "count", "amount", "share"]
    for i in range(60):  # trends
        kind = kinds[i % 4]
        rate = float(rng.uniform(0.08, 0.60))
        n = length_for(rng, rate)
        vals = noisy(rng, level(rng, kind) * (1 + rate) ** np.arange(n), kind)
        s.add("trend", kind, s.holes(vals, {n - 1}, int(rng.integers(1, 3))) if i % 3 == 0
              else vals)
    for i in range(60):  # headlines: one or two spikes on a flat level
        kind = kinds[i % 4]
        n = int(rng.integers(6, 21))
        mean = np.full(n, level(rng, kind))
        vals = noisy(rng, mean, kind)
        count = 1 if i % 2 == 0 else 2
        if i % 3 == 0:  # the latest period is a spike
            where = [n - 1] + list(rng.choice(n - 1, size=count - 1, replace=False))
        else:
            where = list(rng.choice(n, size=count, replace=False))
        for w in where:
            vals[w] = float(noisy(rng, mean[w] * rng.uniform(2.5, 6.0), kind))
        s.add("headline", kind, s.holes(vals, {int(w) for w in where}, 1) if i % 4 == 1
              else vals)
    for i in range(40):  # flat: no change, and enough data for the CI to lie within +-10%
        kind = kinds[i % 4]
        n = int(rng.integers(10, 21))
        vals = noisy(rng, np.full(n, level(rng, kind, low=100)), kind)
        s.add("flat", kind, s.holes(vals, set(), 2) if i % 4 == 2 and n >= 10 else vals)
    for i in range(40):  # decline
        kind = kinds[i % 4]
        rate = -float(rng.uniform(0.08, 0.40))
        n = length_for(rng, rate)
        vals = noisy(rng, level(rng, kind) * 4 * (1 + rate) ** np.arange(n), kind)
        s.add("decline", kind, s.holes(vals, {0}, 1) if i % 4 == 3 else vals)
    for i in range(20):  # unclear: a handful of papers a year over five or six years
        n = 5 + i % 2
        mean = float(rng.uniform(2, 8)) * (1 + float(rng.uniform(-0.08, 0.08))) ** np.arange(n)
        s.add("unclear", "count", rng.poisson(mean))
    for i in range(20):  # unclear: amounts with wide (not heavy-tailed) noise, 35-60%
        kind = "amount" if i % 2 else "share"
        n = int(rng.integers(5, 8))
        base = level(rng, kind)
        wide = base * (1 + rng.normal(0.0, float(rng.uniform(0.35, 0.6)), n))
        s.add("unclear", kind, np.maximum(wide, 0.05 * base))
    for i in range(20):  # too few known periods
        kind = kinds[i % 4]
        known = int(rng.integers(1, 5))
        n = known + int(rng.integers(0, 3))
        vals = noisy(rng, np.full(n, level(rng, kind)), kind)
        s.add("insufficient", kind, s.holes(vals, set(range(known)), n - known))
    for i in range(10):  # no rate can be fitted: none, or only one period above zero
        n = int(rng.integers(5, 9))
        vals = np.zeros(n)
        if i % 2:
            vals[int(rng.integers(n))] = float(rng.integers(1, 6))
        s.add("insufficient", "count", vals)
    return s.cases


def accuracy(cases: list[dict], got: list[str]) -> tuple[float, dict[str, float], str]:
    """(overall, per label, a table with the confusions)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter = Counter()
    for case, label in zip(cases, got, strict=True):
        hits[case["label"]].append(case["label"] == label)
        confusion[(case["label"], label)] += 1
    per = {k: sum(v) / len(v) for k, v in hits.items()}
    overall = sum(sum(v) for v in hits.values()) / len(cases)
    lines = [f"{'truth':<13}{'n':>4}{'accuracy':>10}   got instead"]
    for label in ORDER:
        if label in hits:
            wrong = ", ".join(f"{g} {c}" for (t, g), c in sorted(confusion.items())
                              if t == label and g != label)
            lines.append(f"{label:<13}{len(hits[label]):>4}{per[label]:>10.3f}   {wrong}")
    lines.append(f"{'overall':<13}{len(cases):>4}{overall:>10.3f}")
    return overall, per, "\n".join(lines)


def name(i: int, case: dict) -> str:
    return f"{case['label']}-{i:03d}"


def write_csv(path, cases: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["series", "period", "value"])
        for i, c in enumerate(cases):
            for p, v in zip(c["periods"], c["values"], strict=True):
                w.writerow([name(i, c), p, "" if v is None else f"{v:.10g}"])


if __name__ == "__main__":
    write_csv(sys.argv[1], labelled_set())
