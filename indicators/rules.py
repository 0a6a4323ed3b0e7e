"""Rule kinds, checked against an indicator's results, and the plain words every alert says.
Pure: no clock, no I/O.

A finding's message is one sentence, written once, in the unit of the series the rule
reads: what happened, against what ("196 papers in 2025, 5.1 standard deviations above the
2020-2024 mean of 114 papers (alert level 3)"). Where the threshold comes from and the
brief's figure go in its `detail`, never in the headline sentence. The rule itself travels
as data (`spec`: its kind, parameters and unit), so nothing parses its name. A rule with a
`resolve_threshold` also yields `holding` findings for values between the two lines: they
keep an alert firing (hysteresis) but never start one.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import statistics
from collections.abc import Iterable, Sequence
from itertools import chain, islice

from trendline.indicators import words
from trendline.indicators.base import SEVERITIES, Finding, Indicator, Result, Rule, sorted_periods

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
DEFAULT_SOURCE = "default rule"
MEMBER_KINDS = ("new_member", "any_new")


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


def spec(ind: Indicator, rule: Rule) -> dict:
    """The rule as data, with the unit and the words of the series it reads (worked out
    once per indicator and rule: a member rule makes one finding per record)."""
    key = (ind.id, rule)
    if key not in _SPECS:
        _SPECS[key] = _spec(ind, rule)
    return dict(_SPECS[key])


_SPECS: dict[tuple[str, Rule], dict] = {}


def _spec(ind: Indicator, rule: Rule) -> dict:
    s = ind.series_of(rule.series)
    out = {k: v for k, v in dataclasses.asdict(rule).items() if v not in ("", None)}
    out.update(unit=s.unit, label=s.label)
    if rule.other:
        out["other_label"] = ind.series_of(rule.other).label
    return out


def describe_rule(ind: Indicator, rule: Rule) -> str:
    """A rule in words, with its threshold in the series' unit: for the finding's detail,
    `trendline indicators` and the indicator's web page."""
    s = ind.series_of(rule.series)
    what = "" if rule.series == "value" else f" of {s.label or rule.series}"
    level = words.threshold(rule.threshold, s.unit)
    if rule.kind in ("absolute", "share"):
        text = f"alert when the value{what} is {WORDS[rule.op]} {level}"
    elif rule.kind == "yoy":
        text = f"alert when the value{what} grows by {_growth(rule.threshold)} or more on " \
               "the figure before"
    elif rule.kind == "zscore":
        text = f"alert when the value{what} is {rule.threshold:g} standard deviations or " \
               f"more above the mean of the {rule.window} years before"
    elif rule.kind == "crossover":
        text = f"alert when {s.label or rule.series} is {WORDS[rule.op]} " \
               f"{ind.series_of(rule.other).label or rule.other}"
    elif rule.kind == "new_member":
        text = f"alert on each {_member_noun(s)} not seen in an earlier year"
    else:
        text = f"alert on each new {_member_noun(s)}"
    return f"{text} ({rule.source or DEFAULT_SOURCE})"


def _member_noun(s) -> str:
    return words.noun(s.unit, 1) or "record"


def _growth(threshold: float | None) -> str:
    return "any amount" if threshold is None else f"{threshold * 100:.0f}%"


def _detail(ind: Indicator, rule: Rule) -> str:
    brief = ind.baseline.headline
    return words.clause(f"Rule: {describe_rule(ind, rule)}",
                        f"the brief: {brief}" if brief else "")


def _finding(ind, result, rule, period, value, text, *, holding=False, subject=None,
             evidence=None, members=(), fixed=None):
    """`fixed`: what every finding of the rule shares (`_fixed`), worked out once."""
    if rule.message and rule.kind not in MEMBER_KINDS:  # the rule's own words lead
        text = f"{rule.message}: {text}"
    if holding:
        unit = ind.series_of(rule.series).unit
        text += f" (still past the resolve line {words.threshold(rule.resolve_threshold, unit)})"
    return Finding(
        indicator_id=ind.id,
        subject=subject or result.subject,
        period=period,
        value=value,
        message=text,
        evidence=tuple(evidence if evidence is not None else result.evidence.get(period, ())),
        members=tuple(members) or _all_members(result, period),
        holding=holding,
        **(fixed or _fixed(ind, rule)),
    )


def _fixed(ind: Indicator, rule: Rule) -> dict:
    return {"rule": rule.name, "severity": rule.severity, "threshold": rule.threshold,
            "for_evaluations": rule.for_evaluations, "spec": spec(ind, rule),
            "detail": _detail(ind, rule)}


def _all_members(result: Result, period: str) -> tuple[str, ...]:
    """Every record behind the value (not only the sample), when the result lists them:
    of the kind the value counts, so related records (partners behind papers) stay apart."""
    m = result.members
    if m is None or not len(m):
        return ()
    mask = m["period"].astype(str) == period
    if result.kind:
        mask &= m["kind"].astype(str) == result.kind
    return tuple(m.loc[mask, "id"].astype(str).unique())


def _crossing(rule: Rule, metric: float) -> bool | None:
    """True: past the threshold; False: only past the resolve threshold; None: neither."""
    if OPS[rule.op](metric, rule.threshold):
        return True
    if rule.resolve_threshold is not None and OPS[rule.op](metric, rule.resolve_threshold):
        return False
    return None


def _where(result: Result, period: str) -> str:
    """` in 2025`, or ` in 2025 (remote sensing)` for a subject other than all."""
    return f" in {period}" + ("" if result.subject == "all" else f" ({result.subject})")


def _said(ind: Indicator, series: str, value) -> str:
    """A value in its series' unit, named when the unit alone does not say what it is."""
    s = ind.series_of(series)
    text = words.amount(value, s.unit)
    if words.unit_of(s.unit).kind == "count" or not s.label:
        return text
    return f"{text} ({s.label})"


def _absolute(ind, result, rule, since):
    unit = ind.series_of(rule.series).unit
    for period, value in result.series.get(rule.series, {}).items():
        if value is None or not _in_scope(period, since) or period in result.partial_periods:
            continue  # a year still filling in is not a level yet
        hit = _crossing(rule, value)
        if hit is None:
            continue
        text = (f"{_said(ind, rule.series, value)}{_where(result, period)}, "
                f"{WORDS[rule.op]} the alert level of {words.threshold(rule.threshold, unit)}")
        yield _finding(ind, result, rule, period, value, text, holding=not hit)


def _yoy(ind, result, rule, since):
    series = result.series.get(rule.series, {})
    periods = [p for p in sorted_periods(series) if series[p] is not None]
    for prev, period in zip(periods, periods[1:], strict=False):
        now, before = series[period], series[prev]
        if not _in_scope(period, since) or period in result.partial_periods:
            continue
        if before < rule.min_base:
            continue
        growth = math.inf if before == 0 and now > 0 else (now - before) / before if before else 0
        hit = _crossing(rule, growth)
        if hit is None:
            continue
        then = _said(ind, rule.series, before)
        moved = f"up from none in {prev}" if math.isinf(growth) else \
            f"{words.pct(growth)} on {then} in {prev}"
        text = (f"{_said(ind, rule.series, now)}{_where(result, period)}, {moved}: "
                f"{WORDS[rule.op]} the alert level of {words.pct(rule.threshold)}")
        yield _finding(ind, result, rule, period, now, text, holding=not hit)


def _zscore(ind, result, rule, since):
    series = result.series.get(rule.series, {})
    unit = ind.series_of(rule.series).unit
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
        far = "far" if math.isinf(z) else f"{z:.1f} standard deviations"
        text = (f"{_said(ind, rule.series, value)}{_where(result, period)}, {far} above the "
                f"{words.span(before[0], before[-1])} mean of {words.amount(mean, unit)} "
                f"(alert level {rule.threshold:g})")
        yield _finding(ind, result, rule, period, value, text, holding=not hit)


def _crossover(ind, result, rule, since):
    mine, other = result.series.get(rule.series, {}), result.series.get(rule.other, {})
    s, o = ind.series_of(rule.series), ind.series_of(rule.other)
    for period, value in mine.items():
        theirs = other.get(period)
        if value is None or theirs is None or not _in_scope(period, since):
            continue
        if period in result.partial_periods:  # two series still filling in
            continue
        if OPS[rule.op](value, theirs):
            text = (f"{s.label or rule.series} {words.amount(value, s.unit)}"
                    f"{_where(result, period)}, {WORDS[rule.op]} {o.label or rule.other} "
                    f"({words.amount(theirs, o.unit)})")
            yield _finding(ind, result, rule, period, value, text)


def _members(ind, result, rule, since, only_new: bool):
    """One finding per member of a set: every member (any_new) or those never seen
    in an earlier period (new_member). The engine groups them into one alert."""
    sets = result.sets.get(rule.series, {})
    seen: set[str] = set()
    fixed = _fixed(ind, rule)  # one spec for all of them: read, never changed
    for period in sorted_periods(sets):
        sampled: dict[str, list[dict]] = {}
        for e in result.evidence.get(period, []):
            sampled.setdefault(e.get("id"), []).append(e)
        for member in sets[period]:
            fresh = member not in seen
            seen.add(member)
            if not _in_scope(period, since) or (only_new and not fresh):
                continue
            own = sampled.get(member) or [{"kind": result.kind or "record", "id": member}]
            label = own[0].get("label") or member
            yield _finding(ind, result, rule, period, 1.0, str(label), subject=member,
                           evidence=own, members=(member,), fixed=fixed)


KINDS = {
    "absolute": _absolute,
    "share": _absolute,
    "yoy": _yoy,
    "zscore": _zscore,
    "crossover": _crossover,
    "new_member": lambda i, r, rule, s: _members(i, r, rule, s, only_new=True),
    "any_new": lambda i, r, rule, s: _members(i, r, rule, s, only_new=False),
}


def group_message(period: str, findings: Sequence[Finding], evidence: Sequence[dict],
                  new: int, total: int) -> str:
    """The sentence of one grouped alert. One finding: its own sentence. A set (new
    records, new members): what they are, when, and the first few by name ("New deals in
    areas of concern in 2025: A; B; C and 2 more"). `new` of the `total` records joined
    since the alert opened: said in one clause when some did and some were there before."""
    firing = [f for f in findings if not f.holding] or list(findings)
    lead = firing[0]
    unit = lead.spec.get("unit", "records")
    joined = ""
    if new and new < total:
        joined = f"{new:,} of them new since the alert opened"
    if lead.spec.get("kind") not in MEMBER_KINDS:
        text = lead.message if len(firing) == 1 else words.listing(
            [f.message for f in firing], 3)
        return f"{text} ({joined})" if joined else text
    what = lead.spec.get("message") or lead.spec.get("label") or "new records"
    when = f" in {period}" if period and period != "*" else ""
    names = _first_names(evidence, 3) if evidence else [f.message for f in firing]
    count = max(total, len(firing))
    nouns = (words.noun(unit, 1) or "record", words.noun(unit) or "records")
    head = f"{what[0].upper()}{what[1:]}{when}"
    if count > 1:
        head += f": {words.plural(count, *nouns)}"
    tail = f" ({joined})" if joined else ""
    return f"{head}{tail}: {words.listing(names, 3, count)}"


def _first_names(evidence: Sequence[dict], n: int) -> list[str]:
    """The first n names of the records, the labelled ones first (each in its order):
    a set of 45,000 new papers is named by three, never sorted whole."""
    def named(e: dict) -> bool:
        return bool(e.get("label") or e.get("title"))

    ordered = chain((e for e in evidence if named(e)), (e for e in evidence if not named(e)))
    texts = (str(e.get("label") or e.get("title") or e.get("id")) for e in ordered)
    return list(islice((t for t in texts if t), n))
