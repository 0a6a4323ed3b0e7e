"""A rule: a threshold, declared once. Indicators' defaults and config `rules` (validated
from TOML by pydantic against these very fields) are the same type, so it lives on the
ground floor where the settings can read it."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

Kind = Literal["absolute", "yoy", "share", "crossover", "new_member", "zscore", "any_new"]


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Rule:
    """A threshold, declared once: indicators' defaults and config `rules` (validated from
    TOML by pydantic against these very fields) are the same type."""

    kind: Kind
    severity: Literal["info", "warning", "critical"] = "warning"
    series: str = "value"
    op: Literal[">", ">=", "<", "<="] = ">="
    threshold: float | None = None
    other: str = ""  # second series, for crossover
    window: Annotated[int, Ge(2)] = 5
    message: str = ""
    min_base: Annotated[float, Ge(0)] = 0.0  # yoy: no growth off a smaller earlier value
    for_evaluations: Annotated[int, Ge(0)] = 0  # evaluations an alert stays pending first
    resolve_threshold: float | None = None  # hysteresis: an alert resolves only past this
    source: str = ""  # where the threshold comes from; empty: set against the brief

    @property
    def name(self) -> str:
        bits = [self.kind, self.series, self.op if self.threshold is not None else ""]
        bits.append("" if self.threshold is None else f"{self.threshold:g}")
        bits.append(self.other)
        return ":".join(b for b in bits if b)
