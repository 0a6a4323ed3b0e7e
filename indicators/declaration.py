"""An indicator, declared in one place: what it measures, the frames it needs, the brief's
baseline, its default rules, its place in the brief (group and order), its series with
their units and directions, its reporting lag, the brief's window its verdict compares
with, and what its chart draws. Everything downstream (evaluation, verdicts, the
summary's table, charts, the CLI, the web pages) reads it from here; no table keyed by
indicator id exists anywhere else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from trendline.core.rule import Rule
from trendline.indicators.words import unit_of

Frames = Mapping[str, pd.DataFrame]
Evaluate = Callable[[Frames, Mapping[str, Any], dt.date], list]
Group = Literal["research", "investment", "formal", "talent", "data"]
GROUPS: dict[str, str] = {"research": "Research", "investment": "Investment",
                          "formal": "Formal ties", "talent": "Talent", "data": "Data health"}
Lag = Literal["publications", "deals"]


@dataclass(frozen=True)
class Series:
    """One series an indicator computes: its unit (a key of words.UNITS), its name in
    words, and for ratios and shares what a rise and a fall mean."""

    name: str = "value"
    unit: str = "papers"
    label: str = ""
    up: str = ""
    down: str = ""

    def __post_init__(self):
        unit_of(self.unit)  # an unknown unit fails at import, not in an email


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    description: str
    needs: tuple[str, ...]
    baseline: Any  # indicators.base.Baseline
    rules: tuple[Rule, ...]
    evaluate: Evaluate
    group: Group
    order: int
    series: tuple[Series, ...]
    lag: Lag | None = None
    brief_window: tuple[int, int] | None = None
    chart: tuple[str, ...] = ("value",)
    judged: bool = True

    @property
    def unit(self) -> str:
        return self.series[0].unit

    def series_of(self, name: str) -> Series:
        """The declared series `name`; a series the declaration leaves out (one per deal
        area, per source...) shares the primary series' unit."""
        for s in self.series:
            if s.name == name:
                return s
        return Series(name, self.unit, name.replace("_", " "))


_REGISTERED: dict[str, Indicator] = {}


def indicator(*, id: str, title: str, needs: tuple[str, ...], baseline: Any,
              rules: tuple[Rule, ...], group: Group, order: int,
              series: tuple[Series, ...], lag: Lag | None = None,
              brief_window: tuple[int, int] | None = None,
              chart: tuple[str, ...] = ("value",), judged: bool = True,
              ) -> Callable[[Evaluate], Evaluate]:
    """Declare an indicator; the decorated function is its pure `evaluate`."""
    if not series or series[0].name != "value":
        raise ValueError(f"indicator {id}: the first series must be `value`")

    def register(fn: Evaluate) -> Evaluate:
        if id in _REGISTERED:
            raise ValueError(f"indicator {id} declared twice")
        doc = (fn.__doc__ or "").strip()
        _REGISTERED[id] = Indicator(id, title, doc, needs, baseline, rules, fn, group, order,
                                    series, lag, brief_window, chart, judged)
        return fn

    return register
