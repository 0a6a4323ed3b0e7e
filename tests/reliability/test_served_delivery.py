"""Safe when served, delivery bookkeeping that cannot double-send, on SQLite and PostgreSQL:
leases on the database's clock, re-checked before a message is marked; the `sent` mark
waits out a busy store; targets whose privacy URLs look alike keep their own delivery rows;
racing inserts (outbox messages, incidents) agree on one winner."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from test_overlap import copy_store

from trendline.core import schema
from trendline.core.db import make_engine, utcnow
from trendline.core.settings import load_settings
from trendline.tasks.publish import notify, outbox
from trendline.tasks.publish.announce import open_incident

BODIES = {"txt": "t", "html": "<p>h</p>", "md": "m"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, home, demo_template):
    """A store the demo filled (one alert message pending), on either database."""
    home.mkdir(parents=True, exist_ok=True)
    if request.param == "sqlite":
        shutil.copy(demo_template, home / "trendline.db")
        url = f"sqlite:///{home / 'trendline.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        copy_store(f"sqlite:///{demo_template}", url)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def webhook(httpserver, monkeypatch, url: str, *more: str):
    from apprise.plugins.base import NotifyBase

    monkeypatch.setattr(NotifyBase, "request_rate_per_sec", 0)
    lines = " ".join(f"alerts={u}" for u in (url, *more))
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", lines)
    return load_settings()


def only_message(engine) -> dict:
    with engine.connect() as conn:
        (msg,) = outbox.pending(conn)
    return msg


def test_a_live_lease_holds_against_a_client_whose_clock_runs_ahead(
    store, httpserver, monkeypatch
):
    _, engine = store
    httpserver.expect_request("/hook").respond_with_data("ok")
    settings = webhook(httpserver, monkeypatch, f"json://{httpserver.host}:{httpserver.port}/hook")
    (held,) = outbox.claim(engine, "another-deliverer")  # its lease: 10 minutes, DB clock
    ahead = utcnow() + dt.timedelta(minutes=20)
    monkeypatch.setattr(notify, "utcnow", lambda: ahead)  # this client's clock is wrong
    out = notify.deliver(engine, settings)
    assert out.sent == 0 and out.busy == 1 and not httpserver.log
    assert only_message(engine)["id"] == held["id"]


def test_a_send_that_outlived_its_lease_leaves_the_message_to_the_new_holder(
    store, httpserver, monkeypatch
):
    _, engine = store
    httpserver.expect_request("/hook").respond_with_data("ok")
    settings = webhook(httpserver, monkeypatch, f"json://{httpserver.host}:{httpserver.port}/hook")
    real_send = notify.send_one
    sends = []

    def slow_send(plugin, msg):  # meanwhile the lease expired and another deliverer took it
        sends.append(msg["id"])
        with engine.begin() as conn:
            conn.execute(schema.outbox_leases.update().values(
                expires_at=outbox.db_now(conn) - dt.timedelta(hours=1)))
        assert outbox.claim(engine, "the-new-holder")
        return real_send(plugin, msg)

    monkeypatch.setattr(notify, "send_one", slow_send)
    first = notify.deliver(engine, settings)
    msg = only_message(engine)  # not marked by the deliverer that lost its lease
    assert first.sent == 0 and msg["attempts"] == 0 and len(httpserver.log) == 1
    with engine.connect() as conn:
        (row,) = outbox.deliveries(conn, msg["id"]).values()
    assert row["status"] == "sent"  # the send itself is recorded: it is not sent again
    with engine.begin() as conn:
        conn.execute(schema.outbox_leases.delete())  # the new holder's turn, as it were
    assert notify.deliver(engine, settings).sent == 1
    assert len(httpserver.log) == 1 and sends == [msg["id"]]


def test_the_sent_mark_waits_out_a_store_busy_with_a_long_transaction(
    home, demo_store, httpserver, monkeypatch
):
    """SQLite: after the send, another process holds the write lock longer than the
    store's usual busy timeout; the mark must wait for it, not lose the send."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    settings = webhook(httpserver, monkeypatch, f"json://{httpserver.host}:{httpserver.port}/hook")
    engine = sa.create_engine(f"sqlite:///{demo_store}", connect_args={"timeout": 0.2})
    real_send = notify.send_one
    locked, done = threading.Event(), threading.Event()

    def hold_the_store():
        other = sqlite3.connect(demo_store, timeout=5)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(2.0)
        other.commit()
        other.close()
        done.set()

    def send_then_block(plugin, msg):
        ok = real_send(plugin, msg)
        threading.Thread(target=hold_the_store, daemon=True).start()
        locked.wait(5)
        return ok

    monkeypatch.setattr(notify, "send_one", send_then_block)
    out = notify.deliver(engine, settings)
    assert done.is_set() and out.sent == 1 and len(httpserver.log) == 1
    with engine.connect() as conn:
        statuses = set(conn.execute(sa.select(schema.outbox.c.status)).scalars())
    assert statuses == {"sent"}
    engine.dispose()


def test_targets_alike_in_privacy_form_keep_their_own_deliveries(store, httpserver, monkeypatch):
    from werkzeug import Response

    _, engine = store
    got: list[str] = []
    up = {"pw-one-aaaa9": True, "pw-two-aaaa9": False}  # the second one is down at first

    def hook(request):
        who = request.authorization.password
        if not up[who]:
            return Response("down", 500)
        got.append(who)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(hook)
    base = f"{httpserver.host}:{httpserver.port}"
    a, b = (f"json://bot:{pw}@{base}/hook" for pw in up)
    settings = webhook(httpserver, monkeypatch, a, b)
    import apprise

    assert apprise.Apprise.instantiate(a).url(privacy=True) == \
        apprise.Apprise.instantiate(b).url(privacy=True)  # what the old ids hashed
    first = notify.deliver(engine, settings)
    assert first.failed == 1 and got == ["pw-one-aaaa9"]
    up["pw-two-aaaa9"] = True
    assert notify.deliver(engine, settings).sent == 1
    assert got == ["pw-one-aaaa9", "pw-two-aaaa9"]  # each once
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.outbox_deliveries)).mappings().all()
    assert len(rows) == 2 and {r["status"] for r in rows} == {"sent"}
    assert {r["target"] for r in rows} == {"notify url #1 (tag alerts)",
                                           "notify url #2 (tag alerts)"}


def race(engine, first, second):
    """`first(conn)` in an open transaction; `second(conn)` starts in another while the
    first is uncommitted (and must wait for it); returns both results."""
    results = {}
    with engine.connect() as conn:
        trans = conn.begin()
        results["first"] = first(conn)

        def other():
            with engine.begin() as c2:
                results["second"] = second(c2)

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.5)  # the second is at its insert now, waiting
        trans.commit()
        t.join(20)
    return results["first"], results.get("second", "never finished")


def test_racing_inserts_agree_on_one_winner(store):
    _, engine = store
    now = utcnow()

    def enqueue(conn):
        return outbox.enqueue(conn, "race:1", "alerts", "t", BODIES, [], now)

    first, second = race(engine, enqueue, enqueue)
    assert first and second is None
    row = {"key": "flow:pipeline", "kind": "flow", "detail": "failed", "opened_at": now,
           "resolved_at": None}
    assert race(engine, lambda c: open_incident(c, row),
                lambda c: open_incident(c, row)) == (True, False)
    with engine.connect() as conn:
        n = conn.execute(sa.text("select count(*) from outbox where dedup_key = 'race:1'"))
        assert n.scalar() == 1
