"""Rule kinds, checked against an indicator's results. Pure: no clock, no I/O."""

from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Iterable

from indicators.base import SEVERITIES, Finding, Indicator, Result, Rule, sorted_periods

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def check(
    ind: Indicator, results: Iterable[Result], rules: Iterable[Rule], since: int
) -> list[Finding]:
    """Every rule against every result, for periods from `since` on. One finding per
    (subject, period): the most severe rule that holds wins."""
    best: dict[str, Finding] = {}
    for result in results:
        for rule in rules:
            for f in KINDS[rule.kind](ind, result, rule, since):
                cur = best.get(f.fingerprint)
                if cur is None or _rank(f.severity) > _rank(cur.severity):
                    best[f.fingerprint] = f
    return sorted(best.values(), key=lambda f: (f.period, f.subject))


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def _in_scope(period: str, since: int) -> bool:
    return not period[:4].isdigit() or int(period[:4]) >= since


def _finding(ind, result, rule, period, value, subject=None, evidence=None, detail=""):
    text = rule.message or f"{ind.title}: {detail}"
    return Finding(
        indicator_id=ind.id,
        subject=subject or result.subject,
        period=period,
        rule=rule.name,
        severity=rule.severity,
        value=value,
        threshold=rule.threshold,
        message=text,
        evidence=tuple(evidence if evidence is not None else result.evidence.get(period, ())),
    )


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    return f"{x:,.4g}"


def _absolute(ind, result, rule, since):
    for period, value in result.series.get(rule.series, {}).items():
        if value is None or not _in_scope(period, since):
            continue
        if OPS[rule.op](value, rule.threshold):
            detail = f"{rule.series} {_fmt(value)} in {period} ({rule.op} {_fmt(rule.threshold)})"
            yield _finding(ind, result, rule, period, value, detail=detail)


def _yoy(ind, result, rule, since):
    series = result.series.get(rule.series, {})
    periods = sorted_periods(series)
    for prev, period in zip(periods, periods[1:], strict=False):
        now, before = series[period], series[prev]
        if now is None or before is None or not _in_scope(period, since):
            continue
        if period in result.partial_periods or before < rule.min_base:
            continue
        growth = math.inf if before == 0 and now > 0 else (now - before) / before if before else 0
        if OPS[rule.op](growth, rule.threshold):
            pct = "new from zero" if math.isinf(growth) else f"{growth:+.0%}"
            detail = f"{rule.series} {_fmt(before)} -> {_fmt(now)} ({pct}) in {period}"
            yield _finding(ind, result, rule, period, now, detail=detail)


def _zscore(ind, result, rule, since):
    series = result.series.get(rule.series, {})
    periods = sorted_periods(series)
    for i, period in enumerate(periods):
        window = [series[p] for p in periods[max(0, i - rule.window) : i] if series[p] is not None]
        value = series[period]
        if len(window) < rule.window or value is None or not _in_scope(period, since):
            continue
        if period in result.partial_periods:
            continue
        sd = statistics.pstdev(window)
        z = (
            (value - statistics.mean(window)) / sd
            if sd
            else (math.inf if value > window[-1] else 0)
        )
        if OPS[rule.op](z, rule.threshold):
            detail = f"{_fmt(value)} in {period} is {z:.1f} sd above the {rule.window} before"
            yield _finding(ind, result, rule, period, value, detail=detail)


def _crossover(ind, result, rule, since):
    mine, other = result.series.get(rule.series, {}), result.series.get(rule.other, {})
    for period, value in mine.items():
        theirs = other.get(period)
        if value is None or theirs is None or not _in_scope(period, since):
            continue
        if OPS[rule.op](value, theirs):
            detail = (
                f"{rule.series} {_fmt(value)} {rule.op} {rule.other} {_fmt(theirs)} in {period}"
            )
            yield _finding(ind, result, rule, period, value, detail=detail)


def _members(ind, result, rule, since, only_new: bool):
    """One finding per member of a set: every member (any_new) or those never seen
    in an earlier period (new_member)."""
    sets = result.sets.get(rule.series, {})
    seen: set[str] = set()
    for period in sorted_periods(sets):
        for member in sets[period]:
            fresh = member not in seen
            seen.add(member)
            if not _in_scope(period, since) or (only_new and not fresh):
                continue
            records = result.evidence.get(period, [])
            own = [e for e in records if e.get("id") == member]
            label = (own[0].get("label") if own else None) or member
            yield _finding(
                ind,
                result,
                rule,
                period,
                1.0,
                subject=member,
                evidence=own or records,
                detail=f"{'new: ' if only_new else ''}{label} ({period})",
            )


KINDS = {
    "absolute": _absolute,
    "share": _absolute,
    "yoy": _yoy,
    "zscore": _zscore,
    "crossover": _crossover,
    "new_member": lambda i, r, rule, s: _members(i, r, rule, s, only_new=True),
    "any_new": lambda i, r, rule, s: _members(i, r, rule, s, only_new=False),
}
