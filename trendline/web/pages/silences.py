"""/silences: stored silences (in force, or all with ?all=1), each expirable by a
signed-in user through the function `trendline silence expire` uses."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from trendline.tasks.evaluate import alerts
from trendline.tasks.evaluate.alerts.silences import NotFound
from trendline.web.auth import checked_form
from trendline.web.render import page

LIMIT = 500  # silences shown; people add them by hand, so a store holds few


def until(value) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "until expired by hand"


async def listing(request: Request):
    show_all = request.query_params.get("all") == "1"
    res = request.app.state.res
    with res.engine.connect() as conn:
        rows = alerts.list_silences(conn, res.now(), include_expired=show_all)
    rows = sorted(rows, key=lambda r: (not r["active"], str(r["created_at"])), reverse=False)
    shown = [{**r, "until": until(r["ends_at"])} for r in rows[:LIMIT]]
    return page(request, "silences.html.j2", silences=shown, show_all=show_all)


async def expire(request: Request):
    silence_id = request.path_params["silence_id"]
    checked, refused = await checked_form(request, "/silences")
    if refused:
        return refused
    res = request.app.state.res
    try:
        with res.engine.begin() as conn:
            alerts.expire_silence(conn, silence_id, res.now())
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse("/silences", status_code=303)


ROUTES = [
    Route("/silences", listing, name="silences"),
    Route("/silences/{silence_id}/expire", expire, methods=["POST"], name="silence_expire"),
]
