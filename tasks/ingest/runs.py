"""Refresh bookkeeping: the one writer of refresh_runs rows, and a source's batch written
in one transaction with its run."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.core.db import upsert
from trendline.core.redaction import redact
from trendline.tasks.ingest.source import Batch, Reject, Source


@dataclass
class RefreshOutcome:
    source: str
    status: str  # succeeded | unchanged | skipped | failed
    run_id: str | None = None
    rows_read: int = 0
    rows_written: int = 0
    rejects: list[Reject] = field(default_factory=list)
    message: str = ""

    def line(self) -> str:
        bits = f"{self.source}: {self.status}"
        if self.status in ("succeeded", "unchanged"):
            bits += f", {self.rows_read} read, {self.rows_written} written"
            if self.rejects:
                bits += f", {len(self.rejects)} rejected"
        return bits + (f" ({self.message})" if self.message else "")


def last_success(conn, source: str):
    t = schema.refresh_runs
    return conn.execute(
        sa.select(t)
        .where(t.c.source == source, t.c.status == "succeeded")
        .order_by(t.c.started_at.desc())
        .limit(1)
    ).first()


def write_batch(engine: Engine, source: Source, batch: Batch, started: dt.datetime,
                now: dt.datetime) -> RefreshOutcome:
    """Write a normalised batch in one transaction. Content already stored by the last
    successful refresh is not written again: the run is only marked as checked."""
    digest = batch.content_hash()
    name = source.name
    with engine.begin() as conn:
        prev = last_success(conn, name)
        if prev is not None and prev.content_hash == digest:
            conn.execute(
                schema.refresh_runs.update()
                .where(schema.refresh_runs.c.id == prev.id)
                .values(checked_at=now)
            )
            return RefreshOutcome(name, "unchanged", prev.id, batch.read, 0, batch.rejects)
        if prev is not None and (prev.mode == "demo") != (batch.mode == "demo"):
            if batch.mode == "demo":
                message = (
                    f"the store holds real {name} data; demo records would mix "
                    "into it: run the demo with another TRENDLINE_HOME"
                )
                return RefreshOutcome(name, "skipped", message=message)
            batch.notes.append(f"removed {purge_demo(conn, name)} demo rows")
        run_id = start_run(conn, name, batch.mode, started, content_hash=digest,
                           rows_read=batch.read)
        written = (source.load or load_tables)(conn, batch, run_id, now)
        finish_run(conn, run_id, "succeeded", now, rows_written=written,
                   rows_rejected=len(batch.rejects), message="; ".join(batch.notes))
    return RefreshOutcome(name, "succeeded", run_id, batch.read, written, batch.rejects)


def purge_demo(conn, source: str) -> int:
    """Delete every row this source wrote in demo mode: going live starts from real data."""
    runs = sa.select(schema.refresh_runs.c.id).where(
        schema.refresh_runs.c.source == source, schema.refresh_runs.c.mode == "demo"
    )
    deleted = 0
    for table in schema.metadata.sorted_tables:
        if "refresh_run_id" in table.c:
            deleted += conn.execute(table.delete().where(table.c.refresh_run_id.in_(runs))).rowcount
    return deleted


def load_tables(conn, batch: Batch, run_id: str, now: dt.datetime) -> int:
    """Default load: upsert every table of the batch with provenance columns added."""
    written = 0
    for name, rows in batch.tables.items():
        table = schema.metadata.tables[name]
        extra = {}
        if "refresh_run_id" in table.c:
            extra["refresh_run_id"] = run_id
        if "fetched_at" in table.c:
            extra["fetched_at"] = now
        written += upsert(conn, table, [{**row, **extra} for row in rows])
    return written


def record_failure(engine: Engine, source: str, mode: str, started: dt.datetime,
                   message: str, now: dt.datetime) -> str:
    with engine.begin() as conn:
        run_id = start_run(conn, source, mode, started)
        finish_run(conn, run_id, "failed", now, message=message, checked_at=None)
    return run_id


def start_run(conn, source: str, mode: str, started: dt.datetime, **fields) -> str:
    """The one writer of refresh_runs rows: a run starts as `running`..."""
    run_id = str(uuid.uuid4())
    conn.execute(schema.refresh_runs.insert().values(
        id=run_id, source=source, mode=mode, started_at=started, status="running", **fields))
    return run_id


def finish_run(conn, run_id: str, status: str, now: dt.datetime, message: str = "",
               **fields) -> None:
    """... and ends succeeded or failed, with its counts and a message."""
    values = {"finished_at": now, "checked_at": now, **fields}
    conn.execute(schema.refresh_runs.update().where(schema.refresh_runs.c.id == run_id)
                 .values(status=status, message=redact(message)[:2000], **values))