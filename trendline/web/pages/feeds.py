"""/changes: the watch-list change feed (added, changed, removed, with dates), newest
first and paged; /sources: refresh runs and incidents with their messages."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from trendline.core import schema
from trendline.tasks.publish.changes import LISTS, org_names
from trendline.tasks.publish.render import native_names, safe_url
from trendline.web.pages.organisations import page_number
from trendline.web.render import page

PAGE = 100
CHANGES = ("added", "changed", "removed")


def change_feed(conn, list_name: str, change: str, number: int) -> tuple[int, list[dict]]:
    c, e = schema.watchlist_changes, schema.watchlist_entries
    q = (sa.select(c.c.id, c.c.list_name, c.c.change, c.c.name, c.c.entry_id, c.c.detected_at,
                   c.c.details, e.c.country, e.c.org_id, e.c.listed_on, e.c.removed_on,
                   e.c.source_url)
         .select_from(c.outerjoin(e, e.c.id == c.c.entry_id)))
    if list_name:
        q = q.where(c.c.list_name == list_name)
    if change:
        q = q.where(c.c.change == change)
    total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar() or 0
    rows = [dict(r) for r in conn.execute(
        q.order_by(c.c.detected_at.desc(), c.c.list_name, c.c.name).limit(PAGE)
        .offset((number - 1) * PAGE)).mappings()]
    ids = {r["org_id"] for r in rows if r["org_id"]}
    names = {k: v for k, v in org_names(conn).items() if k in ids} if ids else {}
    for r in rows:
        r["list_title"] = LISTS.get(r["list_name"], r["list_name"])
        r["native"] = native_names(names.get(r["org_id"] or "", {}))
        r["link"] = safe_url(r["source_url"])
    return int(total), rows


async def changes(request: Request):
    q = request.query_params
    change = q.get("change", "")
    if change and change not in CHANGES:
        raise HTTPException(400, f"change must be one of {', '.join(CHANGES)}")
    list_name = q.get("list", "").strip()
    number = page_number(request)
    with request.app.state.res.engine.connect() as conn:
        total, rows = change_feed(conn, list_name, change, number)
    return page(request, "changes.html.j2", rows=rows, total=total, number=number,
                pages=max(1, -(-total // PAGE)), change=change, list_name=list_name,
                lists=LISTS, kinds=CHANGES)


def runs(conn, source: str, number: int) -> tuple[int, list[dict]]:
    r = schema.refresh_runs
    q = sa.select(r)
    if source:
        q = q.where(r.c.source == source)
    total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar() or 0
    rows = conn.execute(q.order_by(r.c.started_at.desc()).limit(PAGE)
                        .offset((number - 1) * PAGE)).mappings()
    return int(total), [dict(x) for x in rows]


def incidents(conn) -> list[dict]:
    i = schema.incidents
    return [dict(x) for x in conn.execute(
        sa.select(i).order_by(i.c.resolved_at.is_not(None), i.c.opened_at.desc()).limit(PAGE)
    ).mappings()]


async def sources(request: Request):
    source = request.query_params.get("source", "").strip()
    number = page_number(request)
    with request.app.state.res.engine.connect() as conn:
        total, rows = runs(conn, source, number)
        open_and_past = incidents(conn)
    return page(request, "sources.html.j2", runs=rows, total=total, number=number,
                pages=max(1, -(-total // PAGE)), source=source, incidents=open_and_past,
                demo=any(r["mode"] == "demo" for r in rows))


ROUTES = [Route("/changes", changes, name="changes"),
          Route("/sources", sources, name="sources")]
