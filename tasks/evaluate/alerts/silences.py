"""Silences (config and the `silences` table) and acknowledgements.

A silence matches one alert by id, or alerts by glob matchers on indicator, subject, period
and severity; it holds from its start until its end (none: until expired). An
acknowledgement holds until the alert's severity rises above it, or the alert resolves.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import secrets

import sqlalchemy as sa

from trendline.core import schema

MATCHERS = ("indicator", "subject", "period", "severity")


class NotFound(LookupError):
    """No alert or silence with that id."""


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def active_silences(conn, settings, now: dt.datetime) -> list[dict]:
    """Config silences still in force (their `until` is the last day they hold), then
    stored ones that have started and not ended."""
    out = []
    for i, s in enumerate(settings.alerts.silences):
        if s.until is None or s.until >= now.date():
            out.append({"id": f"config:{i + 1}", "alert_id": None, "indicator": s.indicator,
                        "subject": s.subject, "period": s.period, "severity": s.severity,
                        "reason": s.reason, "author": "config",
                        "ends_at": None if s.until is None else
                        dt.datetime.combine(s.until + dt.timedelta(days=1), dt.time(),
                                            tzinfo=dt.UTC)})
    for s in _stored(conn):
        if _aware(s["starts_at"]) <= now and (s["ends_at"] is None or _aware(s["ends_at"]) > now):
            out.append(s)
    return out


def _stored(conn) -> list[dict]:
    t = schema.silences
    return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.created_at, t.c.id))
            .mappings()]


def matching_silence(alert: dict, silences: list[dict]) -> dict | None:
    """The first silence that holds for this alert (its labels), if any."""
    for s in silences:
        if s.get("alert_id"):
            if s["alert_id"] == alert["id"]:
                return s
            continue
        labels = {"indicator": alert["indicator_id"], "subject": alert["subject"],
                  "period": alert["period"], "severity": alert["severity"]}
        if all(fnmatch.fnmatchcase(str(labels[k]), s.get(k) or "*") for k in MATCHERS):
            return s
    return None


def add_silence(
    conn,
    now: dt.datetime,
    *,
    alert_id: str | None = None,
    ends_at: dt.datetime | None = None,
    reason: str = "",
    author: str = "",
    **matchers: str,
) -> dict:
    """Store a silence; by alert id (which must exist) or by matchers (globs)."""
    if alert_id is not None:
        _alert(conn, alert_id)
    elif all((matchers.get(k) or "*") == "*" for k in MATCHERS):
        raise ValueError("a silence needs an alert id or at least one matcher")
    row = {"id": secrets.token_hex(4), "alert_id": alert_id, "starts_at": now, "ends_at": ends_at,
           "reason": reason, "author": author, "created_at": now,
           **{k: matchers.get(k) or "*" for k in MATCHERS}}
    conn.execute(schema.silences.insert().values(**row))
    return row


def list_silences(conn, now: dt.datetime, include_expired: bool = False) -> list[dict]:
    out = []
    for s in _stored(conn):
        ended = s["ends_at"] is not None and _aware(s["ends_at"]) <= now
        s["active"] = not ended
        if include_expired or not ended:
            out.append(s)
    return out


def expire_silence(conn, silence_id: str, now: dt.datetime) -> dict:
    t = schema.silences
    row = conn.execute(sa.select(t).where(t.c.id == silence_id)).mappings().first()
    if row is None:
        raise NotFound(f"no silence {silence_id}")
    conn.execute(t.update().where(t.c.id == silence_id).values(ends_at=now))
    return {**row, "ends_at": now}


def _alert(conn, alert_id: str) -> dict:
    t = schema.alerts
    row = conn.execute(sa.select(t).where(t.c.id == alert_id)).mappings().first()
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    return dict(row)


def acknowledge(conn, alert_id: str, note: str, author: str, now: dt.datetime) -> dict:
    """Not announced again until its severity rises, or it resolves and fires again."""
    row = _alert(conn, alert_id)
    values = {"acked_at": now, "acked_by": author, "ack_note": note,
              "ack_severity": row["severity"]}
    conn.execute(schema.alerts.update().where(schema.alerts.c.id == alert_id).values(**values))
    return {**row, **values}


def unacknowledge(conn, alert_id: str) -> dict:
    row = _alert(conn, alert_id)
    values = {"acked_at": None, "acked_by": None, "ack_note": None, "ack_severity": None}
    conn.execute(schema.alerts.update().where(schema.alerts.c.id == alert_id).values(**values))
    return {**row, **values}
