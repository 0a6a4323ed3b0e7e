"""Real SMTP delivery through Apprise to a local aiosmtpd server, and the outbox's retry."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import run_pipeline
from mail_helpers import free_port, mail_settings, start_smtp

from trendline.core import schema
from trendline.core.db import make_engine
from trendline.core.settings import load_settings
from trendline.tasks.publish.notify import build, deliver


@pytest.fixture
def smtp_port():
    return free_port()


def test_alert_email_has_html_and_text_parts(demo_store, monkeypatch, smtp_port):
    settings = mail_settings(monkeypatch, smtp_port)
    engine = make_engine(settings.database_url)
    ctl, inbox = start_smtp(smtp_port)
    try:
        delivery = deliver(engine, settings, build(settings))
    finally:
        ctl.stop()
    assert delivery.sent == 1 and delivery.failed == 0
    msg = inbox.messages[0]
    with engine.connect() as conn:
        firing = conn.execute(sa.select(sa.func.count()).select_from(schema.alerts)
                              .where(schema.alerts.c.state == "firing")).scalar()
        row = conn.execute(sa.select(schema.outbox)).mappings().one()
    assert msg["Subject"].startswith(f"[FIRING:{firing}] [DEMO] Trendline:")  # the true count
    html = msg.get_body(preferencelist=("html",)).get_content()
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "<table>" in html and "research.entity_list_collab" in html
    assert "research.entity_list_collab" in text and "<table>" not in text
    assert text.replace("\r\n", "\n").strip() == row["body_text"].strip()  # our text part
    assert "DEMO DATA" in text and "DEMO DATA" in html


def test_smtp_down_keeps_message_and_next_run_delivers(home, monkeypatch, smtp_port):
    settings = mail_settings(monkeypatch, smtp_port)
    from trendline.core.db import engine_for

    engine = engine_for(settings.database_url)
    *_, delivery = run_pipeline(engine, settings)  # nothing listens on the port
    assert delivery.sent == 0 and delivery.failed == 1
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.outbox)).mappings().one()
    assert row["status"] == "pending" and row["attempts"] == 1

    ctl, inbox = start_smtp(smtp_port)
    try:
        retry = deliver(engine, settings, build(settings))
    finally:
        ctl.stop()
    assert retry.sent == 1 and len(inbox.messages) == 1
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.outbox)).mappings().one()
    assert row["status"] == "sent" and row["attempts"] == 2


def test_a_message_no_target_takes_waits_instead_of_failing(demo_store, monkeypatch):
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", "weekly=capture://")  # nobody takes `alerts`
    settings = load_settings()
    engine = make_engine(settings.database_url)
    delivery = deliver(engine, settings, build(settings))
    assert delivery.waiting == 1 and delivery.failed == 0 and delivery.sent == 0
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.outbox)).mappings().one()
    assert row["status"] == "pending" and row["attempts"] == 0


def test_after_the_last_attempt_a_message_is_marked_failed(demo_store, monkeypatch, smtp_port):
    monkeypatch.setenv("TRENDLINE_NOTIFY__MAX_ATTEMPTS", "2")
    settings = mail_settings(monkeypatch, smtp_port)  # nothing listens: every send fails
    engine = make_engine(settings.database_url)
    deliver(engine, settings, build(settings))
    deliver(engine, settings, build(settings))
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.outbox)).mappings().one()
    assert row["status"] == "failed" and row["attempts"] == 2
    assert deliver(engine, settings, build(settings)).failed == 0  # given up: not retried
