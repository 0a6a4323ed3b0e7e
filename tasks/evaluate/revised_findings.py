"""Revisions are not trends: findings that hold only because a source revised the past.

A finding is *revised* (the alert engine records it without announcing it, and raises no
alert for it) when it is about a period a source revised, or when the same rules on the
series as they were before the revision (revised periods set back to their previous
values) do not hold for its subject and period at its severity: a year-on-year or
since-the-brief rule that fires because its base year moved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import pandas as pd

from trendline.indicators.base import SEVERITIES, Finding, Indicator, Result, Rule
from trendline.indicators.rules import check


def mark(evaluations: Iterable, revisions: pd.DataFrame,
         rules_of: Callable[[Indicator], tuple[Rule, ...]]) -> list[Finding]:
    """Every finding of the evaluations, those owed to a revision marked `revised`."""
    by_ind = dict(tuple(revisions.groupby("indicator_id"))) if len(revisions) else {}
    out: list[Finding] = []
    for ev in evaluations:
        rev = by_ind.get(ev.indicator.id)
        if rev is None:
            out += ev.findings
            continue
        before = check(ev.indicator, restored(ev.results, rev), rules_of(ev.indicator),
                       ev.since)
        held: dict[str, int] = {}  # fingerprint -> the most severe rule holding before
        for f in before:
            if not f.holding:
                held[f.fingerprint] = max(held.get(f.fingerprint, -1), _rank(f.severity))
        moved = set(zip(rev["subject"], rev["period"], strict=True))
        for f in ev.findings:
            owed = not f.holding and ((f.subject, f.period) in moved
                                      or _rank(f.severity) > held.get(f.fingerprint, -1))
            out.append(dataclasses.replace(f, revised=True) if owed else f)
    return out


def restored(results: Iterable[Result], rev: pd.DataFrame) -> list[Result]:
    """The results with each revised point set back to its previous value."""
    old = {(s, n, p): v for s, n, p, v in
           rev[["subject", "series", "period", "previous"]].itertuples(index=False)}
    out = []
    for r in results:
        series = {name: {p: old.get((r.subject, name, p), v) for p, v in points.items()}
                  for name, points in r.series.items()}
        out.append(dataclasses.replace(r, series=series))
    return out


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity)
