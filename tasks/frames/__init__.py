"""Frames: the resolved facts read column-wise into the pandas frames indicators compute on.

Only the columns indicators use are read (titles and DOIs stay in the store: evidence
samples are filled in afterwards for the few records shown). Large frames are read in
chunks into compact dtypes (Arrow strings, categories), never as ORM rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from tasks.ingest.sources import all_sources
from tasks.resolve.registry import COUNTED
from trendline import schema
from trendline.resources import Resources

CHUNK = 250_000
T = schema


def _works():
    w, f = T.works, T.work_facts
    return (sa.select(w.c.id, f.c.year, f.c.source, f.c.is_ai, f.c.in_language, f.c.is_joint,
                      f.c.field, f.c.funders, f.c.is_demo, w.c.cited_by_count, w.c.fwci,
                      w.c.is_top10)
            .join(f, f.c.work_id == w.c.id))


def _affiliations():
    a, m = T.authorships, T.affiliation_matches
    counted = m.c.rule.in_(COUNTED)
    return (sa.select(a.c.work_id, a.c.author_position.label("author"),
                      sa.case((counted, m.c.org_id)).label("org_id"),
                      a.c.institution_id.label("inst"),
                      sa.func.coalesce(m.c.country, a.c.country_code).label("country"),
                      m.c.centre)
            .outerjoin(m, m.c.key == a.c.affiliation_key)
            .where(sa.or_(m.c.country.is_not(None), a.c.country_code.is_not(None),
                          m.c.centre.is_not(None), counted)))


def _deals():
    d, f = T.deals, T.deal_facts
    return (sa.select(d.c.id, f.c.year, d.c.announced_on.label("date"), d.c.target,
                      d.c.target_country, f.c.direction, f.c.is_cn_ru, d.c.deal_type,
                      f.c.amount_usd, f.c.amount_status, d.c.concern_areas, d.c.source,
                      d.c.source_url, d.c.is_demo, d.c.note)
            .join(f, f.c.deal_id == d.c.id))


def _orgs():
    o, lst = T.organisations, T.org_listings
    listed_only = (sa.select(lst.c.org_id.label("id"), sa.func.max(lst.c.name).label("name"))
                   .where(~sa.exists().where(o.c.id == lst.c.org_id)).group_by(lst.c.org_id))
    return o, listed_only


QUERIES = {
    "works": _works,
    "affiliations": _affiliations,
    "deals": _deals,
    "listings": lambda: sa.select(T.org_listings),
    "parties": lambda: sa.select(T.party_matches.c.record_kind, T.party_matches.c.record_id,
                                 T.party_matches.c.name, T.party_matches.c.role,
                                 T.party_matches.c.country, T.party_matches.c.org_id,
                                 T.party_matches.c.party_key),
    "events": lambda: sa.select(T.events),
    "publication_counts": lambda: sa.select(T.publication_counts),
    "series_points": lambda: sa.select(T.series_points),
    "refresh_runs": lambda: sa.select(T.refresh_runs),
    "centres": lambda: sa.select(T.centres),
}
CATEGORIES = {"source", "field", "country", "org_id", "inst", "centre", "direction",
              "list_name"}


def read(conn, query) -> pd.DataFrame:
    """A query's rows as a frame, chunk by chunk, repeated strings as categories."""
    result = conn.execute(query.execution_options(yield_per=CHUNK))
    columns = list(result.keys())
    parts = [_compact(pd.DataFrame(chunk, columns=columns)) for chunk in result.partitions()]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return _compact(frame)


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    for col in CATEGORIES & set(frame.columns):
        if frame[col].dtype != "category":
            frame[col] = frame[col].astype("category")
    return frame


def orgs_frame(conn) -> pd.DataFrame:
    """Organisations (registry, listed-only, and OpenAlex institutions by I-id) with their
    display names in Chinese and Russian script."""
    o, listed_only = _orgs()
    rows = [{"id": r.id, "name": r.name, "country": r.country,
             "name_zh": _first((r.names or {}).get("zh")),
             "name_ru": _first((r.names or {}).get("ru"))}
            for r in conn.execute(sa.select(o.c.id, o.c.name, o.c.country, o.c.names))]
    rows += [{"id": r.id, "name": r.name, "country": None, "name_zh": None, "name_ru": None}
             for r in conn.execute(listed_only)]
    a = T.authorships  # OpenAlex institutions the registry does not know, by their I-id
    insts = (sa.select(a.c.institution_id, sa.func.max(a.c.institution_name),
                       sa.func.max(a.c.country_code))
             .where(a.c.institution_id.is_not(None)).group_by(a.c.institution_id))
    rows += [{"id": i, "name": n, "country": c, "name_zh": None, "name_ru": None}
             for i, n, c in conn.execute(insts)]
    return pd.DataFrame(rows, columns=["id", "name", "country", "name_zh", "name_ru"])


def _first(values) -> str | None:
    return values[0] if values else None


def load_frames(res: Resources, needs: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The frames the indicators ask for, by name."""
    needs = set(needs)
    frames: dict[str, pd.DataFrame] = {}
    with res.engine.connect() as conn:
        for name in sorted(needs & set(QUERIES)):
            frames[name] = read(conn, QUERIES[name]())
        if "orgs" in needs:
            frames["orgs"] = orgs_frame(conn)
    if "sources" in needs:  # the scheduled sources (one-off imports are not among them)
        frames["sources"] = pd.DataFrame(
            [{"name": n, "family": m.FAMILY} for n, m in sorted(all_sources().items())],
            columns=["name", "family"])
    return frames


def provenance(res: Resources) -> list[dict]:
    """The latest successful refresh of every source: what the indicators were fed."""
    t = T.refresh_runs
    with res.engine.connect() as conn:
        rows = conn.execute(sa.select(t).where(t.c.status == "succeeded")
                            .order_by(t.c.started_at)).mappings().all()
    latest = {r["source"]: r for r in rows}
    return [{"source": s, "refresh_run_id": r["id"], "mode": r["mode"],
             "refreshed_at": _iso(r["finished_at"]), "checked_at": _iso(r["checked_at"])}
            for s, r in sorted(latest.items())]


def _iso(value) -> str | None:
    return value.isoformat() if value else None
