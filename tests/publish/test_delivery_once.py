"""Exactly-once delivery: leases, per-target bookkeeping, stable Message-IDs."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from mail_helpers import free_port, start_smtp

from trendline.core import schema
from trendline.core.db import make_engine, utcnow
from trendline.core.settings import ConfigError, load_settings
from trendline.tasks.publish import notify, outbox


def mailto(port: int, to: str = "analyst@example.org") -> str:
    return f"mailto://127.0.0.1:{port}/?from=trendline@example.org&to={to}&secure=no"


def add_messages(engine, n: int) -> None:
    bodies = {"txt": "t", "html": "<p>h</p>", "md": "m"}
    with engine.begin() as conn:
        for i in range(n):
            outbox.enqueue(conn, f"test:{i}", "alerts", f"message {i}", bodies, [], utcnow())


def test_two_deliverers_at_once_send_each_message_once(demo_store, monkeypatch):
    from apprise.plugins.base import NotifyBase

    monkeypatch.setattr(NotifyBase, "request_rate_per_sec", 0)  # Apprise's politeness pause
    port = free_port()
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", f"alerts={mailto(port)}")
    settings = load_settings()
    add_messages(make_engine(settings.database_url), 5)  # 6 pending with the demo's alert
    ctl, inbox = start_smtp(port)
    outcomes = []
    barrier = threading.Barrier(2)

    def run():
        engine = make_engine(settings.database_url)
        barrier.wait()
        outcomes.append(notify.deliver(engine, settings))

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        ctl.stop()
    assert sum(o.sent for o in outcomes) == 6
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_a_target_that_succeeded_is_not_sent_again_when_another_failed(demo_store, monkeypatch):
    up, down = free_port(), free_port()
    urls = f"alerts={mailto(up, 'a@example.org')} alerts={mailto(down, 'b@example.org')}"
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", urls)
    settings = load_settings()
    engine = make_engine(settings.database_url)
    ctl, inbox_a = start_smtp(up)
    try:
        first = notify.deliver(engine, settings)
        assert first.failed == 1 and len(inbox_a.messages) == 1
        assert "notify url #2 (tag alerts) did not accept" in first.errors[0]
        assert f"127.0.0.1:{down}" not in first.errors[0]  # named, never echoed
        ctl_b, inbox_b = start_smtp(down)
        try:
            second = notify.deliver(engine, settings)
        finally:
            ctl_b.stop()
    finally:
        ctl.stop()
    assert second.sent == 1 and len(inbox_a.messages) == 1 and len(inbox_b.messages) == 1
    assert inbox_a.messages[0]["Message-ID"] == inbox_b.messages[0]["Message-ID"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.outbox_deliveries)).mappings().all()
    assert sorted((r["status"], r["attempts"]) for r in rows) == [("sent", 1), ("sent", 2)]
    assert all(":" not in r["target_id"] for r in rows)


def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(
    demo_store, monkeypatch
):
    port = free_port()
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", f"alerts={mailto(port)}")
    settings = load_settings()
    engine = make_engine(settings.database_url)
    ctl, inbox = start_smtp(port)
    try:
        with monkeypatch.context() as mp:  # "crash" between the send and its bookkeeping
            mp.setattr(outbox, "finish_delivery", lambda *a, **k: (_ for _ in ()).throw(
                KeyboardInterrupt()))
            with pytest.raises(KeyboardInterrupt):
                notify.deliver(engine, settings)
        assert notify.deliver(engine, settings).sent == 1
    finally:
        ctl.stop()
    first, retry = inbox.messages
    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"].endswith("@trendline.invalid>")
    assert first["Message-ID"].count("<") == 1


def test_an_expired_lease_can_be_taken_over_and_a_live_one_cannot(demo_store, settings):
    engine = make_engine(settings.database_url)
    now = utcnow()
    assert len(outbox.claim(engine, "a", now)) == 1
    assert outbox.claim(engine, "b", now) == []
    assert len(outbox.claim(engine, "b", now + outbox.LEASE * 2)) == 1


def test_a_bad_apprise_url_is_a_config_error_naming_it_by_position(home, monkeypatch):
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS",
                       "alerts=json://127.0.0.1/ ops=nosuchscheme://user:hunter2@host/tok3n")
    with pytest.raises(ConfigError) as err:
        notify.build(load_settings())
    assert "notify url #2 (tag ops)" in str(err.value)
    assert not [s for s in ("hunter2", "tok3n", "nosuchscheme") if s in str(err.value)]


def test_the_alerts_dedup_key_does_not_depend_on_the_clock(engine):
    """The digest's key comes from the alert events it announces, not from the clock: the
    same events queued again (say, by a run that crashed before marking them) add nothing."""
    import datetime as dt

    import sqlalchemy as sa

    from trendline.core import schema
    from trendline.tasks.publish.announce import queue_events

    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    e = schema.alert_events
    with engine.begin() as conn:
        conn.execute(e.insert().values(alert_id="a1", change="firing", created_at=now,
                                       detail={"id": "a1", "indicator_id": "data.freshness",
                                               "fingerprint": "x", "subject": "all",
                                               "period": "2026", "severity": "info",
                                               "message": "m", "evidence": [], "rule": ""}))
        _, first = queue_events(conn, now)
        conn.execute(e.update().values(queued_at=None))  # as if never marked
        _, second = queue_events(conn, now + dt.timedelta(hours=5))
        messages = conn.execute(sa.select(sa.func.count()).select_from(schema.outbox)).scalar()
    assert first and second is None and messages == 1
