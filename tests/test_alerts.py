"""Alert lifecycle: firing -> still firing (repeat interval) -> resolved; escalation; silences."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from indicators.base import Finding
from tasks.evaluate import alerts
from trendline import schema
from trendline.settings import Silence

T0 = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)


def finding(severity="warning", period="2025", subject="all"):
    return Finding(
        "research.joint_output", subject, period, "yoy", severity, 10.0, 0.3, "up", ({"id": "W1"},)
    )


def changes(engine, findings, now, silences=()):
    with engine.begin() as conn:
        ts = alerts.apply(conn, findings, {"research.joint_output"}, now, WEEK, silences)
    return [t.change for t in ts]


def states(engine):
    with engine.connect() as conn:
        return {r.fingerprint: r.state for r in conn.execute(sa.select(schema.alerts))}


def test_lifecycle(engine):
    assert changes(engine, [finding()], T0) == ["firing"]
    assert changes(engine, [finding()], T0 + dt.timedelta(days=1)) == []  # deduplicated
    assert changes(engine, [finding("critical")], T0 + dt.timedelta(days=2)) == ["escalated"]
    assert changes(engine, [finding("critical")], T0 + dt.timedelta(days=10)) == ["repeat"]
    assert changes(engine, [], T0 + dt.timedelta(days=11)) == ["resolved"]
    assert states(engine) == {"research.joint_output|all|2025": "resolved"}
    assert changes(engine, [finding()], T0 + dt.timedelta(days=12)) == ["firing"]  # fires again


def test_silenced_alerts_are_kept_but_not_announced(engine):
    silence = Silence(indicator="research.*", subject="*", until="2026-12-31")
    assert changes(engine, [finding()], T0, [silence]) == []
    assert states(engine) == {"research.joint_output|all|2025": "silenced"}
    expired = Silence(indicator="research.*", until="2025-12-31")
    assert changes(engine, [finding()], T0 + dt.timedelta(days=1), [expired]) == ["firing"]


def test_other_indicators_are_left_alone(engine):
    with engine.begin() as conn:
        alerts.apply(conn, [finding()], {"research.joint_output"}, T0, WEEK)
        alerts.apply(conn, [], {"investment.disclosed_flow"}, T0, WEEK)
    assert states(engine) == {"research.joint_output|all|2025": "firing"}


def test_only_the_newest_period_is_announced_again(engine):
    def run(findings, now):
        with engine.begin() as conn:
            ts = alerts.apply(conn, findings, {"research.joint_output"}, now, WEEK,
                              latest={"research.joint_output": "2025"})
        return sorted((t.alert["period"], t.change) for t in ts)

    old, new = finding(period="2021"), finding(period="2025")
    assert run([old, new], T0) == [("2021", "firing"), ("2025", "firing")]
    assert run([old, new], T0 + 2 * WEEK) == [("2025", "repeat")]
