"""POST /alerts/{id}/ack, /unack and /silence: the actions on an alert page, through the
same functions as `trendline ack`, `unack` and `silence add`, in one transaction each as
the CLI does, recording the signed-in user as the author."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from trendline.core import schema
from trendline.tasks.evaluate import alerts
from trendline.tasks.evaluate.alerts.silences import MATCHERS, NotFound
from trendline.web.auth import checked_form

DURATIONS = {"1d": dt.timedelta(days=1), "7d": dt.timedelta(days=7),
             "30d": dt.timedelta(days=30), "90d": dt.timedelta(days=90), "": None}
MAX_TEXT = 2000  # characters of a note or reason


def text(form, field: str, required: bool = False) -> str:
    value = str(form.get(field) or "").strip()
    if required and not value:
        raise HTTPException(400, f"The field '{field}' is empty: say what you did or decided.")
    if len(value) > MAX_TEXT:
        raise HTTPException(400, f"The field '{field}' is longer than {MAX_TEXT} characters.")
    return value


def run(request: Request, action, alert_id: str):
    """`action(conn, now)` in one transaction; an unknown alert or silence is a 404 page
    and a refused silence a 400 page, naming why."""
    res = request.app.state.res
    try:
        with res.engine.begin() as conn:
            return action(conn, res.now())
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def back(alert_id: str) -> RedirectResponse:
    return RedirectResponse(f"/alerts/{alert_id}#actions", status_code=303)


async def ack(request: Request):
    alert_id = request.path_params["alert_id"]
    checked, refused = await checked_form(request, f"/alerts/{alert_id}")
    if refused:
        return refused
    who, form = checked
    note = text(form, "note", required=True)
    run(request, lambda conn, now: alerts.acknowledge(conn, alert_id, note, who, now), alert_id)
    return back(alert_id)


async def unack(request: Request):
    alert_id = request.path_params["alert_id"]
    checked, refused = await checked_form(request, f"/alerts/{alert_id}")
    if refused:
        return refused
    run(request, lambda conn, now: alerts.unacknowledge(conn, alert_id), alert_id)
    return back(alert_id)


async def silence(request: Request):
    """Silence this alert (scope=alert) or every alert its labels' globs match
    (scope=labels), for a chosen time or until expired."""
    alert_id = request.path_params["alert_id"]
    checked, refused = await checked_form(request, f"/alerts/{alert_id}")
    if refused:
        return refused
    who, form = checked
    scope = str(form.get("scope") or "alert")
    duration = str(form.get("duration") or "")
    if scope not in ("alert", "labels") or duration not in DURATIONS:
        raise HTTPException(400, "Choose this alert or matching alerts, and a duration "
                                 "from the list.")
    reason = text(form, "reason")
    matchers = {k: text(form, k) for k in MATCHERS} if scope == "labels" else {}

    def add(conn, now):
        t = schema.alerts  # the alert must exist even when its labels are what count
        if conn.execute(sa.select(t.c.id).where(t.c.id == alert_id)).first() is None:
            raise NotFound(f"no alert {alert_id}")
        span = DURATIONS[duration]
        return alerts.add_silence(conn, now, alert_id=alert_id if scope == "alert" else None,
                                  ends_at=now + span if span else None, reason=reason,
                                  author=who, **matchers)

    run(request, add, alert_id)
    return back(alert_id)


ROUTES = [
    Route("/alerts/{alert_id}/ack", ack, methods=["POST"], name="alert_ack"),
    Route("/alerts/{alert_id}/unack", unack, methods=["POST"], name="alert_unack"),
    Route("/alerts/{alert_id}/silence", silence, methods=["POST"], name="alert_silence"),
]
