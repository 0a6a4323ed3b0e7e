"""/ : the verdict table grouped as the brief groups it (each indicator's latest complete
value with its unit, the brief's figure, a sparkline, its alert status), the data-health
strip and the demo banner. Reads the same overview as `trendline indicators`."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.routing import Route

from trendline.core import schema
from trendline.tasks.publish.brief import grouped, verdict_short
from trendline.tasks.publish.report import overview as indicator_overview
from trendline.web.render import page
from trendline.web.svg import sparkline_svg


def health(conn) -> dict:
    """Each source's last run and last successful refresh, and the open incidents."""
    r = schema.refresh_runs
    last_ok = dict(conn.execute(
        sa.select(r.c.source, sa.func.max(r.c.started_at))
        .where(r.c.status == "succeeded").group_by(r.c.source)).all())
    latest = sa.select(r.c.source, sa.func.max(r.c.started_at).label("at")) \
        .group_by(r.c.source).subquery()
    runs = conn.execute(
        sa.select(r.c.source, r.c.status, r.c.mode, r.c.started_at, r.c.message)
        .join(latest, sa.and_(latest.c.source == r.c.source, latest.c.at == r.c.started_at))
        .order_by(r.c.source)).mappings().all()
    i = schema.incidents
    incidents = [dict(x) for x in conn.execute(
        sa.select(i).where(i.c.resolved_at.is_(None)).order_by(i.c.opened_at.desc())
        .limit(50)).mappings()]
    sources = [{**dict(x), "last_success": last_ok.get(x["source"])} for x in runs]
    return {"sources": sources, "incidents": incidents,
            "demo": any(x["mode"] == "demo" for x in sources)}


def table(conn, today) -> tuple[list[dict], list[dict]]:
    """(the overview rows as the CLI's JSON has them, the grouped table for people)."""
    rows = indicator_overview(conn)
    groups = grouped(rows, today)
    by_id = {r["id"]: r for r in rows}
    for g in groups:
        for b in g["rows"]:
            ind = by_id[b["id"]]
            values = {p["period"]: p["value"] for p in ind["series"]}
            years = [p for p in values if p.isdigit()][-12:]
            b["spark_svg"] = sparkline_svg([values.get(y) for y in years],
                                           f"{b['title']}, {b['spark_range']}")
            b["verdict_short"] = verdict_short(ind.get("verdict")) or ""
    return rows, groups


async def overview(request: Request):
    res = request.app.state.res
    with res.engine.connect() as conn:
        rows, groups = table(conn, res.now().date())
        data = health(conn)
    demo = data["demo"] or any(b["demo"] for g in groups for b in g["rows"])
    return page(request, "overview.html.j2", groups=groups, health=data, demo=demo,
                evaluated=bool(rows))


ROUTES = [Route("/", overview, name="overview")]
