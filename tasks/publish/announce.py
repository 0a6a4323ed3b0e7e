"""Announce: the alert changes the evaluate stage wrote (`alert_events`) become ONE outbox
message, and the events are marked queued in the same transaction, so nothing is announced
twice and nothing is lost. Failures are alerts too: a source whose latest refresh failed
and a delivery that keeps failing open an incident, announced once to the ops tag, with a
resolved notice when it recovers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.core.db import insert_new
from trendline.core.redaction import redact
from trendline.core.settings import Settings
from trendline.tasks.publish import outbox, report
from trendline.tasks.publish.render import render

STUCK_ATTEMPTS = 3  # a message that failed this often is a delivery incident


@dataclass
class AnnounceOutcome:
    events: int = 0
    message_id: str | None = None
    incidents_opened: int = 0
    incidents_resolved: int = 0
    ops_message_id: str | None = None

    def line(self) -> str:
        return (f"{self.events} alert change(s) queued, {self.incidents_opened} incident(s) "
                f"opened, {self.incidents_resolved} resolved")


def announce(
    engine: Engine, settings: Settings, now: dt.datetime, flows: tuple[str, ...] = ()
) -> AnnounceOutcome:
    """`flows`: the flows this run belongs to; reaching here, they have recovered."""
    out = AnnounceOutcome()
    with engine.begin() as conn:
        out.events, out.message_id = queue_events(conn, now, settings)
    with engine.begin() as conn:
        opened, resolved = incidents(conn, settings, now, flows)
        out.incidents_opened, out.incidents_resolved = len(opened), len(resolved)
        if opened or resolved:
            out.ops_message_id = _ops_message(conn, settings, opened, resolved, now)
    return out


def queue_events(conn, now: dt.datetime, settings: Settings | None = None
                 ) -> tuple[int, str | None]:
    """Pending alert events -> one digest in the outbox; the events are marked queued."""
    e = schema.alert_events
    rows = conn.execute(sa.select(e).where(e.c.queued_at.is_(None)).order_by(e.c.id)).mappings()
    events = [dict(r) for r in rows]
    if not events:
        return 0, None
    items = [{**ev["detail"], "change": ev["change"]} for ev in events]
    for item in items:
        for key in ("first_fired_at", "last_seen_at", "resolved_at", "last_notified_at"):
            item.pop(key, None)
    # [FIRING:n]: every firing alert
    title, ctx = report.alert_message(conn, items, now,
                                      settings.web.base_url if settings else "")
    key = f"alert-events:{events[0]['id']}-{events[-1]['id']}"
    mid = outbox.enqueue(conn, key, "alerts", title, render("alert", ctx), [], now)
    ids = [ev["id"] for ev in events]
    conn.execute(e.update().where(e.c.id.in_(ids)).values(queued_at=now, message_id=mid))
    return len(events), mid


def incidents(
    conn, settings: Settings, now: dt.datetime, flows: tuple[str, ...] = ()
) -> tuple[list[dict], list[dict]]:
    """Open an incident for each failure now present, resolve those that recovered."""
    t = schema.incidents
    current = {r["key"]: dict(r) for r in conn.execute(
        sa.select(t).where(t.c.resolved_at.is_(None))).mappings()}
    problems = {**_failed_sources(conn), **_stuck_deliveries(conn, settings),
                **{k: ("flow", r["detail"]) for k, r in current.items()
                   if r["kind"] == "flow" and k.split(":", 1)[1] not in flows}}
    opened, resolved = [], []
    for key, (kind, detail) in sorted(problems.items()):
        if key not in current:
            row = {"key": key, "kind": kind, "detail": redact(detail), "opened_at": now,
                   "resolved_at": None}
            if open_incident(conn, row):
                opened.append(row)
    for key, row in current.items():
        if key in problems:
            continue
        if row["kind"] == "delivery" and not _sent_since(conn, key, row["opened_at"]):
            continue  # recovered only once a message of that tag went out again
        if row["kind"] == "flow" and key.split(":", 1)[1] not in flows:
            continue  # recovered when that flow gets this far again
        conn.execute(t.update().where(t.c.key == key).values(resolved_at=now))
        resolved.append({**row, "resolved_at": now})
    return opened, resolved


def flow_failed(engine: Engine, settings: Settings, flow: str, message: str,
                now: dt.datetime) -> str | None:
    """A flow run failed: open its incident and queue the ops notice now (the run that
    failed will not reach its announce step); once per incident."""
    row = {"key": f"flow:{flow}", "kind": "flow", "detail": redact(f"flow {flow} failed: "
                                                                   f"{message}"),
           "opened_at": now, "resolved_at": None}
    with engine.begin() as conn:
        if not open_incident(conn, row):  # open already (or another process opened it)
            return None
        return _ops_message(conn, settings, [row], [], now)


def open_incident(conn, row: dict) -> bool:
    """Open an incident (or reopen a resolved one with the same key) in one statement:
    True when this call opened it, so two processes never announce one twice."""
    t = schema.incidents
    return insert_new(conn, t, row, replace_where=t.c.resolved_at.is_not(None))


def _failed_sources(conn) -> dict[str, tuple[str, str]]:
    r = schema.refresh_runs
    latest: dict[str, dict] = {}
    for row in conn.execute(sa.select(r.c.source, r.c.status, r.c.message)
                            .order_by(r.c.started_at)).mappings():
        latest[row["source"]] = dict(row)
    return {f"source:{s}": ("source", f"source {s} failed to refresh: {row['message']}")
            for s, row in latest.items() if row["status"] == "failed"}


def _stuck_deliveries(conn, settings: Settings) -> dict[str, tuple[str, str]]:
    o = schema.outbox
    q = (sa.select(o.c.tag, sa.func.count(), sa.func.max(o.c.last_error))
         .where(o.c.status != "sent", o.c.attempts >= STUCK_ATTEMPTS,
                o.c.tag != settings.notify.ops_tag)
         .group_by(o.c.tag))
    return {f"delivery:{tag}": ("delivery", f"{n} message(s) to '{tag}' failed "
                                f"{STUCK_ATTEMPTS} or more times: {err}")
            for tag, n, err in conn.execute(q)}


def _sent_since(conn, key: str, since: dt.datetime) -> bool:
    o = schema.outbox
    tag = key.split(":", 1)[1]
    q = sa.select(o.c.id).where(o.c.tag == tag, o.c.status == "sent", o.c.sent_at >= since)
    return conn.execute(q.limit(1)).first() is not None


def _ops_message(conn, settings, opened, resolved, now) -> str | None:
    items = [_item(row, "firing") for row in opened] + [_item(row, "resolved")
                                                        for row in resolved]
    title = f"Trendline ops: {len(opened)} failure(s), {len(resolved)} recovered"
    ctx = report.alert_context(conn, items, title, now, web_url=settings.web.base_url)
    key = "ops:" + "|".join(sorted(f"{i['fingerprint']}:{i['change']}" for i in items))
    key = key[:200] + f"@{now.isoformat()}"
    return outbox.enqueue(conn, key, settings.notify.ops_tag, title, render("alert", ctx), [],
                          now)


def _item(row: dict, change: str) -> dict:
    kind = row["kind"]
    title = {"source": "Source refresh", "delivery": "Delivery", "flow": "Flow run"}[kind]
    detail = row["detail"] if change == "firing" else f"recovered: {row['detail']}"
    return {"id": row["key"], "fingerprint": row["key"], "indicator_id": f"ops.{kind}",
            "title": title, "unit": "", "subject": row["key"].split(":", 1)[1],
            "period": "", "severity": "critical" if change == "firing" else "info",
            "message": f"{title}: {detail}", "evidence": [], "change": change}
