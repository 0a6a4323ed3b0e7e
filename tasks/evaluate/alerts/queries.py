"""Reading alerts: the firing ones, listings annotated with silences and acknowledgements,
and the rows of the report."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from trendline.core import schema
from trendline.indicators.base import SEVERITIES
from trendline.tasks.evaluate.alerts.silences import active_silences, matching_silence


def _order(r: dict) -> tuple:
    return (-SEVERITIES.index(r["severity"]), r["indicator_id"], r["period"], r["subject"])


def firing(conn, indicator_id: str | None = None) -> list[dict]:
    t = schema.alerts
    q = sa.select(t).where(t.c.state == "firing")
    if indicator_id:
        q = q.where(t.c.indicator_id == indicator_id)
    return sorted((dict(r) for r in conn.execute(q).mappings()), key=_order)


def annotate(conn, rows: list[dict], settings, now: dt.datetime) -> list[dict]:
    """Each row gains silenced_by, silence_author, silence_reason, silenced_until (the
    silence holding it now, if any, and who added it); acked_by and ack_note are columns."""
    silences = active_silences(conn, settings, now)
    for r in rows:
        s = matching_silence(r, silences) if r["state"] in ("firing", "pending") else None
        r["silenced_by"] = s["id"] if s else None
        r["silence_author"] = (s.get("author") or "unknown") if s else None
        r["silence_reason"] = s["reason"] if s else None
        r["silenced_until"] = s["ends_at"] if s else None
    return rows


def listing(conn, settings, now: dt.datetime, show_all: bool = False) -> list[dict]:
    """Alerts people act on: firing and no_data (all states with show_all), annotated."""
    t = schema.alerts
    q = sa.select(t) if show_all else sa.select(t).where(t.c.state.in_(("firing", "no_data")))
    rows = sorted((dict(r) for r in conn.execute(q).mappings()), key=_order)
    return annotate(conn, rows, settings, now)


def status(r: dict) -> str:
    """The state as people read it: silenced and acknowledged are shown as such."""
    if r.get("silenced_by"):
        return "silenced"
    if r["state"] == "firing" and r.get("acked_at"):
        return "acked"
    return r["state"]


def report_rows(conn, settings, now: dt.datetime, history: bool = True) -> list[dict]:
    """Every alert the report shows: firing (current, silenced or acked), no_data, pending
    and history (unless not wanted), each with a `change` label for the templates."""
    t = schema.alerts
    states = ("firing", "no_data", "pending", "history") if history else ("firing", "no_data")
    q = sa.select(t).where(t.c.state.in_(states))
    rows = annotate(conn, sorted((dict(r) for r in conn.execute(q).mappings()), key=_order),
                    settings, now)
    for r in rows:
        label = status(r)
        r["change"] = "current" if label == "firing" else label
        r["message"] += _note(r, label)
    return rows


def _note(r: dict, label: str) -> str:
    """Why it is quiet, in the words the templates print after the message."""
    if label == "silenced":
        until = r["silenced_until"]
        end = f" until {until:%Y-%m-%d %H:%M}" if until else ""
        return f" [silenced{end} ({r['silenced_by']}): {r['silence_reason'] or 'no reason'}]"
    if label == "acked":
        return f" [acknowledged by {r['acked_by']}: {r['ack_note']}]"
    if label == "no_data":
        return f" [no data: {r['no_data_reason']}]"
    return ""
