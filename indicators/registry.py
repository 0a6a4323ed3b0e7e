"""Collects every indicator module in this package, and evaluates one indicator: the one
function production, `trendline evidence` and the tests all call. Pure."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from trendline import indicators
from trendline.indicators.base import Finding, Frames, Indicator, Result, Rule
from trendline.indicators.declaration import _REGISTERED
from trendline.indicators.rules import check

_INFRA = {"base", "rules", "registry", "declaration", "words"}


def all_indicators() -> dict[str, Indicator]:
    """Every declared indicator, in the brief's order."""
    for mod in pkgutil.iter_modules(indicators.__path__):
        if mod.name not in _INFRA:
            importlib.import_module(f"{indicators.__name__}.{mod.name}")
    return dict(sorted(_REGISTERED.items(), key=lambda kv: (kv[1].order, kv[0])))


@dataclass
class Evaluation:
    indicator: Indicator
    results: list[Result]
    findings: list[Finding]
    since: int


def evaluate_indicator(
    ind: Indicator,
    frames: Frames,
    as_of: dt.date,
    params: Mapping[str, Any] | None = None,
    rules: tuple[Rule, ...] | None = None,
    since: int | None = None,
    lag_months: int = 0,
    describe: Callable[[list[Result]], None] | None = None,
) -> Evaluation:
    """Its results on the frames and the findings of its rules (default: its own) for
    periods from `since` on (default: the year after the brief's baseline). `lag_months`:
    how long its years take to fill in; `describe` fills titles into the sampled records
    before the rules word their findings (the store's reader: this module stays pure)."""
    since = ind.baseline.end + 1 if since is None else since
    results = ind.evaluate(frames, {"lag_months": lag_months, **(params or {})}, as_of)
    if describe is not None:
        describe(results)
    findings = check(ind, results, ind.rules if rules is None else rules, since)
    return Evaluation(ind, results, findings, since)
