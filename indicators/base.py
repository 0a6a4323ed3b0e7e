"""The indicator contract: pure functions from frames to results.

An indicator is declared once (indicators/declaration.py); `evaluate(frames, params, as_of)`
does no I/O and reads no clock and returns Results; rules turn them into Findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trendline.core.rule import Kind, Rule  # noqa: F401 (the threshold type, re-exported)
from trendline.indicators.declaration import Indicator, Series, indicator  # noqa: F401

Frames = Mapping[str, pd.DataFrame]
BRIEF = (
    "Konaev et al., 'Headline or Trend Line? Evaluating Chinese-Russian Collaboration in AI', "
    "CSET issue brief, August 2021"
)
SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Baseline:
    """What the brief found: a sentence in our words, its figures, and its last period.
    `headline`: the figure to set beside today's value, in a few words ("296 papers in
    2010-2019"; "not measured" when the brief has none). `reference`: the brief's own
    value the latest one is compared with ("since the brief"), when it has one (a pooled
    share, say); else the series' value in the baseline's last year."""

    summary: str
    figures: Mapping[str, float] = field(default_factory=dict)
    end: int = 2019
    citation: str = BRIEF
    where: Mapping[str, str] = field(default_factory=dict)  # figure -> where the brief says it
    headline: str = ""
    reference: float | None = None
    reference_words: str = ""  # "the brief's 2010-2019 share"

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "headline": self.headline,
            "reference": self.reference,
            "reference_words": self.reference_words,
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
    kind: str = ""  # the kind of record the value counts (work, deal, ...); "" any
    labels: dict[str, str] = field(default_factory=dict)  # period -> what the value names
    reference: float | None = None  # a reference the indicator computes (a pooled share)
    reference_words: str = ""  # instead of the baseline's

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
    rule: str  # the rule's identity, a label for grouping: never parsed
    severity: str
    value: float | None
    threshold: float | None
    message: str  # what happened, against what, since when: one sentence, no title
    evidence: tuple[dict[str, Any], ...] = ()
    members: tuple[str, ...] = ()  # the records that make it hold (ids); default: evidence ids
    holding: bool = False  # past the resolve threshold only: keeps an alert, starts none
    for_evaluations: int = 0  # the rule's pending period
    spec: Mapping[str, Any] = field(default_factory=dict)  # the rule as data, with its unit
    detail: str = ""  # where the threshold comes from, and the brief's figure
    revised: bool = False  # holds only because a source revised a past period: not news

    def member_ids(self) -> tuple[str, ...]:
        if self.members:
            return self.members
        return tuple(str(e["id"]) for e in self.evidence if e.get("id") is not None)

    @property
    def fingerprint(self) -> str:
        return f"{self.indicator_id}|{self.subject}|{self.period}"


def _period_key(period: str) -> tuple[int, str]:
    head = period[:4]
    return (int(head), period) if head.isdigit() else (0, period)


def sorted_periods(periods) -> list[str]:
    return sorted(periods, key=_period_key)


def year_series(counts: Mapping[int | str, float | None]) -> dict[str, float | None]:
    """Periods as strings, oldest first."""
    return {str(k): (None if v is None else float(v)) for k, v in sorted(counts.items())}
