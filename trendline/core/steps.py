"""How a stage runs one unit of work (a source's refresh, an indicator's evaluation).

Stages call `step(name, fn)` for each unit. Plain runs (tests, scripts) use `direct`; the
Prefect flows pass a step that runs `fn` as a task named `name`, so the pipeline itself is
written once, in tasks/pipeline.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Step(Protocol):
    def __call__(self, name: str, fn: Callable[[], T]) -> T: ...


def direct(name: str, fn: Callable[[], Any]) -> Any:
    return fn()
