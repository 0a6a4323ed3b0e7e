"""One source's refresh: fetch, normalise, write in one transaction. Plain functions."""

from __future__ import annotations

import logging
from types import ModuleType

from sqlalchemy.engine import Engine

from tasks.sources import Skip, SourceError
from tasks.store import RefreshOutcome, record_failure, write_batch
from trendline.db import utcnow
from trendline.settings import Settings

log = logging.getLogger(__name__)


def refresh_one(engine: Engine, settings: Settings, source: ModuleType) -> RefreshOutcome:
    """Never raises for a source problem: a skipped or failed source is an outcome, and
    a failure writes nothing but its refresh_runs row."""
    started = utcnow()
    try:
        batch = source.normalise(source.fetch(settings))
    except Skip as exc:
        return RefreshOutcome(source.NAME, "skipped", message=str(exc))
    except SourceError as exc:
        run_id = record_failure(engine, source.NAME, "live", started, str(exc))
        return RefreshOutcome(source.NAME, "failed", run_id, message=str(exc))
    for reject in batch.rejects[:20]:
        log.warning("%s: rejected %s", source.NAME, reject)
    return write_batch(engine, source, batch, started)
