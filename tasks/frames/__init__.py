"""Frames: the resolved facts read column-wise into the pandas frames indicators compute on.

Only the columns indicators use are read (titles and DOIs stay in the store: evidence
samples are filled in afterwards for the few records shown). The large frames (works,
authorships) are read column-wise (tasks/frames/columnar.py) into compact dtypes: Arrow
strings, categories, and integer keys for the joins; never as ORM rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.indicators.common import coded
from trendline.tasks.frames.columnar import Columnar
from trendline.tasks.ingest.sources import all_sources
from trendline.tasks.resolve.registry import COUNTED

T = schema


def _works():
    w, f = T.works, T.work_facts
    return (sa.select(w.c.id, f.c.work_key.label("key"), f.c.year, f.c.source, f.c.is_ai,
                      f.c.in_language, f.c.is_joint, f.c.field, f.c.funders, f.c.is_demo,
                      w.c.cited_by_count, w.c.fwci, w.c.is_top10)
            .join(f, f.c.work_id == w.c.id))


CHILD_READS_FROM = 50_000  # works


def large_sqlite(conn) -> bool:
    """A SQLite store of CHILD_READS_FROM works or more: its large queries are read by
    ADBC children (below that the cursor is quicker than a child's start)."""
    if conn.dialect.name != "sqlite":
        return False
    lo, hi = conn.exec_driver_sql("SELECT min(rowid), max(rowid) FROM works").one()
    return lo is not None and hi - lo + 1 >= CHILD_READS_FROM


def _authorships():
    a = T.authorships
    return sa.select(sa.func.coalesce(a.c.work_key, -1).label("work_key"),
                     sa.func.coalesce(a.c.aff_code, -1).label("aff_code"))


def _affiliation_codes():
    m = T.affiliation_matches
    return sa.select(m.c.code, sa.case((m.c.rule.in_(COUNTED), m.c.org_id)).label("org_id"),
                     m.c.inst, m.c.country)


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
    "centre_works": lambda: sa.select(T.centre_works),
}
CATEGORIES = {"source", "field", "funders", "country", "org_id", "inst", "centre_id", "direction",
              "list_name"}


BULK = {"works"}  # read column-wise: no Python object per value
FLAGS = {"is_ai", "in_language", "is_joint", "is_demo"}
# columns a SQLite reader child sends narrower than 64 bits (flags, counts, positions)
NARROW = {**dict.fromkeys([*FLAGS, "is_top10"], "int8"), "cited_by_count": "int32"}


def read(conn, query) -> pd.DataFrame:
    """A small query's rows as a frame, repeated strings as categories."""
    result = conn.execute(query)
    return _compact(pd.DataFrame(result.all(), columns=list(result.keys())))


def read_bulk(col: Columnar, conn, query) -> pd.DataFrame:
    """A large query's rows, column-wise; 0/1 flags as booleans."""
    frame = col.frame(conn, query)
    for name in FLAGS & set(frame.columns):
        frame[name] = frame[name].fillna(0).astype(bool)
    if "is_top10" in frame:
        frame["is_top10"] = frame["is_top10"].astype("boolean")
    return _compact(frame)


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Repeated strings as categories, in text order whether pandas or Arrow made them."""
    for name in frame.columns:
        col = frame[name]
        if col.dtype != "category" and name in CATEGORIES:
            frame[name] = col.astype("category")
        elif col.dtype == "category" and not col.cat.categories.is_monotonic_increasing:
            frame[name] = col.cat.reorder_categories(col.cat.categories.sort_values())
    return frame


def affiliations(col: Columnar, conn, works: pd.DataFrame) -> pd.DataFrame:
    """Authorship x resolved affiliation: work_id (categorical over the works), org_id,
    inst, country (which author is which was decided in resolve: no indicator reads it).
    The authorships are read as integers (work key, affiliation code) and decoded
    through the small tables in numpy."""
    rows = col.ints(conn, _authorships())
    lookup = read(conn, _affiliation_codes()).drop_duplicates("code").set_index("code")
    at = pd.Index(lookup.index.astype("int64")).get_indexer(rows["aff_code"])
    wkeys = pd.Index(works["key"].astype("int64")) if len(works) else pd.Index([], dtype="int64")
    wpos = wkeys.get_indexer(rows["work_key"])
    keep = (at >= 0) & (wpos >= 0)
    at, wpos = at[keep], wpos[keep]
    ids = pd.Index(works["id"].astype("string[pyarrow]").array) if len(works) else pd.Index(
        [], dtype=str)  # one work a row, in id order (by_id): the row number is the code
    frame = pd.DataFrame({"work_id": coded(wpos, ids, ordered=True)})
    for name in ("org_id", "inst", "country"):
        values = lookup[name].astype("category")
        frame[name] = pd.Categorical.from_codes(values.cat.codes.to_numpy()[at],
                                                categories=values.cat.categories)
    useful = frame["org_id"].notna() | frame["country"].notna()
    return frame[useful.to_numpy()].reset_index(drop=True)


def by_id(works: pd.DataFrame) -> pd.DataFrame:
    """The works in the order of their ids' text (one Arrow sort)."""
    if not len(works):
        return works
    order = pc.sort_indices(pa.array(works["id"].astype("string[pyarrow]")))
    return works.take(order.to_numpy()).reset_index(drop=True)


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
    m = T.affiliation_matches  # OpenAlex institutions by their I-id (resolved already)
    insts = (sa.select(m.c.inst, sa.func.max(m.c.affiliation), sa.func.max(m.c.country))
             .where(m.c.inst.is_not(None)).group_by(m.c.inst))
    rows += [{"id": i, "name": n, "country": c, "name_zh": None, "name_ru": None}
             for i, n, c in conn.execute(insts)]
    return pd.DataFrame(rows, columns=["id", "name", "country", "name_zh", "name_ru"])


def _first(values) -> str | None:
    return values[0] if values else None


def load_frames(res: Resources, needs: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The frames the indicators ask for, by name."""
    needs = set(needs)
    frames: dict[str, pd.DataFrame] = {}
    col = None
    try:
        with res.engine.connect() as conn:
            big = bool(needs & {"works", "affiliations"}) and large_sqlite(conn)
            bulk = (_works(), *([_authorships()] if "affiliations" in needs else ())) \
                if big else ()
            col = Columnar(res.engine, bulk, NARROW)
            for name in sorted(needs & set(QUERIES)):
                query = QUERIES[name]()
                frames[name] = read_bulk(col, conn, query) if name in BULK else \
                    read(conn, query)
            if "affiliations" in needs:
                works = by_id(frames["works"] if "works" in frames
                              else read_bulk(col, conn, _works()))
                if "works" in frames:
                    frames["works"] = works
                frames["affiliations"] = affiliations(col, conn, works)
                # the same categories, in id order: joins and "newest first" on the codes
                works["id"] = pd.Categorical.from_codes(
                    np.arange(len(works)), dtype=frames["affiliations"]["work_id"].dtype,
                    validate=False)
                del works["key"]  # the join is made: the keys are not needed again
            if "orgs" in needs:
                frames["orgs"] = orgs_frame(conn)
    finally:
        if col is not None:
            col.close()
    if "sources" in needs:  # the scheduled sources (one-off imports are not among them)
        frames["sources"] = pd.DataFrame(
            [{"name": n, "family": s.family} for n, s in sorted(all_sources().items())],
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
