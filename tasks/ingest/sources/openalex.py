"""OpenAlex: yearly counts by server-side group_by, and the CN+RU works by cursor paging.

Counts are all the dyad and share indicators need, so every series costs one request.
Only the joint CN+RU set is paged record by record, for evidence and breakdowns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.fields import short_id
from trendline.tasks.ingest.parsing.names import affiliation_code, affiliation_key, work_key
from trendline.tasks.ingest.source import Batch, Skip, Source, SourceError

NAME = "openalex"
DEMO_DIR = DATA_DIR / "demo" / "openalex"
SERIES = {  # name -> countries that must all appear among a work's authorships
    "CN+RU": ("CN", "RU"),
    "US+CN": ("US", "CN"),
    "US+RU": ("US", "RU"),
    "CN": ("CN",),
    "RU": ("RU",),
    "US": ("US",),
}
JOINT = "CN+RU"
SELECT = (
    "id,doi,title,publication_year,language,type,cited_by_count,fwci,"
    "citation_normalized_percentile,cited_by_percentile_year,authorships,topics,grants,"
    "updated_date,concepts,primary_topic,is_authors_truncated"
)
AI_DEFINITIONS = {  # filter clause -> what it means (trendline.toml: sources.openalex)
    "topics.subfield.id:1702": "any of a work's topics in the Artificial Intelligence subfield",
    "primary_topic.subfield.id:1702": "the primary topic in Artificial Intelligence (strict)",
    "concepts.id:C154945302": "the legacy MAG-style AI concept, closest to the brief (deprecated)",
    "topics.field.id:17": "any topic in Computer Science (broad)",
}


class Client(Protocol):
    base_url: str

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]: ...


def series_filter(countries: tuple[str, ...], ai_definition: str, language: str = "en") -> str:
    """The AI definition, the language (the brief counted English-language papers) and one
    clause per required country (repeating a filter key ANDs it)."""
    parts = [ai_definition, *([f"language:{language}"] if language else []), "is_paratext:false"]
    parts += [f"authorships.countries:{c}" for c in countries]
    return ",".join(parts)


def count_params(countries: tuple[str, ...], ai_definition: str, language: str = "en",
                 include_xpac: bool = False) -> dict[str, Any]:
    return {
        "filter": series_filter(countries, ai_definition, language),
        "group_by": "publication_year",
        "per_page": 200,
        **xpac_param(include_xpac),
    }


def works_params(ai_definition: str, per_page: int, cursor: str, language: str = "en",
                 include_xpac: bool = False) -> dict[str, Any]:
    return {
        "filter": series_filter(SERIES[JOINT], ai_definition, language),
        "select": SELECT,
        "per_page": per_page,
        "cursor": cursor,
        **xpac_param(include_xpac),
    }


def xpac_param(include_xpac: bool) -> dict[str, str]:
    """The API leaves XPAC (expansion-pack) works out unless asked: the parameter is sent
    only when `sources.openalex.include_xpac` is set, as the snapshot path reads it."""
    return {"include_xpac": "true"} if include_xpac else {}


def query_url(base_url: str, path: str, params: dict[str, Any]) -> str:
    """The request as a reader can replay it (never with the API key). It always says
    whether XPAC works are counted: `include_xpac=false` is the API's default, written out
    so the stored query and the evidence state it."""
    clean = {k: v for k, v in params.items() if k not in ("api_key", "cursor")}
    clean.setdefault("include_xpac", "false")
    return f"{base_url}{path}?{urlencode(clean, safe=':,|')}"


@dataclass
class Raw:
    base_url: str
    ai_definition: str
    mode: str
    counts: dict[str, tuple[str, dict]] = field(default_factory=dict)  # series -> (url, body)
    pages: list[dict] = field(default_factory=list)
    requests: int = 0
    notes: list[str] = field(default_factory=list)


def make_client(settings: Settings) -> Client:
    if settings.sources.publications == "demo":
        from trendline.tasks.ingest.clients.openalex_replay import ReplayClient

        return ReplayClient(DEMO_DIR)
    if settings.openalex_api_key is None:
        raise Skip("OPENALEX_API_KEY is not set: the live OpenAlex source needs a (free) key")
    from trendline.tasks.ingest.clients.openalex_http import LiveClient

    return LiveClient.from_settings(settings)


def fetch(settings: Settings, client: Client | None = None) -> Raw:
    """Every request first, into memory; nothing reaches the store unless all succeed."""
    cfg = settings.sources.openalex
    own = client is None
    client = client or make_client(settings)
    mode = "demo" if settings.sources.publications == "demo" else "live"
    raw = Raw(client.base_url, cfg.ai_definition, mode)
    if cfg.ai_definition not in AI_DEFINITIONS:
        raw.notes.append(f"AI definition {cfg.ai_definition!r} is not one of the documented four")
    try:
        for name, countries in SERIES.items():
            params = count_params(countries, cfg.ai_definition, cfg.language,
                                  cfg.include_xpac)
            url = query_url(client.base_url, "/works", params)
            raw.counts[name] = (url, client.get("/works", params))
        raw.pages = list(pages(client, cfg.ai_definition, cfg.per_page, cfg.language,
                               cfg.max_pages, cfg.include_xpac))
        raw.pages += whole_works(client, raw.pages)
    finally:
        if own and hasattr(client, "close"):
            client.close()
    works = sum(len(p.get("results") or []) for p in raw.pages)
    if works < cfg.min_works:
        raise SourceError(
            f"OpenAlex returned {works} joint works, fewer than min_works={cfg.min_works}"
        )
    raw.requests = getattr(client, "requests", 0)
    budget = getattr(client, "budget_left", None)
    raw.notes.append(f"{raw.requests} requests" + (f", budget left {budget}" if budget else ""))
    return raw


def pages(client: Client, ai_definition: str, per_page: int, language: str = "en",
          max_pages: int = 5000, include_xpac: bool = False) -> Iterator[dict]:
    """The CN+RU works, page by page, until OpenAlex gives no next cursor. A cursor seen
    before (the server going round in circles) or more than `max_pages` pages stop the
    refresh with one line."""
    cursor, seen = "*", set()
    while cursor:
        if len(seen) >= max_pages:
            raise SourceError(f"OpenAlex paging passed {max_pages:,} pages (the limit "
                              "sources.openalex.max_pages); nothing written")
        seen.add(cursor)
        body = client.get("/works", works_params(ai_definition, per_page, cursor, language,
                                                 include_xpac))
        yield body
        cursor = (body.get("meta") or {}).get("next_cursor")
        if not body.get("results"):
            break
        if cursor in seen:
            raise SourceError(f"OpenAlex repeated a paging cursor after {len(seen):,} "
                              "page(s): the listing would never end; nothing written")


def whole_works(client: Client, pages_: list[dict]) -> list[dict]:
    """List pages cut authorships at 100 (`is_authors_truncated`): such works are fetched
    one by one, whole, and replace their truncated copy (the later page wins)."""
    cut = [w["id"] for p in pages_ for w in p.get("results") or [] if w.get("is_authors_truncated")]
    return [{"results": [{**client.get(f"/works/{short_id(wid)}", {"select": SELECT}),
                          "is_authors_truncated": False}]} for wid in cut]


def normalise(raw: Raw) -> Batch:
    batch = Batch(mode=raw.mode, notes=list(raw.notes))
    counts = []
    for series, (url, body) in raw.counts.items():
        for group in body.get("group_by") or []:
            year = _year(group.get("key"))
            if year is None:
                batch.notes.append(f"{series}: ignored group key {group.get('key')!r}")
                continue
            counts.append({"series": series, "ai_definition": raw.ai_definition, "year": year,
                           "count": int(group["count"]), "query_url": url,
                           "is_demo": raw.mode == "demo"})
    works, authorships = {}, {}
    for page in raw.pages:
        for item in page.get("results") or []:
            batch.read += 1
            work, auths = work_rows(item, demo=raw.mode == "demo")
            works[work["id"]] = work
            for a in auths:
                authorships[(a["work_id"], a["author_position"], a["institution_index"])] = a
    batch.tables = {
        "publication_counts": counts,
        "works": list(works.values()),
        "authorships": list(authorships.values()),
    }
    return batch


def work_rows(item: dict, demo: bool = False) -> tuple[dict, list[dict]]:
    """One OpenAlex work as a works row and its authorship-institution rows."""
    wid = short_id(item["id"])
    wkey = work_key(wid)
    percentile = item.get("citation_normalized_percentile") or {}
    by_year = item.get("cited_by_percentile_year") or {}
    top10 = percentile.get("is_in_top_10_percent")
    if top10 is None and by_year.get("min") is not None:
        top10 = by_year["min"] >= 90  # older records: percentile among works of the same year
    countries: set[str] = set()
    auths = []
    for pos, a in enumerate(item.get("authorships") or []):
        countries.update(a.get("countries") or [])
        raw_aff = "; ".join(a.get("raw_affiliation_strings") or [])
        insts = a.get("institutions") or [{}]
        for idx, inst in enumerate(insts):
            if inst.get("country_code"):
                countries.add(inst["country_code"])
            auths.append({
                "work_id": wid,
                "author_position": pos,
                "institution_index": idx,
                "author_name": ((a.get("author") or {}).get("display_name") or "")[:255],
                "institution_id": short_id(inst.get("id")),
                "institution_name": inst.get("display_name") or raw_aff,
                "ror_id": short_id(inst.get("ror")),
                "country_code": inst.get("country_code"),
                "raw_affiliation": raw_aff,
            })
            key = affiliation_key(inst.get("display_name") or raw_aff, short_id(inst.get("ror")))
            auths[-1].update(affiliation_key=key, work_key=wkey, aff_code=affiliation_code(key))
    work = {
        "id": wid,
        "source": NAME,
        "doi": item.get("doi"),
        "title": item.get("title") or item.get("display_name") or "",
        "publication_year": item.get("publication_year"),
        "language": item.get("language"),
        "type": item.get("type"),
        "cited_by_count": item.get("cited_by_count"),
        "fwci": item.get("fwci"),
        "citation_percentile": percentile.get("value"),
        "is_top10": top10,
        "countries": sorted(countries),
        "topics": [_topic(t) for t in item.get("topics") or []],
        "concepts": [short_id(c.get("id")) for c in item.get("concepts") or [] if c.get("id")],
        "authors_truncated": bool(item.get("is_authors_truncated")),
        "funders": [g.get("funder_display_name") for g in item.get("grants") or []
                    if g.get("funder_display_name")],
        "updated_date": item.get("updated_date"),
        "is_demo": demo,
    }
    return work, auths


def _topic(t: dict) -> dict:
    sub, fld = t.get("subfield") or {}, t.get("field") or {}
    return {
        "id": short_id(t.get("id")),
        "name": t.get("display_name"),
        "score": t.get("score"),
        "subfield_id": short_id(sub.get("id")),
        "subfield": sub.get("display_name"),
        "field_id": short_id(fld.get("id")),
        "field": fld.get("display_name"),
    }


def _year(key: Any) -> int | None:
    try:
        year = int(str(key))
    except ValueError:
        return None
    return year if 1900 <= year <= 2100 else None


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="publications")
