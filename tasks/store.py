"""Refresh bookkeeping and reading the store into frames for the indicators."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from types import ModuleType

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tasks.sources import Batch, Reject
from trendline import schema
from trendline.db import upsert, utcnow


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


def write_batch(
    engine: Engine, source: ModuleType, batch: Batch, started: dt.datetime
) -> RefreshOutcome:
    """Write a normalised batch in one transaction. Content already stored by the last
    successful refresh is not written again: the run is only marked as checked."""
    digest = batch.content_hash()
    now = utcnow()
    with engine.begin() as conn:
        prev = last_success(conn, source.NAME)
        if prev is not None and prev.content_hash == digest:
            conn.execute(
                schema.refresh_runs.update()
                .where(schema.refresh_runs.c.id == prev.id)
                .values(checked_at=now)
            )
            return RefreshOutcome(source.NAME, "unchanged", prev.id, batch.read, 0, batch.rejects)
        if prev is not None and (prev.mode == "demo") != (batch.mode == "demo"):
            if batch.mode == "demo":
                message = (
                    f"the store holds real {source.NAME} data; demo records would mix "
                    "into it: run the demo with another TRENDLINE_HOME"
                )
                return RefreshOutcome(source.NAME, "skipped", message=message)
            batch.notes.append(f"removed {purge_demo(conn, source.NAME)} demo rows")
        run_id = str(uuid.uuid4())
        conn.execute(
            schema.refresh_runs.insert().values(
                id=run_id,
                source=source.NAME,
                mode=batch.mode,
                started_at=started,
                status="running",
                content_hash=digest,
                rows_read=batch.read,
            )
        )
        load = getattr(source, "load", None) or load_tables
        written = load(conn, batch, run_id, now)
        conn.execute(
            schema.refresh_runs.update()
            .where(schema.refresh_runs.c.id == run_id)
            .values(
                status="succeeded",
                finished_at=utcnow(),
                checked_at=utcnow(),
                rows_written=written,
                rows_rejected=len(batch.rejects),
                message="; ".join(batch.notes)[:2000],
            )
        )
    return RefreshOutcome(source.NAME, "succeeded", run_id, batch.read, written, batch.rejects)


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


def record_failure(
    engine: Engine, source: str, mode: str, started: dt.datetime, message: str
) -> str:
    run_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            schema.refresh_runs.insert().values(
                id=run_id,
                source=source,
                mode=mode,
                started_at=started,
                finished_at=utcnow(),
                status="failed",
                message=message[:2000],
            )
        )
    return run_id


# Frames ------------------------------------------------------------------------------

JSON_COLUMNS = {
    name: [c.name for c in table.c if isinstance(c.type, sa.JSON)]
    for name, table in schema.metadata.tables.items()
}


def read_table(conn, name: str) -> pd.DataFrame:
    table = schema.metadata.tables[name]
    rows = conn.execute(sa.select(table)).mappings().all()
    frame = pd.DataFrame(rows, columns=[c.name for c in table.c])
    return frame


def load_frames(engine: Engine, needs: set[str]) -> dict[str, pd.DataFrame]:
    """The frames indicators ask for: store tables by name, plus `affiliations`
    (authorships joined with their organisation matches) and `sources` (scheduled ones)."""
    tables = set(needs) - {"affiliations", "sources"}
    if "affiliations" in needs:
        tables |= {"authorships", "affiliation_matches"}
    with engine.connect() as conn:
        frames = {name: read_table(conn, name) for name in sorted(tables)}
    if "sources" in needs:  # the scheduled sources (one-off imports are not among them)
        from tasks.sources import all_sources

        frames["sources"] = pd.DataFrame(
            [{"name": n, "family": m.FAMILY} for n, m in sorted(all_sources().items())],
            columns=["name", "family"],
        )
    if "affiliations" in needs:
        from tasks.match import affiliation_key

        aff = frames["authorships"].copy()
        aff["key"] = [
            affiliation_key(n, r)
            for n, r in zip(aff["institution_name"], aff["ror_id"], strict=True)
        ]
        matches = frames["affiliation_matches"].rename(
            columns={"score": "match_score", "rule": "match_rule", "ror_id": "match_ror_id"}
        )
        aff = aff.merge(matches.drop(columns=["affiliation"]), on="key", how="left")
        aff["lists"] = aff["lists"].map(lambda v: v if isinstance(v, list) else [])
        frames["affiliations"] = aff
    return frames


def provenance(engine: Engine) -> list[dict]:
    """The latest successful refresh of every source: what the indicators were fed."""
    t = schema.refresh_runs
    with engine.connect() as conn:
        rows = (
            conn.execute(sa.select(t).where(t.c.status == "succeeded").order_by(t.c.started_at))
            .mappings()
            .all()
        )
    latest = {r["source"]: r for r in rows}
    return [
        {
            "source": s,
            "refresh_run_id": r["id"],
            "mode": r["mode"],
            "refreshed_at": _iso(r["finished_at"]),
            "checked_at": _iso(r["checked_at"]),
        }
        for s, r in sorted(latest.items())
    ]


def _iso(value) -> str | None:
    return value.isoformat() if value else None
