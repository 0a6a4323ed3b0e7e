"""Evidence samples filled in from the store: an indicator keeps only ids for the few
records it shows; their titles, links and labels are read here, a handful at a time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.indicators.base import Result

OPENALEX = "https://openalex.org/"


def enrich(engine: Engine, results: list[Result]) -> None:
    """Fill title, year, DOI, link and demo flag into every sampled `work` record."""
    wanted = {r["id"] for res in results for recs in res.evidence.values() for r in recs
              if r.get("kind") == "work" and "title" not in r}
    if not wanted:
        return
    w = schema.works
    found = {}
    with engine.connect() as conn:
        ids = sorted(wanted)
        for i in range(0, len(ids), 500):
            q = sa.select(w.c.id, w.c.title, w.c.doi, w.c.url, w.c.publication_year,
                          w.c.source, w.c.is_demo).where(w.c.id.in_(ids[i:i + 500]))
            found.update({r.id: r for r in conn.execute(q)})
    for res in results:
        for recs in res.evidence.values():
            for rec in recs:
                row = found.get(rec["id"]) if rec.get("kind") == "work" else None
                if row is not None:
                    rec.update(work_fields(row))


def work_fields(row) -> dict:
    """The evidence a reader needs to check one paper in one click. Synthetic demo works
    never link to real-looking OpenAlex pages."""
    landing = row.url or row.doi or ""
    if row.source in ("openalex", "snapshot") and not row.is_demo:
        landing = f"{OPENALEX}{row.id}"
    return {"title": row.title or "", "label": row.title or row.id, "year": row.publication_year,
            "doi": row.doi or "", "url": "" if row.is_demo else landing,
            "source": row.source, "demo": bool(row.is_demo)}
