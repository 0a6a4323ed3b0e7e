"""The Prefect step: each unit of a stage runs as a task named after what it does
(`refresh-openalex`, `evaluate-research.joint_output`). A unit whose outcome says it
failed marks its task Failed, and the flow goes on with the others; a unit that raises
re-raises in the flow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from trendline.core.redaction import redact


def prefect_step(name: str, fn: Callable[[], Any]) -> Any:
    kept: dict[str, Any] = {}  # the value stays here: Prefect only sees a small state

    def unit():
        try:
            kept["value"] = out = fn()
        except Exception as exc:  # Prefect keeps the message: never a secret in it
            text = redact(exc)
            if text != str(exc):
                raise RuntimeError(f"{type(exc).__name__}: {text}") from None
            raise
        if getattr(out, "status", None) == "failed":
            return Failed(message=redact(f"{name}: {getattr(out, 'message', '') or 'failed'}"))
        return Completed(message=redact(_summary(out)))

    unit.__name__ = unit.__qualname__ = name.replace("-", "_").replace(".", "_")
    state = task(unit, name=name, cache_policy=NO_CACHE, persist_result=False)(
        return_state=True
    )
    if "value" in kept:
        return kept["value"]
    return state.result()  # raises what the unit raised


def _summary(out: Any) -> str:
    line = getattr(out, "line", None)
    return line() if callable(line) else type(out).__name__
