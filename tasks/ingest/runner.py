"""The one runner of every source: `run_source(res, source)` fetches (I/O; transient faults
retried by the source's own policy), normalises and validates, then writes in one
transaction with its refresh_runs row (tasks/ingest/runs.py). Nothing here raises for a
source problem: a skipped or failed source is an outcome, and a failure writes only its
refresh_runs row."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy.exc

from trendline.core.redaction import redact
from trendline.core.resources import Resources
from trendline.core.settings import Settings
from trendline.tasks.ingest.fits import too_long
from trendline.tasks.ingest.retry import Policy, Transient, is_transient
from trendline.tasks.ingest.runs import RefreshOutcome, record_failure, write_batch
from trendline.tasks.ingest.source import Skip, Source, SourceError

log = logging.getLogger(__name__)
UNSET = object()


@dataclass
class Fetched:
    source: str
    started: dt.datetime
    raw: Any = None
    minimum: int = 0
    outcome: RefreshOutcome | None = None  # set when there is nothing to store
    error: str = ""  # the fetch failed: recorded by `store`


def fetch(settings: Settings, source: Source, started: dt.datetime) -> Fetched:
    """Transient network errors propagate (the caller may retry); any other problem
    becomes part of the result."""
    try:
        minimum = source.minimum_rows(settings)
        return Fetched(source.name, started, raw=source.fetch(settings), minimum=minimum)
    except Skip as exc:
        skipped = RefreshOutcome(source.name, "skipped", message=str(exc))
        return Fetched(source.name, started, outcome=skipped)
    except Exception as exc:
        if is_transient(exc):
            raise
        return Fetched(source.name, started, error=_describe(exc))


def store(res: Resources, source: Source, fetched: Fetched,
          accept_shrink: bool = False) -> RefreshOutcome:
    """Normalise, validate and write one fetched source."""
    engine = res.engine
    if fetched.outcome is not None:
        return fetched.outcome
    if fetched.error:
        return _failed(res, source.name, fetched.started, fetched.error)
    try:
        batch = source.normalise(fetched.raw)
    except Exception as exc:
        return _failed(res, source.name, fetched.started, _describe(exc))
    if batch.rows < fetched.minimum:
        message = (
            f"only {batch.rows} rows, fewer than the configured minimum of "
            f"{fetched.minimum}: has the source's format changed? Nothing written"
        )
        return _failed(res, source.name, fetched.started, message)
    batch.rejects += too_long(batch, source.name)  # PostgreSQL would refuse the write
    for reject in batch.rejects[:20]:
        log.warning("%s: rejected %s", source.name, reject)
    if source.hold_back is not None and not accept_shrink:
        with engine.connect() as conn:
            held = source.hold_back(conn, batch, res.settings)
        if held:
            return _failed(res, source.name, fetched.started, held)
    try:
        return write_batch(engine, source, batch, fetched.started, res.now())
    except sqlalchemy.exc.SQLAlchemyError as exc:  # this source only: the others go on
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        message = f"the store refused the write: {type(exc).__name__}: {reason}; nothing written"
        return _failed(res, source.name, fetched.started, message)


def run_source(res: Resources, source: Source, raw: Any = UNSET,
               sleep: Callable[[float], None] = time.sleep,
               accept_shrink: bool = False) -> RefreshOutcome:
    """Run one source: its `fetch` under its retry policy (or the `raw` data given, for an
    import that already read its files), then `store`. The flows add no retries."""
    started = res.now()
    if raw is not UNSET:
        return store(res, source, Fetched(source.name, started, raw=raw), accept_shrink)
    attempts, backoff = source.retry(res.settings)
    policy = Policy(attempts, backoff, sleep)
    try:
        fetched = policy.call(fetch, res.settings, source, started)
    except Exception as exc:
        error = _describe(exc)
        if is_transient(exc):
            error = f"{error} (gave up after {policy.attempts} attempt(s); nothing written)"
        fetched = Fetched(source.name, started, error=error)
    return store(res, source, fetched, accept_shrink)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SourceError):
        return str(exc)
    if is_transient(exc):
        return str(exc) if isinstance(exc, Transient) else f"{type(exc).__name__}: {exc}"
    log.error("unexpected error in a source", exc_info=exc)
    return f"unexpected {type(exc).__name__}: {exc} (nothing written)"


def _failed(res: Resources, name: str, started: dt.datetime, message: str) -> RefreshOutcome:
    message = redact(message)  # an error body may echo a key: never stored, never shown
    run_id = record_failure(res.engine, name, "live", started, message, res.now())
    return RefreshOutcome(name, "failed", run_id, message=message)
