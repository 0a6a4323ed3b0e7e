"""With `web.base_url` set, alert emails, the alert report and the weekly summary link the
workspace (the alert page, the evidence list behind the value, the indicator page) in
every format, and name no CSV path; without it they name the CSV file as before."""

from __future__ import annotations

import datetime as dt

import pytest

from trendline.core.db import make_engine
from trendline.tasks.evaluate.alerts import firing
from trendline.tasks.publish import links
from trendline.tasks.publish.render import render
from trendline.tasks.publish.report import alert_message, write_report
from trendline.tasks.publish.weekly import weekly_context

BASE = "https://trendline.example.org/"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def with_web(settings, url: str):
    web = settings.web.model_copy(update={"base_url": url})
    return settings.model_copy(update={"web": web})


@pytest.fixture
def news(demo_store, settings):
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        first = next(a for a in firing(conn) if a["subject"] not in links.WHOLE)
    yield engine, first
    engine.dispose()


def test_links_are_the_workspace_pages_and_empty_without_a_base():
    assert links.alert_url(BASE, "ab12") == "https://trendline.example.org/alerts/ab12"
    assert links.evidence_url(BASE, "research.joint_output", "2025", "all") == (
        "https://trendline.example.org/indicators/research.joint_output/evidence?period=2025")
    assert links.evidence_url(BASE, "x.y", "2025", "A&B ?") == (
        "https://trendline.example.org/indicators/x.y/evidence?period=2025&subject=A%26B+%3F")
    assert links.indicator_url(BASE, "a/b") == "https://trendline.example.org/indicators/a%2Fb"
    for unsafe in ("", "javascript:alert(1)", "/relative", "ftp://x.example.org"):
        assert links.alert_url(unsafe, "ab12") == "" == links.indicator_url(unsafe, "x")


def test_an_alert_email_links_the_alert_its_records_and_its_indicator(news):
    engine, first = news
    with engine.connect() as conn:
        _, ctx = alert_message(conn, [{**first, "change": "firing"}], NOW, BASE)
    page = f"https://trendline.example.org/alerts/{first['id']}"
    records = links.evidence_url(BASE, first["indicator_id"], first["period"], first["subject"])
    assert "&subject=" in records
    indicator = f"https://trendline.example.org/indicators/{first['indicator_id']}"
    out = render("alert", ctx)
    assert f'href="{page}"' in out["html"] and f'href="{indicator}"' in out["html"]
    assert f'href="{records.replace("&", "&amp;")}"' in out["html"]
    assert f"Alert page: {page}" in out["txt"] and records in out["txt"]
    assert f"]({page})" in out["md"] and f"]({records})" in out["md"]
    for fmt, text in out.items():
        assert "reports/evidence/" not in text and "in the state folder" not in text, fmt


def test_without_a_base_the_alert_email_names_the_csv_file(news):
    engine, first = news
    with engine.connect() as conn:
        _, ctx = alert_message(conn, [{**first, "change": "firing"}], NOW)
    out = render("alert", ctx)
    assert f"reports/evidence/{first['id']}.csv in the state folder" in out["txt"]
    assert "/alerts/" not in out["txt"] + out["html"] + out["md"]


def test_the_alert_report_links_the_workspace_when_set_else_the_files(news, settings):
    engine, first = news
    html = write_report(engine, with_web(settings, BASE), NOW).read_text()
    assert f"https://trendline.example.org/alerts/{first['id']}" in html
    assert f'href="evidence/{first["id"]}.csv"' not in html
    html = write_report(engine, settings, NOW).read_text()
    assert f'href="evidence/{first["id"]}.csv"' in html and "/alerts/" not in html


def test_the_weekly_summary_links_indicators_and_firing_alerts(news, settings):
    engine, first = news
    ctx, _, _ = weekly_context(engine, with_web(settings, BASE), NOW)
    out = render("weekly", ctx)
    indicator = f"https://trendline.example.org/indicators/{first['indicator_id']}"
    assert all(indicator in text for text in out.values())
    alert_pages = [a["page_url"] for g in ctx["groups"] for a in g["shown"]]
    assert alert_pages and all(p in out["txt"] and p in out["html"] for p in alert_pages)
    ctx, _, _ = weekly_context(engine, settings, NOW)
    assert not any("/indicators/" in text for text in render("weekly", ctx).values())
