"""Works: AI relevance under the configured definition (the same test for the API, the
snapshot and CNKI's keyword definition), language, countries by ISO code, the brief's
research field and funders; each stored in work_facts with the rule that decided it."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from functools import lru_cache

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert
from trendline.core.settings import DATA_DIR, OpenAlexConfig
from trendline.tasks.ingest.parsing.fields import short_id
from trendline.tasks.ingest.parsing.names import work_key

CNKI_AI = "cnki:ai"  # the pseudo-topic CNKI ingest sets from the keyword definition
FIELDS = DATA_DIR / "research" / "fields.toml"
OTHER = "other"
TOPIC_KEYS = {"subfield": "subfield_id", "field": "field_id", "id": "id"}
BATCH = 20_000


def definition_label(cfg: OpenAlexConfig) -> str:
    return f"{cfg.ai_definition}, language:{cfg.language or 'any'}"


def ai_test(definition: str) -> Callable[[list, list], tuple[bool, str]]:
    """The OpenAlex filter clause `path:value[|value]` as a test on a stored work:
    topics.{subfield,field}.id (any topic), primary_topic.* (the top-scoring topic),
    concepts.id."""
    path, _, value = definition.partition(":")
    wanted = {tail for tail in map(short_id, value.split("|")) if tail}
    head, _, rest = path.partition(".")
    attr = TOPIC_KEYS.get(rest.removesuffix(".id") or "id", "id")

    def test(topics: list, concepts: list) -> tuple[bool, str]:
        topics = [t for t in topics or [] if isinstance(t, dict)]
        if head == "concepts":
            hit = next((c for c in concepts or [] if str(c) in wanted), None)
            return (True, f"concept {hit}") if hit else (False, f"no concept {value}")
        if head == "primary_topic":
            topics = sorted(topics, key=lambda t: -(t.get("score") or 0))[:1]
        for t in topics:
            if str(t.get(attr)) in wanted:
                return True, f"topic {t.get('id')} ({t.get('name')}) has {path} {t.get(attr)}"
        return False, f"no topic with {path} {value}"

    return test


@lru_cache(maxsize=1)
def fields() -> list[dict]:
    return tomllib.loads(FIELDS.read_text(encoding="utf-8"))["field"]


def field_of(topics: list) -> str:
    """The brief's Table 1 field: by the top-scoring topic's name, then its subfield."""
    topics = [t for t in topics or [] if isinstance(t, dict)]
    if not topics:
        return OTHER
    top = max(topics, key=lambda t: t.get("score") or 0)
    name = f" {(top.get('name') or '').lower()} "
    for f in fields():
        if any(k in name for k in f["keywords"]):
            return f["name"]
    for f in fields():
        if str(top.get("subfield_id") or "") in f["subfields"]:
            return f["name"]
    return OTHER


def resolve_works(conn, cfg: OpenAlexConfig, now: dt.datetime, everything: bool) -> int:
    """Facts for works not resolved yet, changed since, or under another definition (all
    of them when `everything`); CNKI works always, since their countries come from
    affiliations. Facts of works that left the store go too."""
    w, f = schema.works, schema.work_facts
    label = definition_label(cfg)
    conn.execute(f.delete().where(~sa.exists().where(w.c.id == f.c.work_id)))
    q = sa.select(w.c.id, w.c.source, w.c.publication_year, w.c.language, w.c.countries,
                  w.c.topics, w.c.concepts, w.c.funders, w.c.authors_truncated, w.c.is_demo)
    if not everything:
        stale = sa.select(f.c.work_id).where(
            f.c.work_id == w.c.id, f.c.definition == label, f.c.resolved_at >= w.c.fetched_at)
        q = q.where(sa.or_(~sa.exists(stale), w.c.source == "cnki"))
    test = ai_test(cfg.ai_definition)
    cnki_countries = _cnki_countries(conn)
    written = 0
    rows = conn.execute(q.execution_options(yield_per=BATCH))
    for chunk in rows.partitions(BATCH):
        facts = [_facts(r, test, label, cfg.language, cnki_countries, now) for r in chunk]
        written += upsert(conn, f, facts)
    return written


def _facts(r, test, label: str, language: str, cnki_countries: dict, now) -> dict:
    topics = r.topics or []
    if r.source == "cnki":
        ai = next((t for t in topics if isinstance(t, dict) and t.get("id") == CNKI_AI), None)
        is_ai, ai_rule = (True, str(ai.get("name"))) if ai else (False, "no AI keyword (CNKI)")
        countries, country_rule = cnki_countries.get(r.id, (set(), "no affiliation"))
        if not countries and (r.language or "") == "zh":
            countries, country_rule = {"CN"}, "no affiliation; a Chinese-language CNKI record"
    else:
        is_ai, ai_rule = test(topics, r.concepts or [])
        countries, country_rule = set(r.countries or []), "source: OpenAlex authorships"
    return {
        "work_id": r.id, "work_key": work_key(r.id), "year": r.publication_year,
        "source": r.source, "definition": label,
        "is_ai": is_ai, "ai_rule": ai_rule[:500], "language": r.language,
        "in_language": not language or (r.language or "") == language,
        "countries": ",".join(sorted(countries)), "country_rule": country_rule[:500],
        "is_joint": {"CN", "RU"} <= set(countries), "field": field_of(topics),
        "funders": ";".join(str(x) for x in (r.funders or []))[:160],
        "authors_truncated": bool(r.authors_truncated), "is_demo": bool(r.is_demo),
        "resolved_at": now,
    }


def _cnki_countries(conn) -> dict[str, tuple[set[str], str]]:
    """work id -> (countries of its resolved affiliations, how)."""
    a, m, w = schema.authorships, schema.affiliation_matches, schema.works
    q = (sa.select(a.c.work_id, m.c.country, m.c.country_rule)
         .join(m, m.c.key == a.c.affiliation_key).join(w, w.c.id == a.c.work_id)
         .where(w.c.source == "cnki", m.c.country.is_not(None)))
    out: dict[str, tuple[set[str], list[str]]] = {}
    for wid, country, rule in conn.execute(q):
        got = out.setdefault(wid, (set(), []))
        got[0].add(country)
        got[1].append(f"{country} by {rule}")
    return {k: (v[0], "affiliations: " + "; ".join(sorted(set(v[1])))) for k, v in out.items()}


