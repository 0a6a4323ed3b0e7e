"""The weekly summary as its reader gets it: rendered from the demo, delivered through a local
SMTP server, and checked in the received MIME message."""

from __future__ import annotations

import re

import sqlalchemy as sa
from mail_helpers import free_port, mail_settings, start_smtp

from trendline.core import schema
from trendline.core.db import make_engine, utcnow
from trendline.tasks.publish.notify import build, deliver
from trendline.tasks.publish.weekly import build_weekly

HOSTILE = "<script>alert('x')</script> Hostile title"
CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def add_hostile_paper(engine, now):
    with engine.begin() as conn:
        run = conn.execute(sa.select(schema.refresh_runs.c.id)).first()[0]
        conn.execute(schema.works.insert().values(
            id="W9999999999", source="openalex", title=HOSTILE, publication_year=2099,
            countries=["CN", "RU"], topics=[], funders=[], is_demo=False,
            url="https://openalex.org/W9999999999", fetched_at=now, refresh_run_id=run))


def test_weekly_summary_arrives_email_safe(demo_store, monkeypatch):
    smtp_port = free_port()
    settings = mail_settings(monkeypatch, smtp_port)
    engine = make_engine(settings.database_url)
    now = utcnow()
    add_hostile_paper(engine, now)
    with engine.begin() as conn:  # only the weekly message waits
        conn.execute(schema.outbox.delete())
    path, mid = build_weekly(engine, settings, now)
    assert mid and path.is_file()
    ctl, inbox = start_smtp(smtp_port)
    try:
        delivery = deliver(engine, settings, build(settings))
    finally:
        ctl.stop()
    assert delivery.sent == 1 and len(inbox.messages) == 1
    msg = inbox.messages[0]
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.outbox)).mappings().one()
    assert msg["Subject"] == row["title"] and msg["Subject"].startswith("[DEMO] Trendline weekly")

    # multipart/alternative: our text template, then multipart/related (HTML + its images)
    assert msg.get_content_type() == "multipart/alternative"
    text_part, related = msg.get_payload()
    assert text_part.get_content_type() == "text/plain"
    text = text_part.get_content().replace("\r\n", "\n")
    assert text.strip() == row["body_text"].strip()  # the text template, not stripped HTML
    assert "https://openalex.org/W9999999999" in text and "WHAT CHANGED" in text
    assert related.get_content_type() == "multipart/related"
    html_part, *images = related.get_payload()
    html = html_part.get_content()
    assert len(html.encode()) < 100_000, f"{len(html.encode())} bytes: Gmail clips at 102 KB"
    assert "data:" not in html and 'href="local:' not in html
    assert not re.search(r'href="(?!https?:)', html), "a link a mail reader cannot follow"
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    attached = {p["Content-ID"].strip("<>"): p for p in images}
    assert cids and cids == set(attached), "every chart referenced is attached, and only those"
    assert all(p.get_content_type() == "image/png" for p in attached.values())
    assert all(p.get_content().startswith(b"\x89PNG") for p in attached.values())
    assert "research.joint_output.png" in cids and "research.dyad_comparison.png" in cids

    # hostile record text arrives escaped; native-script names are there
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert CJK.search(html) and CYRILLIC.search(html)
    assert CJK.search(text) and CYRILLIC.search(text)
    assert "DEMO DATA" in html.split("<h1>")[0] and text.lstrip().startswith("*** DEMO DATA")

    # the file beside the summary refers to the same charts as files, the full list is there
    on_disk = path.read_text(encoding="utf-8")
    assert "cid:" not in on_disk and 'href="watchlist-changes.csv"' in on_disk
    assert all((path.parent / c).is_file() for c in cids)
    assert (path.parent / "watchlist-changes.csv").is_file()


def test_weekly_content_reads_against_the_brief(demo_store, settings):
    engine = make_engine(settings.database_url)
    path, _ = build_weekly(engine, settings, utcnow())
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    md = path.with_suffix(".md").read_text(encoding="utf-8")
    for out in (text, md, path.read_text(encoding="utf-8")):
        assert "None" not in re.sub(r"None\.", "", out), "a Python None shows through"
        assert not re.search(r"\d\.\d+e[+-]\d", out), "a number in exponent notation"
        body = out.split("<body>")[-1]
        assert "DEMO DATA" in body[:400], "the demo banner comes first"
    order = [text.index(h) for h in ("WHAT CHANGED", "AGAINST THE 2021 BRIEF", "FIRING ALERTS")]
    assert order == sorted(order)
    groups = [text.index(g) for g in ("RESEARCH", "INVESTMENT", "FORMAL TIES", "TALENT",
                                      "DATA HEALTH")]
    assert groups == sorted(groups)
    assert "Brief: 296 papers in 2010-2019" in text
    assert re.search(r"Joint China-Russia AI papers per year: 196 papers in 2025", text)
    assert "since 2019" in text and "on the year before" in text
    assert re.search(r"\d+ entit(y|ies) added to the U\.S\. Entity List \(\d+ Chinese", text)
    assert re.search(r"of them with joint papers( \(\d+ universit(y|ies)\))?", text)


def test_an_alert_message_counts_every_firing_alert_and_leads_with_news(demo_store, settings):
    from trendline.tasks.evaluate.alerts import firing
    from trendline.tasks.publish.render import render
    from trendline.tasks.publish.report import alert_message

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        alerts = firing(conn)
        news = [a for a in alerts if a["indicator_id"] == "research.entity_list_collab"][:1]
        title, ctx = alert_message(conn, [{**news[0], "change": "firing"}], utcnow())
    n = len(alerts)
    assert title.startswith(f"[FIRING:{n}] [DEMO] Trendline: 1 new, {n - 1} already firing")
    assert "(research.entity_list_collab)" in title
    assert ctx["groups"][0]["id"] == "research.entity_list_collab"  # the news first
    first = ctx["groups"][0]["alerts"][0]
    assert first["id"] == news[0]["id"] , "the news leads"
    orgs = [o for a in ctx["groups"][0]["alerts"] for o in a["orgs"]]
    assert any(o["listed_on"] == "2020-06-05" and o["native"] for o in orgs), "named, dated"
    text = render("alert", ctx)["txt"]
    assert text.count("[NEW]") == 1 and f"reports/evidence/{first['id']}.csv" in text
    dates = [e.get("year") for e in first["records"]]
    assert dates == sorted(dates, reverse=True)  # newest records first
