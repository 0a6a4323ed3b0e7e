"""Frames: the store read into the pandas frames indicators compute on."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline import schema


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
        from tasks.ingest.sources import all_sources

        frames["sources"] = pd.DataFrame(
            [{"name": n, "family": m.FAMILY} for n, m in sorted(all_sources().items())],
            columns=["name", "family"],
        )
    if "affiliations" in needs:
        from tasks.resolve.match import affiliation_key

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
