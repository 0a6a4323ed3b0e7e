"""The outbox: every message waits here until each of its targets confirmed delivery.

Exactly-once bookkeeping: a deliverer first *claims* a message with a lease that expires
(`claim`), so two deliverers never work on one message at a time; each (message, target)
pair then records its own delivery (`outbox_deliveries`), so a target that accepted a
message is never sent it again because another target failed. A target is marked `sending`
(committed) before the send and `sent` after it: a crash between the two leaves `sending`,
and the retry goes out with the same Message-ID, which a deduplicating receiver drops.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from trendline.core import schema
from trendline.core.db import insert_new

T = TypeVar("T")

LEASE = dt.timedelta(minutes=10)
MESSAGE_ID_DOMAIN = "trendline.invalid"


def message_id_header(message_id: str) -> str:
    """The stable RFC 5322 Message-ID of an outbox message: every retry carries the same."""
    return f"<{message_id}@{MESSAGE_ID_DOMAIN}>"


def enqueue(
    conn,
    dedup_key: str,
    tag: str,
    title: str,
    bodies: dict[str, str],
    attachments: list[str],
    now: dt.datetime,
) -> str | None:
    """Add a message unless one with the same dedup key exists (insert-or-ignore: two
    processes queueing the same message agree on one); returns its id if this call added it."""
    mid = hashlib.sha1(dedup_key.encode()).hexdigest()[:12]
    row = {"id": mid, "dedup_key": dedup_key, "tag": tag, "title": title,
           "body_text": bodies["txt"], "body_html": bodies["html"],
           "body_markdown": bodies["md"], "attachments": attachments, "created_at": now,
           "status": "pending", "attempts": 0, "last_error": ""}
    return mid if insert_new(conn, schema.outbox, row) else None


def pending(conn) -> list[dict]:
    t = schema.outbox
    q = sa.select(t).where(t.c.status == "pending").order_by(t.c.created_at)
    return [dict(r) for r in conn.execute(q).mappings()]


def db_now(conn) -> dt.datetime:
    """The database's clock: leases compare times from one clock, not each client's."""
    if conn.dialect.name == "postgresql":
        return conn.execute(sa.text("SELECT clock_timestamp()")).scalar_one()
    text = conn.execute(sa.text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _lease_upsert(conn, message_id: str, owner: str, now: dt.datetime) -> bool:
    """Take the lease on one message if nobody holds a live one: one atomic statement
    (insert, or update only where the old lease expired or is ours)."""
    t = schema.outbox_leases
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[conn.dialect.name]
    stmt = insert(t).values(message_id=message_id, owner=owner, expires_at=now + LEASE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.message_id],
        set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
        where=sa.or_(t.c.expires_at < now, t.c.owner == owner),
    )
    conn.execute(stmt)
    held = conn.execute(sa.select(t.c.owner).where(t.c.message_id == message_id)).scalar()
    return held == owner


def claim(
    engine, owner: str, now: dt.datetime | None = None, tags: set[str] | None = None,
    limit: int | None = None, exclude: set[str] = frozenset(),
) -> list[dict]:
    """Claim the pending messages nobody else holds; returns them (re-read after the claim,
    so a message another deliverer finished meanwhile is not returned). Times come from
    the database's clock (`now` only for tests). On PostgreSQL the candidate rows are
    locked with FOR UPDATE SKIP LOCKED, so concurrent deliverers split the queue instead of
    waiting on each other; on SQLite the single-writer lock and the conditional upsert make
    each claim atomic."""
    t, lease = schema.outbox, schema.outbox_leases
    claimed = []
    with engine.begin() as conn:
        now = now or db_now(conn)
        held_by_others = sa.exists().where(
            lease.c.message_id == t.c.id, lease.c.expires_at >= now, lease.c.owner != owner
        )
        q = (sa.select(t.c.id).where(t.c.status == "pending", ~held_by_others)
             .order_by(t.c.created_at))
        if tags is not None:
            q = q.where(t.c.tag.in_(sorted(tags)))
        if exclude:
            q = q.where(t.c.id.not_in(sorted(exclude)))
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(of=t, skip_locked=True)
            if limit is not None:
                q = q.limit(limit)
        for mid in conn.execute(q).scalars().all():
            if _lease_upsert(conn, mid, owner, now):
                claimed.append(mid)
                if limit is not None and len(claimed) >= limit:
                    break
    if not claimed:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t).where(t.c.id.in_(claimed), t.c.status == "pending")
            .order_by(t.c.created_at)
        ).mappings()
        return [dict(r) for r in rows]


def renew(conn, message_id: str, owner: str, now: dt.datetime | None = None) -> bool:
    """Extend our lease (on the database's clock) before each send and before marking the
    message; False when another deliverer took it meanwhile."""
    t = schema.outbox_leases
    res = conn.execute(
        t.update()
        .where(t.c.message_id == message_id, t.c.owner == owner)
        .values(expires_at=(now or db_now(conn)) + LEASE)
    )
    return res.rowcount == 1


def release(conn, message_id: str, owner: str) -> None:
    t = schema.outbox_leases
    conn.execute(t.delete().where(t.c.message_id == message_id, t.c.owner == owner))


def deliveries(conn, message_id: str) -> dict[str, dict]:
    t = schema.outbox_deliveries
    rows = conn.execute(sa.select(t).where(t.c.message_id == message_id)).mappings()
    return {r["target_id"]: dict(r) for r in rows}


def start_delivery(conn, message_id: str, target_id: str, target: str) -> None:
    """Record, before sending, that this target is being sent this message (one upsert:
    two deliverers recording the same pair agree)."""
    t = schema.outbox_deliveries
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[conn.dialect.name]
    stmt = insert(t).values(message_id=message_id, target_id=target_id, target=target,
                            status="sending", attempts=1, last_error="")
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[t.c.message_id, t.c.target_id],
        set_={"status": "sending", "attempts": t.c.attempts + 1, "target": target}))


def finish_delivery(
    conn, message_id: str, target_id: str, ok: bool, error: str, now: dt.datetime
) -> None:
    t = schema.outbox_deliveries
    values = {"status": "sent", "sent_at": now, "last_error": ""} if ok else {
        "status": "failed", "last_error": error}
    conn.execute(
        t.update().where(t.c.message_id == message_id, t.c.target_id == target_id).values(**values)
    )


def mark(conn, message_id: str, ok: bool, error: str, now: dt.datetime, give_up: bool) -> None:
    """Sent (every target took it), or one more failed attempt; after the last allowed
    attempt it stays as failed."""
    t = schema.outbox
    values = {"attempts": t.c.attempts + 1, "last_error": error}
    if ok:
        values.update(status="sent", sent_at=now)
    elif give_up:
        values.update(status="failed")
    conn.execute(t.update().where(t.c.id == message_id).values(**values))


MARK_BUSY_MS = 120_000  # SQLite: the bookkeeping after a send waits this long for a writer
MARK_ATTEMPTS = 5


def durably(engine, fn: Callable[[Any], T]) -> T:
    """fn(conn) in a transaction that must not be lost (the `sent` mark after a send, the
    lease's release): a store busy with a long pipeline transaction is waited for (up to
    two minutes a try on SQLite), a dropped connection is retried; only the last failure
    raises."""
    def once() -> T:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {MARK_BUSY_MS}")
            return fn(conn)

    for attempt in range(MARK_ATTEMPTS - 1):
        try:
            return once()
        except sa.exc.OperationalError:
            time.sleep(min(2 ** attempt, 10))
    return once()
