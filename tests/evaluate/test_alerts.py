"""The alert engine, transition by transition: pending -> firing, hysteresis, no_data,
repeat back-off, acknowledgement, silence expiry, grouping and first-run history. Each
test counts the `alert_events` rows written: what would be announced."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.settings import load_settings
from trendline.indicators.base import Baseline, Finding, Indicator, Result, Rule, Series
from trendline.indicators.rules import check
from trendline.tasks.evaluate import alerts
from trendline.tasks.publish.announce import announce

T0 = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)  # well inside the first repeat interval
IND = "research.joint_output"
JOINT = Indicator(IND, "Joint China-Russia AI papers per year", "", (),
                  Baseline("b", {"total_2010_2019": 296}, 2019, headline="296 papers in 2010-2019"),
                  (), lambda *a: [],
                  group="research", order=1, series=(Series("value", "papers"),))


def finding(severity="warning", period="2025", subject="all", rule="yoy", members=("W1",),
            holding=False, for_evaluations=0, spec=None):
    return Finding(IND, subject, period, rule, severity, 10.0, 0.3, "up",
                   tuple({"id": m, "kind": "work", "label": f"paper {m}"} for m in members),
                   tuple(members), holding, for_evaluations,
                   spec=spec or {"kind": rule.split(":")[0], "unit": "papers"})


def papers(period, *ids):
    """any_new findings, one per paper: the engine groups them into one alert."""
    spec = {"kind": "any_new", "unit": "papers", "label": "joint papers"}
    return [finding(period=period, subject=i, rule="any_new:works", members=(i,), spec=spec)
            for i in ids]


class Engine:
    """apply() and the events it wrote, on a store whose first evaluation is behind it
    unless `fresh`."""

    def __init__(self, engine, fresh=False, accept_history=False, **alerts_cfg):
        self.engine, self.accept_history = engine, accept_history
        self.settings = load_settings(None, alerts=alerts_cfg)
        with engine.begin() as conn:
            if not fresh and alerts.first_evaluation(conn):  # a store evaluated before
                conn.execute(schema.alerts.insert().values(
                    id="seed", fingerprint="seed", indicator_id="x.seed", subject="all",
                    period="", rule="seed", severity="info", state="resolved", message="",
                    evidence=[], first_fired_at=T0, last_seen_at=T0))

    def run(self, findings, now, no_data=None, latest=None):
        with self.engine.begin() as conn:
            ts = alerts.apply(conn, findings, {IND}, now, self.settings, latest=latest,
                              no_data=no_data, accept_history=self.accept_history)
        return [t.change for t in ts]

    def state(self, rule="yoy", period="2025"):
        with self.engine.connect() as conn:
            q = sa.select(schema.alerts).where(schema.alerts.c.indicator_id == IND,
                                               schema.alerts.c.rule == rule,
                                               schema.alerts.c.period == period)
            return dict(conn.execute(q).mappings().one())


def test_pending_then_firing_after_for_evaluations(engine):
    e = Engine(engine)
    f = finding(for_evaluations=2)
    assert e.run([f], T0) == []
    assert e.state()["state"] == "pending"
    assert e.run([f], T0 + DAY) == []
    assert e.run([f], T0 + 2 * DAY) == ["firing"]
    assert e.state()["state"] == "firing"
    assert e.run([], T0 + 3 * DAY) == ["resolved"]


def test_pending_that_stops_holding_resolves_silently(engine):
    e = Engine(engine)
    assert e.run([finding(for_evaluations=1)], T0) == []
    assert e.run([], T0 + DAY) == []
    assert e.state()["state"] == "resolved"


def _oscillating():
    """A value oscillating around the threshold (100), never below the resolve line (90)."""
    rule = Rule("absolute", "warning", op=">=", threshold=100, resolve_threshold=90)
    values = [101, 99, 102, 95, 100, 98, 103, 91, 100, 99]
    return rule, values


def test_hysteresis_no_flap_across_ten_evaluations(engine):
    rule, values = _oscillating()
    e = Engine(engine)
    seen = []
    for i, v in enumerate(values):
        res = Result(IND, {"value": {"2025": float(v)}}, evidence={"2025": [{"id": "W1"}]})
        seen += e.run(check(JOINT, [res], [rule], 2020), T0 + i * dt.timedelta(hours=1))
        assert e.state(rule.name)["state"] == "firing"
    assert seen == ["firing"], "no flap: fired once, never resolved"
    low = Result(IND, {"value": {"2025": 85.0}})
    assert e.run(check(JOINT, [low], [rule], 2020), T0 + DAY) == ["resolved"]
    # without a resolve threshold the same values flap
    plain = Rule("absolute", "warning", op=">=", threshold=100)
    flap = Engine(engine)
    changes = []
    for i, v in enumerate(values):
        res = Result(IND, {"value": {"2026": float(v)}})
        changes += flap.run(check(JOINT, [res], [plain], 2020), T0 + 2 * DAY + i * DAY)
    assert changes.count("resolved") >= 4


def test_holding_value_starts_no_alert(engine):
    rule = Rule("absolute", "warning", op=">=", threshold=100, resolve_threshold=90)
    res = Result(IND, {"value": {"2025": 95.0}})
    findings = check(JOINT, [res], [rule], 2020)
    assert [f.holding for f in findings] == [True]
    assert Engine(engine).run(findings, T0) == []


def test_no_data_is_not_resolved_and_is_announced_as_a_data_problem(engine):
    e = Engine(engine)
    assert e.run([finding()], T0) == ["firing"]
    gone = {IND: "source openalex failed to refresh: HTTP 503"}
    assert e.run([], T0 + HOUR, no_data=gone) == ["no_data"]
    row = e.state()
    assert row["state"] == "no_data" and row["resolved_at"] is None
    assert "openalex" in row["no_data_reason"]
    assert e.run([], T0 + 2 * HOUR, no_data=gone) == [], "a data problem is announced once"
    assert e.state()["state"] == "no_data"
    # data back and still above the line: firing again, not news; the problem resolves
    assert e.run([finding()], T0 + 3 * HOUR) == ["resolved"]
    assert e.state()["state"] == "firing"
    with engine.connect() as conn:
        problem = conn.execute(sa.select(schema.alerts).where(
            schema.alerts.c.rule == "no_data")).mappings().one()
    assert problem["state"] == "resolved"


def test_repeat_backs_off_one_day_one_week_four_weeks(engine):
    e = Engine(engine)
    latest = {IND: "2025"}
    assert e.run([finding()], T0, latest=latest) == ["firing"]
    at = {h: e.run([finding()], T0 + dt.timedelta(hours=h), latest=latest)
          for h in (12, 24, 24 + 100, 24 + 168, 24 + 168 + 600, 24 + 168 + 672)}
    assert at == {12: [], 24: ["repeat"], 124: [], 192: ["repeat"], 792: [], 864: ["repeat"]}
    # an older period is not repeated
    assert sorted(e.run([finding(), finding(period="2024")], T0 + 70 * DAY,
                        latest=latest)) == ["firing", "repeat"]
    assert e.run([finding(), finding(period="2024")], T0 + 200 * DAY, latest=latest) == [
        "repeat"]


def test_acknowledged_alert_is_not_resent_until_it_escalates(engine):
    e = Engine(engine)
    assert e.run([finding()], T0) == ["firing"]
    with engine.begin() as conn:
        acked = alerts.acknowledge(conn, e.state()["id"], "known, tracking it", "ana", T0)
    assert acked["acked_by"] == "ana" and acked["ack_severity"] == "warning"
    assert e.run([finding()], T0 + 30 * DAY) == [], "no repeat"
    assert e.run([finding(members=("W1", "W2"))], T0 + 31 * DAY) == [], "no update"
    assert e.run([finding("critical", members=("W1", "W2"))], T0 + 32 * DAY) == ["escalated"]
    assert e.run([finding("critical", members=("W1", "W2"))], T0 + 33 * DAY) == []
    # resolves and fires again: the acknowledgement is over
    assert e.run([], T0 + 34 * DAY) == ["resolved"]
    assert e.run([finding()], T0 + 35 * DAY) == ["firing"]
    assert e.state()["acked_at"] is None


def test_unack_lets_it_repeat_again(engine):
    e = Engine(engine)
    e.run([finding()], T0)
    with engine.begin() as conn:
        alerts.acknowledge(conn, e.state()["id"], "n", "ana", T0)
    assert e.run([finding()], T0 + 2 * DAY) == []
    with engine.begin() as conn:
        alerts.unacknowledge(conn, e.state()["id"])
    assert e.run([finding()], T0 + 3 * DAY) == ["repeat"]


def test_silence_expiry_is_announced_on_the_next_run(engine):
    e = Engine(engine)
    with engine.begin() as conn:
        s = alerts.add_silence(conn, T0, indicator="research.*", period="2025",
                               ends_at=T0 + 2 * DAY, reason="known", author="ana")
    assert e.run([finding()], T0) == []
    assert e.run([finding()], T0 + DAY) == []
    with engine.connect() as conn:
        listed = alerts.listing(conn, e.settings, T0 + DAY)
    assert [(r["silenced_by"], r["silence_reason"]) for r in listed] == [(s["id"], "known")]
    assert e.run([finding()], T0 + 2 * DAY) == ["firing"], "the silence ended"
    # by alert id, ended early with expire
    with engine.begin() as conn:
        s2 = alerts.add_silence(conn, T0 + 2 * DAY, alert_id=e.state()["id"])
    assert e.run([finding("critical")], T0 + 3 * DAY) == []
    with engine.begin() as conn:
        alerts.expire_silence(conn, s2["id"], T0 + 3 * DAY)
    assert e.run([finding("critical")], T0 + 3 * DAY + dt.timedelta(hours=1)) == ["firing"]


def test_config_silence_until_its_last_day(engine):
    e = Engine(engine, silences=[{"indicator": "research.joint_output", "period": "2025",
                                  "until": "2026-03-03", "reason": "in review"}])
    assert e.run([finding()], T0) == []
    assert e.run([finding()], T0 + DAY) == []
    assert e.run([finding()], T0 + 2 * DAY) == ["firing"]


def test_grouping_a_new_paper_updates_the_group_and_nothing_is_sent_twice(engine):
    e = Engine(engine)
    assert e.run(papers("2026", "W1", "W2", "W3"), T0) == ["firing"]
    row = e.state("any_new:works", "2026")
    assert row["member_count"] == 3 and len(row["evidence"]) == 3
    assert e.run(papers("2026", "W1", "W2", "W3"), T0 + HOUR) == []
    assert e.run(papers("2026", "W1", "W2", "W3", "W4"), T0 + 2 * HOUR) == ["updated"]
    row = e.state("any_new:works", "2026")
    assert row["message"].startswith("Joint papers in 2026: 4 papers (1 of them new since the "
                                      "alert opened): paper W")
    with engine.connect() as conn:
        events = conn.execute(sa.select(schema.alert_events)).mappings().all()
        members = conn.execute(sa.select(sa.func.count()).select_from(
            schema.alert_members)).scalar_one()
    assert [(ev["change"], ev["detail"]["new_members"]) for ev in events] == [
        ("firing", 3), ("updated", 1)]
    assert events[1]["detail"]["evidence"][0]["id"] == "W4", "the new paper comes first"
    assert members == 4
    assert e.run(papers("2026", "W1", "W2", "W3", "W4"), T0 + 3 * HOUR) == []


def test_group_by_subject_splits_the_group(engine):
    e = Engine(engine, group_by=["indicator", "rule", "period", "subject"])
    assert e.run(papers("2026", "W1", "W2"), T0) == ["firing", "firing"]


def test_first_run_history_is_recorded_not_announced(engine):
    e = Engine(engine, fresh=True)
    old = [finding(period="2021"), finding(period="2024")]
    assert e.run([*old, finding(period="2025")], T0) == ["firing"]
    assert e.state(period="2021")["state"] == "history"
    assert e.state(period="2025")["state"] == "firing"
    assert e.run([*old, finding(period="2025")], T0 + HOUR) == []
    # after the first run, a new alert about an old period is news
    assert e.run([*old, finding(period="2023")], T0 + 2 * HOUR) == ["firing", "resolved"]
    # unless history is accepted again
    again = Engine(engine, accept_history=True)
    assert again.run([finding(period="2022")], T0 + 3 * HOUR) == ["resolved"]
    assert again.state(period="2022")["state"] == "history"


def test_announce_from_is_configurable(engine):
    e = Engine(engine, fresh=True, announce_from="2026")
    assert e.run([finding(period="2025"), finding(period="2026")], T0) == ["firing"]
    assert e.state(period="2025")["state"] == "history"


def test_members_are_set_operations_on_tens_of_thousands(engine):
    e = Engine(engine)
    ids = [f"W{i}" for i in range(30_000)]
    big = finding(rule="absolute:value", members=tuple(ids), period="2026")
    start = time.perf_counter()
    assert e.run([big], T0) == ["firing"]
    more = finding(rule="absolute:value", members=(*ids, "W-new"), period="2026")
    assert e.run([more], T0 + DAY) == ["updated"]
    assert time.perf_counter() - start < 20
    with engine.connect() as conn:
        ev = conn.execute(sa.select(schema.alert_events).order_by(
            schema.alert_events.c.id.desc())).mappings().first()
    assert ev["detail"]["new_members"] == 1


def test_events_become_one_message_queued_once(engine, settings):
    e = Engine(engine)
    e.run([finding(), *papers("2026", "W1", "W2")], T0)
    out = announce(engine, settings, T0)
    assert out.events == 2 and out.message_id
    again = announce(engine, settings, T0 + DAY)
    assert again.events == 0 and again.message_id is None
    with engine.connect() as conn:
        msgs = conn.execute(sa.select(schema.outbox)).mappings().all()
        pending = conn.execute(sa.select(schema.alert_events).where(
            schema.alert_events.c.queued_at.is_(None))).all()
    assert len(msgs) == 1 and not pending
    assert "NEW" in msgs[0]["body_text"]


@pytest.mark.parametrize("kind", ["zscore", "yoy", "absolute"])
def test_messages_say_what_crossed_what_and_the_rule_is_in_the_detail(kind):
    series = {str(y): float(v) for y, v in zip(range(2019, 2026),
                                                [74, 90, 100, 110, 120, 140, 196], strict=True)}
    rule = {"zscore": Rule("zscore", "critical", threshold=3, window=5),
            "yoy": Rule("yoy", threshold=0.3),
            "absolute": Rule("absolute", threshold=150, source="analyst memo 2026-02")}[kind]
    res = Result(IND, {"value": series})
    f = [x for x in check(JOINT, [res], [rule], 2020) if x.period == "2025"][0]
    assert f.message.startswith("196 papers in 2025")  # the title is said once, elsewhere
    assert "brief" not in f.message and "rule" not in f.message  # no boilerplate here
    assert "the brief: 296 papers in 2010-2019" in f.detail
    if kind == "zscore":
        assert "standard deviations above the 2020-2024 mean of 112 papers" in f.message
        assert "(default rule)" in f.detail and "mean of the 5 years before" in f.detail
    if kind == "yoy":
        assert "+40% on 140 papers in 2024" in f.message and "+30%" in f.message
    if kind == "absolute":
        assert "at or above the alert level of 150 papers" in f.message
        assert "(analyst memo 2026-02)" in f.detail


def test_report_rows_show_silences_acks_and_history_with_their_reason(engine):
    e = Engine(engine, fresh=True)
    e.run([finding(period="2021"), finding(period="2025"), *papers("2026", "W1")], T0)
    with engine.begin() as conn:
        alerts.add_silence(conn, T0, period="2026", reason="known batch", author="ana")
        alerts.acknowledge(conn, e.state()["id"], "on the agenda", "bo", T0)
    with engine.connect() as conn:
        rows = {r["period"]: r for r in alerts.report_rows(conn, e.settings, T0 + HOUR)}
    assert rows["2021"]["change"] == "history"
    assert rows["2025"]["change"] == "acked"
    assert "[acknowledged by bo: on the agenda]" in rows["2025"]["message"]
    assert rows["2026"]["change"] == "silenced" and "known batch" in rows["2026"]["message"]


def test_a_stronger_rule_taking_over_is_an_escalation_not_resolved_and_new(engine):
    """The rules keep the most severe finding per subject and period: when zscore
    (critical) starts to hold beside yoy (warning), the alert moves to zscore."""
    e = Engine(engine)
    assert e.run([finding(rule="yoy")], T0) == ["firing"]
    assert e.run([finding("critical", rule="zscore")], T0 + HOUR) == ["escalated"]
    assert e.state("yoy")["state"] == "resolved"
    assert e.state("zscore")["first_fired_at"] == e.state("yoy")["first_fired_at"]
    assert e.run([finding(rule="yoy")], T0 + 2 * HOUR) == [], "stepping down is not news"
    assert e.state("yoy")["state"] == "firing" and e.state("zscore")["state"] == "resolved"
    assert e.run([], T0 + 3 * HOUR) == ["resolved"]


def test_a_group_counts_every_record_not_only_the_sample(engine):
    import pandas as pd

    rule = Rule("absolute", threshold=2)
    members = pd.DataFrame({"period": ["2025"] * 3 + ["2024"], "kind": "work",
                            "id": ["W1", "W2", "W3", "W0"]})
    res = Result(IND, {"value": {"2025": 3.0}}, evidence={"2025": [{"id": "W3"}]},
                 members=members)
    (f,) = check(JOINT, [res], [rule], 2020)
    assert sorted(f.member_ids()) == ["W1", "W2", "W3"] and len(f.evidence) == 1
    e = Engine(engine)
    assert e.run([f], T0) == ["firing"]
    assert e.state(rule.name)["member_count"] == 3


def test_a_finding_owed_to_a_source_revision_raises_no_alert_and_updates_quietly(engine):
    import dataclasses

    e = Engine(engine)
    revised = dataclasses.replace(finding(period="2019"), revised=True)
    assert e.run([revised], T0) == []  # recorded, not announced
    row = e.state(period="2019")
    assert row["state"] == "history" and row["detail"].startswith("Not announced")
    assert e.run([revised], T0 + DAY) == [] and e.state(period="2019")["state"] == "history"
    # a firing alert a revision grows (new records, a higher severity) is not told again
    assert e.run([finding(members=("W1",))], T0) == ["firing"]
    grown = dataclasses.replace(finding(severity="critical", members=("W1", "W2")), revised=True)
    assert e.run([grown], T0 + HOUR) == []
    assert e.state()["notified_severity"] == "critical"
    assert e.run([finding(severity="critical", members=("W1", "W2"))], T0 + 2 * HOUR) == []
    assert e.run([finding(severity="critical", members=("W1", "W2", "W3"))],
                 T0 + 3 * HOUR) == ["updated"]  # a record of its own is news again
