"""Alerts counted at a real notification target (Apprise's capture:// recorder in
tests/helpers.py): the first demo run announces a few grouped alerts and keeps the history;
one new deal is announced exactly once; a repeat run announces nothing; a silence or an
acknowledgement stops it; a failing source is announced once to the ops tag."""

from __future__ import annotations

import json
import textwrap

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from helpers import CAPTURED, run_pipeline

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine, migrate, utcnow
from trendline.core.settings import load_settings

MAX_FIRST_RUN = 25


@pytest.fixture
def captured(home, monkeypatch):
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", "alerts,weekly=capture://")
    CAPTURED.clear()
    yield CAPTURED
    CAPTURED.clear()


@pytest.fixture
def store(captured):
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate(engine)
    yield settings, engine
    engine.dispose()


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def deal_file(tmp_path, n: int, target: str):
    path = tmp_path / f"new-deal-{n}.yaml"
    path.write_text(textwrap.dedent(f"""\
        deals:
          - id: test-deal-{n}
            announced_on: "2026-06-0{n}"
            target: {target}
            target_country: RU
            parties: [{{name: Test Shenzhen Capital, country: CN}}]
            amount: 90000000
            currency: USD
            deal_type: Series B
            sectors: [facial recognition, surveillance]
            source_url: https://example.org/test/deal/{n}
        """), encoding="utf-8")
    return path


def last_events(engine) -> list[dict]:
    """The alert events of the newest queued message."""
    e = schema.alert_events
    with engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(e.c.id))).scalar_one()
        mid = conn.execute(sa.select(e.c.message_id).where(e.c.id == newest)).scalar_one()
        return [dict(r) for r in conn.execute(sa.select(e).where(e.c.message_id == mid))
                .mappings()]


def test_first_demo_run_announces_few_grouped_alerts_and_keeps_history(store):
    settings, engine = store
    _, evaluation, report, delivery = run_pipeline(engine, settings)
    assert delivery.sent == 1 and len(CAPTURED) == 1, "one digest"
    events = last_events(engine)
    assert 0 < len(events) <= MAX_FIRST_RUN
    assert all(ev["change"] == "firing" for ev in events)
    assert all(ev["detail"]["evidence"] for ev in events), "each grouped with its records"
    entity = [ev for ev in events if ev["detail"]["indicator_id"] ==
              "research.entity_list_collab" and ev["detail"]["rule"].startswith("any_new")]
    assert entity and all(ev["detail"]["member_count"] > 1 for ev in entity), "one per group"
    everything = json.loads(cli("alerts", "--all", "--format", "json"))
    assert sum(1 for a in everything if a["state"] == "history") >= 10
    assert {"silenced_by", "silence_reason", "acked_by", "ack_note"} <= set(everything[0])
    assert "HISTORY" in report.with_suffix(".txt").read_text(encoding="utf-8")
    _, again, _, delivery = run_pipeline(engine, settings)
    assert again.transitions == [] and delivery.sent == 0 and len(CAPTURED) == 1


def test_a_new_deal_is_announced_once_and_silence_or_ack_stops_it(store, tmp_path):
    settings, engine = store
    run_pipeline(engine, settings)
    CAPTURED.clear()
    cli("import-deals", str(deal_file(tmp_path, 1, "Test FaceGate (RU)")))
    run_pipeline(engine, settings)
    assert len(CAPTURED) == 1, "the new deal is announced in one message"
    assert "Test FaceGate" in CAPTURED[0]["body"]
    run_pipeline(engine, settings)
    assert len(CAPTURED) == 1, "a repeat run announces nothing"

    # a silence on what the deal touched stops the next one
    touched = sorted({ev["detail"]["indicator_id"] for ev in last_events(engine)})
    for ind in touched:
        cli("silence", "add", "--indicator", ind, "--for", "7d", "--reason", "under review")
    cli("import-deals", str(deal_file(tmp_path, 2, "Test Gaze Systems (RU)")))
    run_pipeline(engine, settings)
    assert len(CAPTURED) == 1, "silenced"
    listed = json.loads(cli("alerts", "--format", "json"))
    assert any(a["status"] == "silenced" and a["silence_reason"] == "under review"
               for a in listed)

    # expire the silences: what they held is announced on the next run, once
    for s in json.loads(cli("silence", "list", "--format", "json")):
        cli("silence", "expire", s["id"])
    run_pipeline(engine, settings)
    assert len(CAPTURED) == 2 and "Test Gaze Systems" in CAPTURED[1]["body"]

    # an acknowledgement stops updates of the alerts it covers
    for aid in sorted({ev["alert_id"] for ev in last_events(engine)}):
        cli("ack", aid, "--note", "known deal flow", "--author", "ana")
    cli("import-deals", str(deal_file(tmp_path, 3, "Test Iris Pay (RU)")))
    run_pipeline(engine, settings)
    assert len(CAPTURED) == 2, "acknowledged"
    acked = [a for a in json.loads(cli("alerts", "--format", "json")) if a["acked_by"]]
    assert acked and all(a["ack_note"] == "known deal flow" for a in acked)


def test_a_failing_source_is_announced_once_to_ops_and_recovers(store):
    settings, engine = store
    run_pipeline(engine, settings)
    CAPTURED.clear()
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(schema.refresh_runs.insert().values(
            id="failed-run-1", source="cnki", mode="demo", started_at=now, finished_at=now,
            status="failed", rows_read=0, rows_written=0, rows_rejected=0,
            message="export unreadable"))
    from trendline.tasks.publish.announce import announce
    from trendline.tasks.publish.notify import deliver

    first = announce(engine, settings, now)
    assert first.incidents_opened == 1
    deliver(engine, settings)
    assert len(CAPTURED) == 1 and "cnki" in CAPTURED[0]["body"]
    assert announce(engine, settings, now).incidents_opened == 0, "once per incident"
    with engine.begin() as conn:
        conn.execute(schema.refresh_runs.update().where(
            schema.refresh_runs.c.id == "failed-run-1").values(status="succeeded"))
    assert announce(engine, settings, now).incidents_resolved == 1
    deliver(engine, settings)
    assert len(CAPTURED) == 2 and "recovered" in CAPTURED[1]["body"]


def test_a_delivery_that_keeps_failing_is_an_ops_incident(store):
    settings, engine = store
    from trendline.tasks.publish import outbox
    from trendline.tasks.publish.announce import announce

    now = utcnow()
    bodies = {"txt": "t", "html": "<p>t</p>", "md": "t"}
    with engine.begin() as conn:
        stuck = outbox.enqueue(conn, "stuck-1", "alerts", "stuck", bodies, [], now)
        conn.execute(schema.outbox.update().where(schema.outbox.c.id == stuck).values(
            attempts=3, last_error="no alerts target accepted the message"))
    first = announce(engine, settings, now)
    assert first.incidents_opened == 1 and first.ops_message_id
    assert announce(engine, settings, now).incidents_opened == 0, "once per incident"
    with engine.connect() as conn:
        ops = conn.execute(sa.select(schema.outbox).where(
            schema.outbox.c.id == first.ops_message_id)).mappings().one()
    assert ops["tag"] == settings.notify.ops_tag == "ops, alerts"
    assert "failed 3 or more times" in ops["body_text"]
    with engine.begin() as conn:  # it goes out at last
        outbox.mark(conn, stuck, True, "", utcnow(), False)
    assert announce(engine, settings, utcnow()).incidents_resolved == 1


def test_a_source_that_failed_puts_its_indicators_in_no_data_not_resolved(demo_store, engine,
                                                                          settings):
    from trendline.core.resources import Resources
    from trendline.tasks.evaluate.evaluation import evaluate_store

    a = schema.alerts
    with engine.connect() as conn:
        before = dict(conn.execute(sa.select(a.c.id, a.c.state).where(
            a.c.indicator_id == "research.joint_output", a.c.state == "firing")).all())
    assert before
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(schema.refresh_runs.insert().values(
            id="failed-openalex", source="openalex", mode="demo", started_at=now,
            finished_at=now, status="failed", rows_read=0, rows_written=0, rows_rejected=0,
            message="HTTP 503"))
    out = evaluate_store(Resources(settings, engine))
    changes = {(t.alert["indicator_id"], t.change) for t in out.transitions}
    assert ("research.joint_output", "no_data") in changes
    assert not any(c == "resolved" for _, c in changes)
    with engine.connect() as conn:
        after = dict(conn.execute(sa.select(a.c.id, a.c.state).where(
            a.c.id.in_(before))).all())
    assert set(after.values()) == {"no_data"}


def test_a_failed_flow_is_announced_once_and_resolved_by_the_next_run(store):
    from types import SimpleNamespace

    from trendline.flows.evaluate import evaluate as evaluate_flow
    from trendline.flows.ops import announce_failure
    from trendline.flows.pipeline import pipeline as pipeline_flow
    from trendline.tasks.publish.announce import announce

    settings, engine = store
    assert announce_failure in pipeline_flow.on_failure_hooks
    assert announce_failure in evaluate_flow.on_failure_hooks
    flow = SimpleNamespace(name="pipeline")
    run = SimpleNamespace(parameters={})
    state = SimpleNamespace(message="Flow run encountered an exception: OperationalError")
    from trendline.core.resources import Resources
    from trendline.flows.resources import handed

    with handed(Resources(settings, engine)):
        announce_failure(flow, run, state)
        assert len(CAPTURED) == 1 and "flow pipeline failed" in CAPTURED[0]["body"]
        announce_failure(flow, run, state)
    assert len(CAPTURED) == 1, "once per incident"
    assert announce(engine, settings, utcnow(), flows=("evaluate",)).incidents_resolved == 0
    assert announce(engine, settings, utcnow(), flows=("pipeline",)).incidents_resolved == 1


def test_repeats_back_off_on_the_real_pipeline_with_a_clock(store):
    import datetime as dt

    settings, engine = store
    t0 = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)

    def at(when):
        before = len(CAPTURED)
        _, evaluation, _, _ = run_pipeline(engine, settings, clock=lambda: when)
        return [t.change for t in evaluation.transitions], len(CAPTURED) - before

    first, sent = at(t0)
    assert sent == 1 and first and set(first) == {"firing"}
    assert at(t0 + 12 * hour) == ([], 0)
    repeats, sent = at(t0 + 25 * hour)
    assert sent == 1 and repeats and set(repeats) == {"repeat"}
    assert len(repeats) < len(first), "only alerts about an indicator's newest period repeat"
    later, _ = at(t0 + 25 * hour + 100 * hour)  # (sources go stale: data.freshness fires)
    assert "repeat" not in later, "the next repeat waits a week"
    week, _ = at(t0 + 25 * hour + 169 * hour)
    assert week.count("repeat") == len(repeats)


def test_weekly_summary_shows_silenced_and_acknowledged_alerts_with_their_reason(
        demo_store, engine, settings):
    from trendline.tasks.evaluate import alerts
    from trendline.tasks.publish.weekly import weekly_context

    now = utcnow()
    with engine.begin() as conn:
        firing = alerts.firing(conn)
        alerts.acknowledge(conn, firing[0]["id"], "discussed Monday", "ana", now)
        alerts.add_silence(conn, now, alert_id=firing[1]["id"], reason="data under review")
    ctx, *_ = weekly_context(engine, settings, now)
    by_id = {a["id"]: a for a in ctx["alerts"]}
    assert by_id[firing[0]["id"]]["change"] == "acked"
    assert "discussed Monday" in by_id[firing[0]["id"]]["message"]
    assert by_id[firing[1]["id"]]["change"] == "silenced"
    assert "data under review" in by_id[firing[1]["id"]]["message"]


def test_counted_at_a_real_http_target(home, monkeypatch, httpserver, tmp_path):
    """Apprise's json:// to an HTTP server on 127.0.0.1: the first run posts one digest,
    a repeat run none, a new deal exactly one more."""
    import json as _json

    posts: list[dict] = []

    def record(request):
        from werkzeug import Response

        posts.append(_json.loads(request.get_data()))
        return Response("ok", 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(record)
    port = httpserver.port
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", f"alerts=json://127.0.0.1:{port}/hook")
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate(engine)
    run_pipeline(engine, settings)
    assert len(posts) == 1 and posts[0]["title"].startswith("[FIRING:")
    run_pipeline(engine, settings)
    assert len(posts) == 1
    cli("import-deals", str(deal_file(tmp_path, 4, "Test Vein Scan (RU)")))
    run_pipeline(engine, settings)
    assert len(posts) == 2 and "Test Vein Scan" in posts[1]["message"]
    engine.dispose()
