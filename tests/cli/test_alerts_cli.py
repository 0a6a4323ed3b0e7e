"""trendline ack, unack, silence add|list|expire and alerts, with --format json, on SQLite
and on PostgreSQL (127.0.0.1:5432, trust auth; a private database per test)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from services import need

from trendline.cli import main
from trendline.core.db import make_engine, migrate, utcnow
from trendline.core.settings import load_settings
from trendline.indicators.base import Finding
from trendline.tasks.evaluate import alerts

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, home, monkeypatch):
    if request.param == "postgres":
        try:
            admin = sa.create_engine(f"{SERVER}/test", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("select 1"))
        except Exception as exc:  # no driver or no server
            need(False, "PostgreSQL",
                 f"start a server on 127.0.0.1:5432 with trust auth ({exc.__class__.__name__})")
        name = f"trendline_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'create database "{name}"'))
        monkeypatch.setenv("TRENDLINE_STORE__URL", f"{SERVER}/{name}")
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate(engine)
    now = utcnow()
    findings = [
        Finding("research.joint_output", "all", "2026", "zscore:value:>=:3", "critical", 196.0,
                3.0, "Joint papers: 196 papers in 2026", ({"id": "W1"},)),
        Finding("investment.concern_areas", "D1", "2026", "any_new:deals", "warning", 1.0,
                None, "Deals: new deal", ({"id": "D1"},)),
    ]
    with engine.begin() as conn:
        alerts.apply(conn, findings, {f.indicator_id for f in findings}, now, settings)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database "{name}" with (force)'))
        admin.dispose()


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return json.loads(result.output) if "--format" in args and code == 0 else result.output


def ids() -> dict[str, str]:
    return {a["indicator"]: a["id"] for a in run("alerts", "--format", "json")}


def test_ack_and_unack(store):
    aid = ids()["research.joint_output"]
    out = run("ack", aid, "--note", "seen, briefing Friday", "--author", "ana", "--format", "json")
    assert out["acked_by"] == "ana" and out["ack_note"] == "seen, briefing Friday"
    assert out["ack_severity"] == "critical"
    row = next(a for a in run("alerts", "--format", "json") if a["id"] == aid)
    assert row["status"] == "acked" and row["acked_by"] == "ana"
    assert row["why"] == "seen, briefing Friday"
    assert "ana" not in run("unack", aid)
    row = next(a for a in run("alerts", "--format", "json") if a["id"] == aid)
    assert row["status"] == "firing" and row["acked_by"] is None
    assert "no alert nope" in run("ack", "nope", "--note", "x", code=1)


def test_ack_author_defaults_to_the_os_user(store):
    out = run("ack", ids()["research.joint_output"], "--note", "n", "--format", "json")
    assert out["acked_by"]


def test_silence_add_list_expire(store):
    aid = ids()["research.joint_output"]
    by_id = run("silence", "add", aid, "--for", "7d", "--reason", "known spike", "--author",
                "ana", "--format", "json")
    assert by_id["alert_id"] == aid and by_id["author"] == "ana"
    ends = dt.datetime.fromisoformat(by_id["ends_at"])
    assert dt.timedelta(days=6.9) < ends - utcnow() <= dt.timedelta(days=7)
    by_glob = run("silence", "add", "--indicator", "investment.*", "--severity", "warn*",
                  "--until", "2099-12-31", "--reason", "deal review", "--format", "json")
    assert by_glob["indicator"] == "investment.*" and by_glob["ends_at"].startswith("2100-01-01")
    listed = run("silence", "list", "--format", "json")
    assert {s["id"] for s in listed} == {by_id["id"], by_glob["id"]}
    shown = {a["indicator"]: a for a in run("alerts", "--format", "json")}
    assert shown["research.joint_output"]["silenced_by"] == by_id["id"]
    assert shown["research.joint_output"]["silence_reason"] == "known spike"
    assert shown["investment.concern_areas"]["status"] == "silenced"
    assert shown["research.joint_output"]["silence_author"] == "ana"
    table = run("alerts")
    assert "known spike" in table and "by ana)" in table
    expired = run("silence", "expire", by_id["id"], "--format", "json")
    assert expired["id"] == by_id["id"]
    assert [s["id"] for s in run("silence", "list", "--format", "json")] == [by_glob["id"]]
    everything = run("silence", "list", "--all", "--format", "json")
    assert {s["id"]: s["active"] for s in everything} == {by_id["id"]: False,
                                                          by_glob["id"]: True}
    shown = {a["indicator"]: a for a in run("alerts", "--format", "json")}
    assert shown["research.joint_output"]["silenced_by"] is None


def test_silence_needs_a_target_and_one_end(store):
    assert "needs an alert id or at least one matcher" in run("silence", "add", code=1)
    assert "--until" in run("silence", "add", "--indicator", "x", "--until", "2099-01-01",
                            "--for", "1d", code=2)
    assert "no alert nope" in run("silence", "add", "nope", code=1)
    assert "no silence nope" in run("silence", "expire", "nope", code=1)
    assert "use a number and m, h, d or w" in run("silence", "add", "--indicator", "x",
                                                   "--for", "7 days", code=2)


@pytest.mark.parametrize("name", ["run", "evaluate"])
def test_accept_history_reaches_the_flow_as_a_typed_option(name, home, monkeypatch):
    import importlib
    from types import SimpleNamespace

    module = importlib.import_module(f"trendline.cli.commands.{name}")
    seen = {}
    outcome = SimpleNamespace(evaluations=[], errors={}, fired=0, resolved=0, revisions=0,
                              refreshed=[], report="r",
                              delivery=SimpleNamespace(sent=0, failed=0, waiting=0))
    outcome.evaluation = outcome

    def fake_run_flow(load, **params):
        seen.update(params)
        return (outcome, "report") if name == "evaluate" else outcome

    monkeypatch.setattr(module, "run_flow", fake_run_flow)
    result = CliRunner().invoke(main, [name, "--accept-history"])
    assert result.exit_code == 0, result.output
    expected = {"accept_history": True, **({"accept_shrink": False} if name == "run" else {})}
    assert seen == expected  # options of the run, not settings
