"""The indicator contract: pure functions from frames to results.

An indicator declares what it measures, the frames it needs, the brief's baseline and its
default rules. `evaluate(frames, params, as_of)` does no I/O and reads no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trendline.core.rule import Kind, Rule  # noqa: F401 (the threshold type, re-exported)

Frames = Mapping[str, pd.DataFrame]
BRIEF = (
    "Konaev et al., 'Headline or Trend Line? Evaluating Chinese-Russian Collaboration in AI', "
    "CSET issue brief, August 2021"
)
SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Baseline:
    """What the brief found: a sentence in our words, its figures, and its last period."""

    summary: str
    figures: Mapping[str, float] = field(default_factory=dict)
    end: int = 2019
    citation: str = BRIEF
    where: Mapping[str, str] = field(default_factory=dict)  # figure -> where the brief says it

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "figures": dict(self.figures),
            "where": dict(self.where),
            "end": self.end,
            "citation": self.citation,
        }


@dataclass
class Result:
    """One subject's values over periods, with the records behind every value: per period
    a bounded sample (`evidence`, newest or most relevant first), the full count
    (`counts`), and every record's id (`members`: columns period, kind, id) for
    `trendline evidence`. A value that rests on unknowns is None, never zero."""

    indicator_id: str
    series: dict[str, dict[str, float | None]]  # name -> {period: value}; "value" is primary
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # period -> sample
    counts: dict[str, int] = field(default_factory=dict)  # period -> records behind the value
    members: pd.DataFrame | None = None  # period, kind, id: every record
    sets: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # name -> {period: ids}
    query: str = ""
    subject: str = "all"
    partial_periods: frozenset[str] = frozenset()  # still filling in: no growth rules
    notes: list[str] = field(default_factory=list)

    def count(self, period: str) -> int:
        return int(self.counts.get(period, len(self.evidence.get(period, ()))))

    @property
    def values(self) -> dict[str, float | None]:
        return self.series.get("value", {})

    def latest(self) -> tuple[str | None, float | None]:
        if not self.values:
            return None, None
        period = max(self.values, key=_period_key)
        return period, self.values[period]


@dataclass(frozen=True)
class Finding:
    """A rule that holds for one subject in one period."""

    indicator_id: str
    subject: str
    period: str
    rule: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    evidence: tuple[dict[str, Any], ...] = ()
    members: tuple[str, ...] = ()  # the records that make it hold (ids); default: evidence ids
    holding: bool = False  # past the resolve threshold only: keeps an alert, starts none
    for_evaluations: int = 0  # the rule's pending period

    def member_ids(self) -> tuple[str, ...]:
        if self.members:
            return self.members
        return tuple(str(e["id"]) for e in self.evidence if e.get("id") is not None)

    @property
    def fingerprint(self) -> str:
        return f"{self.indicator_id}|{self.subject}|{self.period}"


Evaluate = Callable[[Frames, Mapping[str, Any], dt.date], list[Result]]


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    description: str
    needs: tuple[str, ...]
    baseline: Baseline
    rules: tuple[Rule, ...]
    evaluate: Evaluate
    unit: str = "papers"


_REGISTERED: dict[str, Indicator] = {}


def indicator(
    *,
    id: str,
    title: str,
    needs: tuple[str, ...],
    baseline: Baseline,
    rules: tuple[Rule, ...],
    unit: str = "papers",
) -> Callable[[Evaluate], Evaluate]:
    """Declare an indicator; the decorated function is its pure `evaluate`."""

    def register(fn: Evaluate) -> Evaluate:
        if id in _REGISTERED:
            raise ValueError(f"indicator {id} declared twice")
        doc = (fn.__doc__ or "").strip()
        _REGISTERED[id] = Indicator(id, title, doc, needs, baseline, rules, fn, unit)
        return fn

    return register


def _period_key(period: str) -> tuple[int, str]:
    head = period[:4]
    return (int(head), period) if head.isdigit() else (0, period)


def sorted_periods(periods) -> list[str]:
    return sorted(periods, key=_period_key)


def year_series(counts: Mapping[int | str, float | None]) -> dict[str, float | None]:
    """Periods as strings, oldest first."""
    return {str(k): (None if v is None else float(v)) for k, v in sorted(counts.items())}
