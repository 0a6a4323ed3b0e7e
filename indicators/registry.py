"""Collects every indicator module in this package and evaluates them. Pure."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trendline import indicators
from trendline.indicators.base import _REGISTERED, Finding, Frames, Indicator, Result, Rule
from trendline.indicators.rules import check

_INFRA = {"base", "rules", "registry"}


def all_indicators() -> dict[str, Indicator]:
    for mod in pkgutil.iter_modules(indicators.__path__):
        if mod.name not in _INFRA:
            importlib.import_module(f"{indicators.__name__}.{mod.name}")
    return dict(sorted(_REGISTERED.items()))


@dataclass
class Evaluation:
    indicator: Indicator
    results: list[Result]
    findings: list[Finding]
    since: int


def evaluate(
    ind: Indicator,
    frames: Frames,
    as_of: dt.date,
    params: Mapping[str, Any] | None = None,
    rules: tuple[Rule, ...] | None = None,
    since: int | None = None,
) -> Evaluation:
    since = ind.baseline.end + 1 if since is None else since
    results = ind.evaluate(frames, params or {}, as_of)
    findings = check(ind, results, ind.rules if rules is None else rules, since)
    return Evaluation(ind, results, findings, since)
