"""/organisations (searchable, paged) and /organisations/{id}: names in every script,
aliases, ROR id, list memberships as dated intervals, and the papers, deals and events
that involve it (counted, the latest few named, bounded queries)."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from trendline.core import schema
from trendline.tasks.publish.changes import LISTS
from trendline.tasks.publish.render import safe_url
from trendline.web.render import page

PAGE = 100
LATEST = 10  # papers, deals and events named on an organisation's page
SCRIPTS = {"en": "English", "zh": "Chinese", "ru": "Russian"}


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise HTTPException(400, f"page must be a whole number from 1, not {raw!r}")
    return int(raw)


def search(conn, text: str, number: int) -> tuple[int, list[dict]]:
    o = schema.organisations
    q = sa.select(o.c.id, o.c.name, o.c.country, o.c.ror_id)
    if text:  # a plain filter: bound as a parameter, never spliced into SQL
        like = f"%{text.lower()}%"
        q = q.where(sa.or_(sa.func.lower(o.c.name).like(like), o.c.id == text))
    total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar()
    rows = conn.execute(q.order_by(o.c.name, o.c.id).limit(PAGE)
                        .offset((number - 1) * PAGE)).mappings()
    return int(total or 0), [dict(r) for r in rows]


async def organisation_list(request: Request):
    text = request.query_params.get("q", "").strip()
    number = page_number(request)
    with request.app.state.res.engine.connect() as conn:
        total, rows = search(conn, text, number)
    return page(request, "organisations.html.j2", orgs=rows, total=total, q=text,
                number=number, pages=max(1, -(-total // PAGE)))


def names_by_script(names) -> list[dict]:
    out = []
    for lang, vals in (names or {}).items():
        vals = [vals] if isinstance(vals, str) else list(vals or [])
        unique = list(dict.fromkeys(v for v in vals if v))
        if unique:
            out.append({"script": SCRIPTS.get(lang, lang), "names": unique})
    return out


def memberships(conn, org_id: str) -> list[dict]:
    t = schema.org_listings
    rows = conn.execute(sa.select(t).where(t.c.org_id == org_id)
                        .order_by(t.c.listed_on.desc().nulls_last(), t.c.list_name)).mappings()
    return [{**dict(r), "list_title": LISTS.get(r["list_name"], r["list_name"]),
             "link": safe_url(r["source_url"])} for r in rows]


def papers(conn, org_id: str) -> tuple[int, list[dict]]:
    """Papers with an authorship resolved to the organisation: how many, the latest few."""
    m, a, w = schema.affiliation_matches, schema.authorships, schema.works
    keys = sa.select(m.c.key).where(m.c.org_id == org_id)
    ids = sa.select(a.c.work_id).where(a.c.affiliation_key.in_(keys)).distinct().subquery()
    total = conn.execute(sa.select(sa.func.count()).select_from(ids)).scalar() or 0
    rows = conn.execute(
        sa.select(w.c.id, w.c.title, w.c.publication_year, w.c.doi, w.c.url, w.c.is_demo)
        .where(w.c.id.in_(sa.select(ids.c.work_id)))
        .order_by(w.c.publication_year.desc().nulls_last(), w.c.id.desc()).limit(LATEST))
    return int(total), [{**dict(r), "link": "" if r.is_demo else safe_url(r.doi or r.url)}
                        for r in rows.mappings()]


def parties(conn, org_id: str, kind: str) -> tuple[int, list[dict]]:
    """Deals or events with a party resolved to the organisation (rule and score)."""
    p = schema.party_matches
    where = sa.and_(p.c.org_id == org_id, p.c.record_kind == kind)
    total = conn.execute(sa.select(sa.func.count(sa.distinct(p.c.record_id))).where(where)
                         ).scalar() or 0
    t = schema.deals if kind == "deal" else schema.events
    when = t.c.announced_on if kind == "deal" else t.c.date
    title = t.c.target if kind == "deal" else t.c.title
    extra = [t.c.amount_usd, t.c.direction] if kind == "deal" else [t.c.type]
    rows = conn.execute(
        sa.select(t.c.id, title.label("title"), when.label("date"), t.c.year, t.c.source_url,
                  t.c.is_demo, p.c.name.label("as_named"), p.c.role, p.c.rule, p.c.score,
                  *extra)
        .join(p, sa.and_(p.c.record_id == t.c.id, where))
        .order_by(t.c.year.desc().nulls_last(), t.c.id).limit(LATEST))
    return int(total), [{**dict(r), "link": "" if r.is_demo else safe_url(r.source_url)}
                        for r in rows.mappings()]


def profile(conn, org_id: str) -> dict:
    o = schema.organisations
    org = conn.execute(sa.select(o).where(o.c.id == org_id)).mappings().first()
    if org is None:
        raise HTTPException(404, f"no organisation {org_id!r}: search /organisations")
    parent = None
    if org["parent_id"]:
        parent = conn.execute(sa.select(o.c.id, o.c.name).where(o.c.id == org["parent_id"])
                              ).mappings().first()
    n_papers, latest_papers = papers(conn, org_id)
    n_deals, deals = parties(conn, org_id, "deal")
    n_events, events = parties(conn, org_id, "event")
    return {"org": dict(org), "parent": parent, "scripts": names_by_script(org["names"]),
            "listings": memberships(conn, org_id),
            "papers": {"count": n_papers, "latest": latest_papers},
            "deals": {"count": n_deals, "latest": deals},
            "events": {"count": n_events, "latest": events}}


async def organisation(request: Request):
    with request.app.state.res.engine.connect() as conn:
        ctx = profile(conn, request.path_params["id"])
    demo = any(r["is_demo"] for k in ("papers", "deals", "events") for r in ctx[k]["latest"])
    return page(request, "organisation.html.j2", **ctx, demo=demo, latest_n=LATEST)


ROUTES = [Route("/organisations", organisation_list, name="organisations"),
          Route("/organisations/{id:path}", organisation, name="organisation")]
