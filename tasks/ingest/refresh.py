"""One source's refresh: fetch (I/O; transient faults retried by the source's one policy,
trendline.tasks.ingest.retry), then normalise and write in one transaction. Plain functions; nothing
here raises for a source problem: a skipped or failed source is an outcome, and a failure
writes only its refresh_runs row."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from sqlalchemy.engine import Engine

from trendline.core.db import utcnow
from trendline.core.settings import Settings
from trendline.tasks.ingest.retry import PER_REQUEST, Policy, Transient, is_transient, policy_for
from trendline.tasks.ingest.runs import RefreshOutcome, record_failure, write_batch
from trendline.tasks.ingest.sources import Skip, SourceError

log = logging.getLogger(__name__)


__all__ = ["Fetched", "fetch", "is_transient", "refresh_one", "store"]


@dataclass
class Fetched:
    source: str
    started: dt.datetime
    raw: Any = None
    minimum: int = 0
    outcome: RefreshOutcome | None = None  # set when there is nothing to store
    error: str = ""  # the fetch failed: recorded by `store`


def fetch(settings: Settings, source: ModuleType) -> Fetched:
    """Transient network errors propagate (the caller may retry); any other problem
    becomes part of the result."""
    started = utcnow()
    try:
        minimum = getattr(source, "minimum_rows", lambda _s: 0)(settings)
        return Fetched(source.NAME, started, raw=source.fetch(settings), minimum=minimum)
    except Skip as exc:
        return Fetched(
            source.NAME, started, outcome=RefreshOutcome(source.NAME, "skipped", message=str(exc))
        )
    except Exception as exc:
        if is_transient(exc):
            raise
        return Fetched(source.NAME, started, error=_describe(exc))


def store(engine: Engine, source: ModuleType, fetched: Fetched) -> RefreshOutcome:
    if fetched.outcome is not None:
        return fetched.outcome
    if fetched.error:
        return _failed(engine, source.NAME, fetched.started, fetched.error)
    try:
        batch = source.normalise(fetched.raw)
    except Exception as exc:
        return _failed(engine, source.NAME, fetched.started, _describe(exc))
    if batch.rows < fetched.minimum:
        message = (
            f"only {batch.rows} rows, fewer than the configured minimum of "
            f"{fetched.minimum}: has the source's format changed? Nothing written"
        )
        return _failed(engine, source.NAME, fetched.started, message)
    for reject in batch.rejects[:20]:
        log.warning("%s: rejected %s", source.NAME, reject)
    return write_batch(engine, source, batch, fetched.started)


def refresh_one(
    engine: Engine, settings: Settings, source: ModuleType,
    sleep: Callable[[float], None] = time.sleep,
) -> RefreshOutcome:
    """Fetch under the source's retry policy, and store. The flows add no retries."""
    name = source.NAME
    policy = Policy(1) if name in PER_REQUEST else policy_for(name, settings, sleep)
    try:
        fetched = policy.call(fetch, settings, source)
    except Exception as exc:
        error = _describe(exc)
        if is_transient(exc):
            error = f"{error} (gave up after {policy.attempts} attempt(s); nothing written)"
        fetched = Fetched(name, utcnow(), error=error)
    return store(engine, source, fetched)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SourceError):
        return str(exc)
    if is_transient(exc):
        return str(exc) if isinstance(exc, Transient) else f"{type(exc).__name__}: {exc}"
    log.error("unexpected error in a source", exc_info=exc)
    return f"unexpected {type(exc).__name__}: {exc} (nothing written)"


def _failed(engine: Engine, name: str, started: dt.datetime, message: str) -> RefreshOutcome:
    run_id = record_failure(engine, name, "live", started, message)
    return RefreshOutcome(name, "failed", run_id, message=message)
