"""Rule kinds, checked against an indicator's results, and the plain words every alert says.
Pure: no clock, no I/O.

Every message says what crossed what, against the brief: "196 papers in 2025: 5.1 standard
deviations above the 2020-2024 mean (114), threshold 3 (default rule, set against the
brief); the brief's total 2010-2019 was 296". A rule with a `resolve_threshold` also yields
`holding` findings for values between the two lines: they keep an alert firing (hysteresis)
but never start one.
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from collections.abc import Iterable, Sequence

from trendline.indicators.base import SEVERITIES, Finding, Indicator, Result, Rule, sorted_periods

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
DEFAULT_SOURCE = "default rule, set against the brief"


def check(
    ind: Indicator, results: Iterable[Result], rules: Iterable[Rule], since: int
) -> list[Finding]:
    """Every rule against every result, for periods from `since` on. One finding per
    (subject, period): the most severe rule that holds wins. Holding findings (between a
    rule's resolve line and its threshold) are all kept: they only keep alerts alive."""
    best: dict[str, Finding] = {}
    holding: dict[tuple[str, str], Finding] = {}
    for result in results:
        for rule in rules:
            for f in KINDS[rule.kind](ind, result, rule, since):
                if f.holding:
                    holding.setdefault((f.rule, f.fingerprint), f)
                    continue
                cur = best.get(f.fingerprint)
                if cur is None or _rank(f.severity) > _rank(cur.severity):
                    best[f.fingerprint] = f
    kept = [*best.values(), *(f for (r, fp), f in holding.items()
                              if not (fp in best and best[fp].rule == r))]
    return sorted(kept, key=lambda f: (f.period, f.subject, f.holding, f.rule))


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def _in_scope(period: str, since: int) -> bool:
    return not period[:4].isdigit() or int(period[:4]) >= since


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "inf"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    return f"{x:,.4g}"


def source(rule: Rule) -> str:
    """Where a threshold comes from: the rule's own `source`, else the brief."""
    return rule.source or DEFAULT_SOURCE


def brief_clause(ind: Indicator) -> str:
    """The brief's figure to compare with: its latest yearly figure up to the baseline's
    end, else its first named figure, else the baseline's end year."""
    figs = dict(ind.baseline.figures)
    years = sorted(k for k in figs if k.isdigit() and int(k) <= ind.baseline.end)
    if years:
        return f"the brief's {years[-1]} figure was {_fmt(figs[years[-1]])}"
    if figs:
        key, value = next(iter(figs.items()))
        name = re.sub(r"(\d{4})_(\d{4})", r"\1-\2", key).replace("_", " ")
        shown = f"{value:.0f}" if name.endswith(("founded", "year")) else _fmt(value)
        if re.search(r"\d{4}", name):
            return f"the brief's {name} was {shown}"
        return f"the brief's baseline ({name}): {shown}"
    if ind.baseline.end > 0:
        return f"the brief's baseline ends in {ind.baseline.end}"
    return "the brief has no figure for this"


def _what(ind: Indicator, series: str) -> str:
    if series == "value":
        return "" if ind.unit == "%" else ind.unit
    return series.replace("_", " ")


def _finding(ind, result, rule, period, value, text, *, holding=False, subject=None,
             evidence=None, members=()):
    crossed = re.sub(r" {2,}", " ", f"{text}; {brief_clause(ind)}")
    if holding:
        crossed += f" (still past the resolve line {_fmt(rule.resolve_threshold)})"
    return Finding(
        indicator_id=ind.id,
        subject=subject or result.subject,
        period=period,
        rule=rule.name,
        severity=rule.severity,
        value=value,
        threshold=rule.threshold,
        message=f"{ind.title}: {rule.message + ': ' if rule.message else ''}{crossed}",
        evidence=tuple(evidence if evidence is not None else result.evidence.get(period, ())),
        members=tuple(members) or _all_members(result, period),
        holding=holding,
        for_evaluations=rule.for_evaluations,
    )


def _all_members(result: Result, period: str) -> tuple[str, ...]:
    """Every record behind the value (not only the sample), when the result lists them."""
    m = result.members
    if m is None or not len(m):
        return ()
    return tuple(m.loc[m["period"].astype(str) == period, "id"].astype(str).unique())


def _crossing(rule: Rule, metric: float) -> bool | None:
    """True: past the threshold; False: only past the resolve threshold; None: neither."""
    if OPS[rule.op](metric, rule.threshold):
        return True
    if rule.resolve_threshold is not None and OPS[rule.op](metric, rule.resolve_threshold):
        return False
    return None


def _subject(result: Result) -> str:
    return "" if result.subject == "all" else f" ({result.subject})"


def _absolute(ind, result, rule, since):
    for period, value in result.series.get(rule.series, {}).items():
        if value is None or not _in_scope(period, since) or period in result.partial_periods:
            continue  # a year still filling in is not a level yet
        hit = _crossing(rule, value)
        if hit is None:
            continue
        show = _fmt
        if rule.kind == "share" and rule.threshold is not None and abs(rule.threshold) <= 1:
            show = _pct  # a fraction
        elif ind.unit == "%":
            show = _pct_points
        text = (
            f"{show(value)} {_what(ind, rule.series)} in {period}{_subject(result)}: "
            f"{WORDS[rule.op]} the threshold {show(rule.threshold)} ({source(rule)})"
        )
        yield _finding(ind, result, rule, period, value, text, holding=not hit)


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _pct_points(x: float) -> str:
    return f"{x:,.3g}%"


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
        hit = _crossing(rule, growth)
        if hit is None:
            continue
        pct = "new from zero" if math.isinf(growth) else f"{growth:+.0%}"
        text = (
            f"{_fmt(now)} {_what(ind, rule.series)} in {period}{_subject(result)}, "
            f"{_fmt(before)} in {prev} ({pct}): {WORDS[rule.op]} the growth threshold "
            f"{rule.threshold:+.0%} ({source(rule)})"
        )
        yield _finding(ind, result, rule, period, now, text, holding=not hit)


def _zscore(ind, result, rule, since):
    series = result.series.get(rule.series, {})
    periods = sorted_periods(series)
    for i, period in enumerate(periods):
        before = [p for p in periods[max(0, i - rule.window) : i] if series[p] is not None]
        window = [series[p] for p in before]
        value = series[period]
        if len(window) < rule.window or value is None or not _in_scope(period, since):
            continue
        if period in result.partial_periods:
            continue
        sd = statistics.pstdev(window)
        mean = statistics.mean(window)
        z = (value - mean) / sd if sd else (math.inf if value > window[-1] else 0)
        hit = _crossing(rule, z)
        if hit is None:
            continue
        text = (
            f"{_fmt(value)} {_what(ind, rule.series)} in {period}{_subject(result)}: "
            f"{_fmt(z) if math.isinf(z) else f'{z:.1f}'} standard deviations above the "
            f"{before[0]}-{before[-1]} mean ({_fmt(mean)}), threshold {_fmt(rule.threshold)} "
            f"({source(rule)})"
        )
        yield _finding(ind, result, rule, period, value, text, holding=not hit)


def _crossover(ind, result, rule, since):
    mine, other = result.series.get(rule.series, {}), result.series.get(rule.other, {})
    for period, value in mine.items():
        theirs = other.get(period)
        if value is None or theirs is None or not _in_scope(period, since):
            continue
        if period in result.partial_periods:  # two series still filling in
            continue
        if OPS[rule.op](value, theirs):
            text = (
                f"{rule.series} {_fmt(value)} in {period}{_subject(result)}: "
                f"{WORDS[rule.op]} {rule.other} ({_fmt(theirs)}) ({source(rule)})"
            )
            yield _finding(ind, result, rule, period, value, text)


def _members(ind, result, rule, since, only_new: bool):
    """One finding per member of a set: every member (any_new) or those never seen
    in an earlier period (new_member). The engine groups them into one alert."""
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
            text = f"{'new: ' if only_new else ''}{label} ({period})"
            yield _finding(
                ind, result, rule, period, 1.0, text,
                subject=member, evidence=own or records, members=(member,),
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
MEMBER_KINDS = ("new_member", "any_new")
NOUNS = {"work": "papers", "deal": "deals", "event": "events", "verdict": "verdicts"}


def group_message(
    title: str, period: str, findings: Sequence[Finding], new: int, total: int
) -> str:
    """The words of one grouped alert: how many records joined since the last evaluation
    (if any), how many there are, what crossed what (the first few findings of a set), and
    the brief once."""
    firing = [f for f in findings if not f.holding] or list(findings)
    where = f" in {period}" if period and period != "*" else ""
    kinds = {e.get("kind") for f in firing for e in f.evidence}
    noun = NOUNS.get(kinds.pop(), "records") if len(kinds) == 1 else "records"
    joined = ""
    if new and new < total:
        joined = f"{new} new {noun[:-1] if new == 1 else noun} since the last evaluation"
    if len(firing) == 1:
        text = firing[0].message.removeprefix(f"{title}: ")
        return f"{title}: {joined}; {text}" if joined else firing[0].message
    head = f"{title}: {joined}, {total}{where}" if joined else f"{title}: {total} {noun}{where}"
    details, brief = [], ""
    for f in firing[:3]:
        text, sep, tail = f.message.removeprefix(f"{title}: ").rpartition("; the brief")
        details.append(text if sep else tail)
        brief = brief or (f"; the brief{tail}" if sep else "")
    more = f"; and {len(firing) - 3} more" if len(firing) > 3 else ""
    return f"{head} ({'; '.join(details)}{more}){brief}"
