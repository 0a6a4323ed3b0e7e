"""/api/...: the pages' data as JSON for scripts, in the shapes of the CLI's `--format
json` (`trendline indicators`, `trendline alerts`), serialised as the CLI serialises."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trendline.tasks.publish.report import overview as indicator_overview
from trendline.web.pages import alerts, feeds, organisations
from trendline.web.pages.indicators import declared_or_404


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def as_json(data: Any, status_code: int = 200) -> Response:
    """As `trendline ... --format json` prints it (ISO dates, UTF-8 kept)."""
    body = json.dumps(data, indent=2, ensure_ascii=False, default=_default)
    return Response(body, status_code=status_code, media_type="application/json")


async def indicators(request: Request):
    with request.app.state.res.engine.connect() as conn:
        return as_json(indicator_overview(conn))


async def indicator(request: Request):
    ind = declared_or_404(request.path_params["id"])
    with request.app.state.res.engine.connect() as conn:
        row = next((r for r in indicator_overview(conn, ind.id) if r["id"] == ind.id), None)
    if row is None:
        raise HTTPException(404, f"{ind.id} has not been evaluated yet")
    return as_json(row)


async def alert_list(request: Request):
    """`?status=all` is `trendline alerts --all --format json`; no status, the default."""
    res = request.app.state.res
    f = alerts.args(request)
    with res.engine.connect() as conn:
        _, rows = alerts.listed(conn, res.settings, res.now(), **f, limit=alerts.DERIVED_SCAN)
    return as_json(rows)


async def alert(request: Request):
    res = request.app.state.res
    with res.engine.connect() as conn:
        ctx = alerts.one(conn, res.settings, res.now(), request.path_params["id"])
    return as_json({**alerts.cli_shape(ctx["alert"]), "members": ctx["members"],
                    "members_total": ctx["members_total"], "events": ctx["events"],
                    "silences": ctx["silences"]})


async def organisation(request: Request):
    with request.app.state.res.engine.connect() as conn:
        return as_json(organisations.profile(conn, request.path_params["id"]))


async def changes(request: Request):
    number = organisations.page_number(request)
    with request.app.state.res.engine.connect() as conn:
        total, rows = feeds.change_feed(conn, request.query_params.get("list", ""),
                                        request.query_params.get("change", ""), number)
    return as_json({"total": total, "page": number, "rows": rows})


async def sources(request: Request):
    number = organisations.page_number(request)
    with request.app.state.res.engine.connect() as conn:
        total, rows = feeds.runs(conn, request.query_params.get("source", ""), number)
        return as_json({"total": total, "page": number, "runs": rows,
                        "incidents": feeds.incidents(conn)})


ROUTES = [
    Route("/api/indicators", indicators),
    Route("/api/indicators/{id}", indicator),
    Route("/api/alerts", alert_list),
    Route("/api/alerts/{id}", alert),
    Route("/api/organisations/{id:path}", organisation),
    Route("/api/changes", changes),
    Route("/api/sources", sources),
]
