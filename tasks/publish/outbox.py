"""The outbox: every message waits here until Apprise confirms delivery."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa

from tasks.publish import report
from tasks.publish.render import render
from trendline import schema


def enqueue(
    conn,
    dedup_key: str,
    tag: str,
    title: str,
    bodies: dict[str, str],
    attachments: list[str],
    now: dt.datetime,
) -> str | None:
    """Add a message unless one with the same dedup key exists; returns its id if added."""
    t = schema.outbox
    if conn.execute(sa.select(t.c.id).where(t.c.dedup_key == dedup_key)).first():
        return None
    mid = hashlib.sha1(dedup_key.encode()).hexdigest()[:12]
    conn.execute(
        t.insert().values(
            id=mid,
            dedup_key=dedup_key,
            tag=tag,
            title=title,
            body_text=bodies["txt"],
            body_html=bodies["html"],
            body_markdown=bodies["md"],
            attachments=attachments,
            created_at=now,
            status="pending",
            attempts=0,
            last_error="",
        )
    )
    return mid


def enqueue_alerts(conn, transitions, now: dt.datetime) -> str | None:
    """One digest message for all alert state changes of an evaluation."""
    items = [{**t.alert, "change": t.change} for t in transitions]
    title, ctx = report.alert_message(conn, items, now)  # [FIRING:n]: every firing alert
    changes = sorted(f"{t.alert['fingerprint']}:{t.change}" for t in transitions)
    key = "alerts:" + hashlib.sha1(("|".join(changes) + now.isoformat()).encode()).hexdigest()
    return enqueue(conn, key, "alerts", title, render("alert", ctx), [], now)


def pending(conn) -> list[dict]:
    t = schema.outbox
    q = sa.select(t).where(t.c.status == "pending").order_by(t.c.created_at)
    return [dict(r) for r in conn.execute(q).mappings()]


def mark(conn, message_id: str, ok: bool, error: str, now: dt.datetime, give_up: bool) -> None:
    """Sent, or one more failed attempt; after the last allowed attempt it stays as failed."""
    t = schema.outbox
    values = {"attempts": t.c.attempts + 1, "last_error": error}
    if ok:
        values.update(status="sent", sent_at=now)
    elif give_up:
        values.update(status="failed")
    conn.execute(t.update().where(t.c.id == message_id).values(**values))
