"""Stores of N joint CN-RU works for the scale benchmark: the real registry, curated deals
and events, plus generated works in the real shape (about 3.5 authorships each, OpenAlex
topics, ~20% of authorships at registry organisations, some of them watch-listed), written
straight through the driver (executemany on SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.tasks.ingest import ingest
from trendline.tasks.ingest.parsing.names import affiliation_code, affiliation_key, work_key

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
RUN = "00000000-0000-0000-0000-00000000beef"
TOPICS = [("1702", "Neural network learning methods"), ("1707", "Image and video recognition"),
          ("1903", "Remote sensing image classification"), ("2207", "Adaptive control"),
          ("3310", "Natural language processing models"), ("1710", "Data mining methods"),
          ("1703", "Optimisation algorithms")]
WORK_COLS = ["id", "source", "doi", "title", "publication_year", "language", "type",
             "cited_by_count", "fwci", "citation_percentile", "is_top10", "countries", "topics",
             "concepts", "authors_truncated", "funders", "updated_date", "url", "is_demo",
             "fetched_at", "refresh_run_id"]
AUTH_COLS = ["work_id", "author_position", "institution_index", "author_name",
             "institution_id", "institution_name", "ror_id", "country_code", "raw_affiliation",
             "affiliation_key", "work_key", "aff_code", "refresh_run_id"]


def institutions(res: Resources, rng: random.Random) -> dict[str, list[tuple]]:
    """(institution id, name, ror, country, key) per country: registry organisations with a
    ROR id (resolved by rule `ror`), and generated ones the registry does not know."""
    o = schema.organisations
    with res.engine.connect() as conn:
        known = conn.execute(sa.select(o.c.ror_id, o.c.name, o.c.country)
                             .where(o.c.ror_id.is_not(None), o.c.country.in_(["CN", "RU"]))).all()
    pool: dict[str, list[tuple]] = {"CN": [], "RU": [], "US": [], "known": []}
    for ror, name, country in known:
        pool["known"].append((f"I8{len(pool['known']):06d}", name, ror, country,
                              affiliation_key(name, ror)))
    for country, n in (("CN", 2400), ("RU", 900), ("US", 300)):
        for i in range(n):
            name = f"{country} Generated Research Organisation {i:04d}"
            pool[country].append((f"I7{country}{i:05d}", name, None, country,
                                  affiliation_key(name, None)))
    for group in pool.values():
        group[:] = [(*x, affiliation_code(x[4])) for x in group]
    return pool


def works(n: int, pool: dict, seed: int = 11):
    """(work rows, authorship rows) as tuples in WORK_COLS / AUTH_COLS order."""
    rng = random.Random(seed)
    years = list(range(2010, 2027))
    weights = [1.25 ** i for i in range(len(years))]
    known = {c: [x for x in pool["known"] if x[3] == c] for c in ("CN", "RU")}
    fetched = NOW.replace(tzinfo=None).isoformat(" ", "microseconds")
    for k in range(n):
        wid = f"W8{k:09d}"
        year = rng.choices(years, weights)[0]
        sub, name = rng.choice(TOPICS)
        topics = [{"id": f"T{sub}", "name": name, "score": 0.95, "subfield_id": sub,
                   "subfield": "", "field_id": "17", "field": "Computer Science"}]
        if sub != "1702" and rng.random() < 0.9:
            topics.append({"id": "T1702", "name": "Neural network learning methods",
                           "score": 0.6, "subfield_id": "1702", "subfield": "",
                           "field_id": "17", "field": "Computer Science"})
        authors = []
        for country, count in (("CN", rng.choice((1, 1, 2, 2))), ("RU", rng.choice((1, 1, 2))),
                               ("US", rng.choice((0, 0, 0, 1)))):
            for _ in range(count):
                src = known[country] if country != "US" and rng.random() < 0.2 else pool[country]
                authors.append(rng.choice(src))
        countries = sorted({a[3] for a in authors})
        top10 = rng.random() < 0.12
        yield (wid, "openalex", f"https://doi.org/10.5555/{wid}", f"Generated work {wid}", year,
               "en" if rng.random() < 0.97 else "ru", "article", rng.randint(0, 80),
               round(rng.lognormvariate(0, 0.8), 3), round(rng.random(), 4), top10,
               json.dumps(countries), json.dumps(topics), "[]", False, "[]", "2026-11-01",
               None, False, fetched, RUN), [
            (wid, pos, 0, f"Author {pos}", a[0], a[1], a[2], a[3], a[1], a[4], work_key(wid),
             a[5], RUN)
            for pos, a in enumerate(authors)]


def build(res: Resources, n: int, seed: int = 11) -> None:
    """Fill an empty, migrated store: registry, deals and events, then n works."""
    ingest(res, families=("watchlists", "deals"))
    pool = institutions(res, random.Random(seed))
    raw = res.engine.raw_connection()
    try:
        cur = raw.cursor()
        batch_w, batch_a = [], []
        for w, auths in works(n, pool, seed):
            batch_w.append(w)
            batch_a += auths
            if len(batch_w) >= 50_000:
                _write(res, cur, batch_w, batch_a)
                batch_w, batch_a = [], []
        _write(res, cur, batch_w, batch_a)
        _counts(res, cur, n)
        raw.commit()
    finally:
        raw.close()


def _write(res: Resources, cur, works_rows, auth_rows) -> None:
    if not works_rows:
        return
    if res.engine.dialect.name == "sqlite":
        for table, cols, rows in (("works", WORK_COLS, works_rows),
                                  ("authorships", AUTH_COLS, auth_rows)):
            marks = ",".join("?" * len(cols))
            cur.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({marks})", rows)
        return
    for table, cols, rows in (("works", WORK_COLS, works_rows),
                              ("authorships", AUTH_COLS, auth_rows)):
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join(_pg(v) for v in row) + "\n")
        with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
            copy.write(buf.getvalue())


def _pg(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _counts(res: Resources, cur, n: int) -> None:
    rows = []
    for series, scale in (("CN+RU", 1), ("US+CN", 60), ("US+RU", 2), ("CN", 900), ("RU", 40)):
        for y in range(2010, 2027):
            rows.append((series, "topics.subfield.id:1702", y, int(n / 17 * scale),
                         "https://api.openalex.org/works?filter=...", False,
                         NOW.isoformat(" "), RUN))
    sql = ("INSERT INTO publication_counts (series, ai_definition, year, count, query_url, "
           "is_demo, fetched_at, refresh_run_id) VALUES ")
    marks = "(?,?,?,?,?,?,?,?)" if res.engine.dialect.name == "sqlite" else \
        "(%s,%s,%s,%s,%s,%s,%s,%s)"
    cur.executemany(sql + marks, rows)
