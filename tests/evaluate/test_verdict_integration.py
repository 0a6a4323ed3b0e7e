"""Headline or trend line, where people see it: a verdict for every indicator series, made
by the evaluate stage and stored; `trendline indicators`, the weekly summary and the charts
lead with it; a verdict that changes is an alert of its own kind."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine, utcnow

HEADLINE = {"2020": 92.0, "2021": 95.0, "2022": 90.0, "2023": 320.0, "2024": 94.0,
            "2025": 96.0}
FLAT = {"2020": 92.0, "2021": 95.0, "2022": 90.0, "2023": 93.0, "2024": 94.0, "2025": 91.0}


def cli(*args, width=120):
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def stored(engine) -> dict[tuple[str, str], dict]:
    with engine.connect() as conn:
        return {(r["indicator_id"], r["subject"]): dict(r)
                for r in conn.execute(sa.select(schema.verdicts)).mappings()}


def test_every_indicator_with_a_yearly_series_has_a_stored_verdict(demo_store, engine):
    t = schema.indicator_values
    with engine.connect() as conn:
        yearly = {(i, s) for i, s, p in conn.execute(sa.select(t.c.indicator_id, t.c.subject,
                                                               t.c.period))
                  if len(p) == 4 and p.isdigit()}
    verdicts = stored(engine)
    assert yearly and yearly <= set(verdicts), yearly - set(verdicts)
    assert {i for i, _ in yearly} >= {"research.joint_output", "investment.disclosed_flow",
                                      "talent.student_flows"}
    assert ("data.freshness", "all") not in verdicts  # days since a refresh: not judged
    joint = verdicts[("research.joint_output", "all")]
    assert joint["verdict"] == "trend" and joint["kind"] == "count"
    assert (joint["window_start"], joint["window_end"]) == (2020, utcnow().year - 1)
    assert joint["growth_low"] < joint["growth"] < joint["growth_high"]
    assert joint["brief_growth"] > joint["growth"]  # the brief's decade grew faster
    assert re.fullmatch(r"trend: \+\d+% a year \(95% CI \d+-\d+%\) over 2020-\d{4}, still "
                        r"rising without its top two years; against \+\d+% a year in 2010-2019",
                        joint["explanation"])
    assert [y for y, _ in joint["trend"]][0] == 2020 and joint["previous"] is None
    assert verdicts[("investment.disclosed_flow", "all")]["kind"] == "amount"
    assert verdicts[("research.joint_share", "all")]["kind"] == "share"
    flows = verdicts[("investment.disclosed_flow", "all")]
    assert flows["window_start"] == 2021  # after the baseline's end (2020)
    # a year still filling in is never fitted
    assert all(int(y) < utcnow().year for (_, _), v in verdicts.items() for y, _ in v["trend"])
    # the first evaluation recorded verdicts without alerting
    with engine.connect() as conn:
        rules = [r for (r,) in conn.execute(sa.select(schema.alerts.c.rule))]
    assert rules and not any(r.startswith("verdict:") for r in rules)


def test_indicators_json_and_table_lead_with_the_verdict(demo_store):
    rows = {r["id"]: r for r in json.loads(cli("indicators", "--format", "json"))}
    v = rows["research.joint_output"]["verdict"]
    assert {"verdict", "growth", "growth_low", "growth_high", "change_points",
            "explanation"} <= set(v)
    assert v["verdict"] == "trend" and v["explanation"].startswith("trend: +")
    assert isinstance(v["change_points"], list)
    assert rows["data.freshness"]["verdict"] is None
    out = cli("indicators")
    assert out.splitlines()[0].split()[:2] == ["ID", "VERDICT"]
    line = next(ln for ln in out.splitlines() if ln.startswith("research.joint_output "))
    assert line.split()[1] == "trend" and re.search(r"\+\d+%/yr", out)  # label, rate
    assert f"research.joint_output: {v['explanation']}" in out.replace("\n  ", " ")
    assert all(len(ln) <= 120 for ln in out.splitlines())


def test_the_weekly_summary_leads_with_the_verdict_table(demo_store, settings):
    from trendline.tasks.publish.weekly import build_weekly

    engine = make_engine(settings.database_url)
    path, _ = build_weekly(engine, settings, utcnow())
    html = path.read_text(encoding="utf-8")
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    md = path.with_suffix(".md").read_text(encoding="utf-8")
    body = html.split("<body>")[-1]
    first_h2 = re.search(r"<h2>([^<]*)</h2>", body).group(1)
    assert first_h2 == "Headline or trend line?"
    head = body.split("<h2>What changed</h2>")[0]
    assert 'class="verdicts"' in head and "Joint China-Russia AI papers per year" in head
    assert re.search(r"trend: \+\d+% a year \(95% CI", head)
    assert "v-trend" in head and "too short to judge" in head
    assert text.index("HEADLINE OR TREND LINE?") < text.index("WHAT CHANGED")
    assert "- Joint China-Russia AI papers per year: TREND" in text
    assert md.index("## Headline or trend line?") < md.index("## What changed")
    assert "DEMO DATA" in body[:400], "the demo banner still comes first"


def _steer(monkeypatch, series: dict[str, float]):
    """Evaluate on the demo store, with joint papers per year replaced by `series`."""
    from trendline.tasks.evaluate import evaluation

    real = evaluation.run_indicators

    def run(res, step=evaluation.direct, settle=None):
        done, errors = real(res, step, settle)
        for ev in done:
            if ev.indicator.id == "research.joint_output":
                for r in ev.results:
                    if r.subject == "all":
                        r.series["value"] = {**{p: v for p, v in r.values.items()
                                                if p < "2020"}, **series}
                        r.partial_periods = frozenset()
        return done, errors

    monkeypatch.setattr(evaluation, "run_indicators", run)


def _verdict_changes(settings, engine) -> list:
    from trendline.core.resources import Resources
    from trendline.tasks.evaluate.evaluation import evaluate_store

    out = evaluate_store(Resources(settings, engine))
    assert out.verdicts >= 20
    return [t for t in out.transitions if t.alert["rule"].startswith("verdict:")]


def test_a_verdict_change_is_one_alert_and_a_repeat_evaluation_fires_none(
        demo_store, engine, settings, monkeypatch):
    _steer(monkeypatch, HEADLINE)
    changes = _verdict_changes(settings, engine)
    assert [(t.change, t.alert["rule"], t.alert["severity"]) for t in changes] == [
        ("firing", "verdict:trend->headline", "warning")]
    alert = changes[0].alert
    assert alert["indicator_id"] == "research.joint_output" and alert["subject"] == "all"
    assert alert["period"] == str(utcnow().year - 1)  # the latest complete period
    assert re.fullmatch(r"now a headline "
                        r"\([+-]?\d+% a year, 95% CI .+\) since 2020; it was a trend",
                        alert["message"])
    with engine.connect() as conn:
        events = conn.execute(sa.select(schema.alert_events).where(
            schema.alert_events.c.alert_id == alert["id"])).mappings().all()
    assert [e["change"] for e in events] == ["firing"]  # announced through the outbox path
    assert [e["kind"] for e in alert["evidence"]] == ["verdict"]  # the verdict is its record
    assert alert["evidence"][0]["label"].startswith("headline: spike in 2023")
    assert stored(engine)[("research.joint_output", "all")]["previous"] == "trend"

    assert _verdict_changes(settings, engine) == [], "the same verdict again: nothing new"
    with engine.connect() as conn:
        state = conn.execute(sa.select(schema.alerts.c.state).where(
            schema.alerts.c.id == alert["id"])).scalar_one()
    assert state == "firing"  # it holds while the verdict stays a headline

    # a change to flat is news of lower rank: info; the headline alert resolves
    _steer(monkeypatch, FLAT)
    changes = {(t.change, t.alert["rule"], t.alert["severity"])
               for t in _verdict_changes(settings, engine)}
    assert ("firing", "verdict:headline->flat", "info") in changes
    assert ("resolved", "verdict:trend->headline", "warning") in changes


def test_a_verdict_alert_obeys_acknowledgements_and_silences(demo_store, engine, settings,
                                                              monkeypatch):
    from trendline.tasks.evaluate.alerts import acknowledge, add_silence

    now = utcnow()
    with engine.begin() as conn:
        add_silence(conn, now, indicator="research.joint_output", reason="reviewing")
    _steer(monkeypatch, HEADLINE)
    assert _verdict_changes(settings, engine) == [], "silenced: recorded, not announced"
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.alerts).where(
            schema.alerts.c.rule == "verdict:trend->headline")).mappings().one()
    assert row["state"] == "firing" and row["last_notified_at"] is None
    with engine.begin() as conn:
        conn.execute(schema.silences.delete())
        acknowledge(conn, row["id"], "seen", "analyst", now)
    assert _verdict_changes(settings, engine) == [], "acknowledged: quiet"


@pytest.mark.parametrize("indicator", ["research.joint_output", "research.huawei_ru"])
def test_the_chart_draws_the_fitted_trend_and_change_points(demo_store, engine, indicator):
    from trendline.tasks.publish.charts import chart_png, verdict_overlay
    from trendline.tasks.publish.report import overview

    with engine.connect() as conn:
        row = next(r for r in overview(conn) if r["id"] == indicator)
    line, cuts = verdict_overlay(row)
    assert line and line[0][0] == 2020 and line[-1][0] == utcnow().year - 1
    if row["verdict"]["verdict"] == "trend":
        assert all(b[1] > a[1] for a, b in zip(line, line[1:], strict=False))
    assert cuts == row["verdict"]["change_points"]
    year = utcnow().year
    with_verdict = chart_png(row, set(), year)
    without = chart_png({**row, "verdict": None}, set(), year)
    assert with_verdict and without and with_verdict != without
    # nothing to draw for a verdict too short to judge
    short = {**row, "verdict": {**row["verdict"], "verdict": "insufficient"}}
    assert verdict_overlay(short) == ([], [])


def test_a_plan_fits_complete_years_after_the_brief_against_the_brief_window():
    import datetime as dt

    from trendline.indicators.base import Result
    from trendline.indicators.registry import all_indicators
    from trendline.tasks.evaluate.verdicts import plan

    inds = all_indicators()
    as_of = dt.date(2026, 11, 29)
    joint = Result("research.joint_output", {"value": {"2018": 77.0, "2019": 84.0,
                                                       "2021": 104.0, "2026": 41.0}},
                   partial_periods=frozenset({"2026"}))
    p = plan(inds["research.joint_output"], joint, as_of, 6)
    assert p.kind == "count" and p.window == (2020, 2025) and p.brief_window == (2010, 2019)
    assert p.periods == (2018, 2019, 2021) and 2026 not in p.periods
    assert 2020 not in p.periods  # the indicator writes its zeros; the plan adds none
    assert p.period == "2025"
    flows = Result("investment.disclosed_flow", {"value": {"2016": 1e8, "2023": None}})
    p = plan(inds["investment.disclosed_flow"], flows, as_of, 3)
    assert p.kind == "amount" and p.brief_window == (2016, 2020)
    assert p.periods == (2016, 2023) and p.values == (1e8, None)  # unknown stays unknown
    students = Result("talent.student_flows", {"value": {"2020": 48000.0, "2023": 56000.0}})
    p = plan(inds["talent.student_flows"], students, as_of, 0)
    assert p.brief_window is None and p.periods == (2020, 2023)  # a figure not given: unknown
    assert plan(inds["data.freshness"], Result("data.freshness", {"value": {"2026-11-29": 0.0}}),
                as_of, 0) is None
    assert plan(inds["research.joint_share"],
                Result("research.joint_share", {"value": {"2025": 4.8}}), as_of, 6).kind == "share"


# --------------------------------------------------------------------------- one meaning each


def test_no_stored_verdict_of_the_demo_contradicts_its_interval(demo_store, engine):
    """Every stored verdict: its label agrees with its own 95% CI (trend above zero, decline
    below, flat inside the band, ...), its explanation starts with the label's one word, and
    it never asks for more known years than its window holds."""
    from trendline.indicators.verdict import contradiction
    from trendline.indicators.verdict_words import word

    rows = stored(engine)
    assert len(rows) >= 30 and {r["verdict"] for r in rows.values()} >= {
        "trend", "decline", "headline", "unclear", "insufficient"}
    for key, r in rows.items():
        assert contradiction(r["verdict"], r["growth"], r["growth_low"], r["growth_high"]) \
            is None, (key, r)
        text = r["explanation"]
        assert text.startswith(f"{word(r['verdict'])}: "), (key, text)
        assert "trend line" not in text and "insufficient" not in text, (key, text)
        asked = re.search(r"\(need (\d+)\)", text)
        if asked:
            assert int(asked[1]) <= r["window_end"] - r["window_start"] + 1, (key, text)


def test_the_fit_and_the_chart_agree_on_a_year_with_no_record(demo_store, engine):
    """investment.partnerships has no partnership in 2021-2023: the stored series, the
    chart and the fit all read those years as 0 (not blank), and its verdict shows no rate
    that would point against its change since 2020."""
    from trendline.indicators.words import unit_of
    from trendline.tasks.publish.brief import verdict_short
    from trendline.tasks.publish.charts import chart_series, verdict_overlay
    from trendline.tasks.publish.report import overview

    with engine.connect() as conn:
        rows = {r["id"]: r for r in overview(conn)}
    partnerships = rows["investment.partnerships"]
    drawn = next(iter(chart_series(partnerships).values()))  # the judged series' line
    assert [drawn.get(y) for y in (2021, 2022, 2023, 2024)] == [0.0, 0.0, 0.0, 1.0]
    v = partnerships["verdict"]
    assert v["verdict"] == "unclear" and verdict_short(v) == "unclear"
    assert verdict_overlay(partnerships)[0] == []  # no fitted curve beside "unclear"
    dragons = rows["investment.ai_dragons"]  # its latest value: none in the last year
    assert (dragons["period"], dragons["value"]) == (str(utcnow().year - 1), 0.0)
    assert "too noisy to tell" in v["explanation"]
    assert "from 2 partnerships in all" in v["explanation"]
    from trendline.indicators.registry import all_indicators

    last = utcnow().year - 1
    for ind in all_indicators().values():  # a count of records has no blank year
        row = rows.get(ind.id)
        counts = unit_of(ind.unit).kind == "count" and "series_points" not in ind.needs
        if not row or not counts or not ind.judged or not row["series"]:
            continue
        years = {int(p["period"]) for p in row["series"] if p["period"].isdigit()}
        first = min(years)
        assert set(range(first, last)) <= years, (ind.id, sorted(years))


def test_the_review_verdicts_on_the_demo(demo_store, engine):
    """words-2026-12-01 section 2: no "flat" beside an interval above zero, no "flat: no
    rate can be fitted", no count of known years the records do not show."""
    rows = {k[0]: v for k, v in stored(engine).items() if k[1] == "all"}
    for ind in ("investment.ai_dragons", "investment.defence_soe"):
        assert rows[ind]["verdict"] == "insufficient"
        assert re.fullmatch(r"too short to judge: no .+ in 2021-2025 \(the last in 2017\)",
                            rows[ind]["explanation"]), rows[ind]["explanation"]
    assert "against" not in rows["research.entity_list_collab"]["explanation"]  # zero until
    # its organisations were listed (2019): no brief-era rate (it read "+209% a year")
    assert re.fullmatch(r"too short to judge: only 2023 is above zero in 202[12]-2025; a rate "
                        r"needs two years", rows["investment.data_agreements"]["explanation"])
    for ind in ("research.huawei_ru", "research.joint_centres", "research.institution_pairs",
                "research.entity_list_collab"):
        r = rows[ind]
        assert r["verdict"] != "flat" and r["growth_low"] > 0
        if r["verdict"] != "trend":  # above zero, yet not a trend: the words say why
            assert re.search(r"spikes? in 20\d\d|rests on 20\d\d", r["explanation"]), r


def test_a_plan_built_by_hand_says_what_a_fall_means():
    from trendline.tasks.evaluate.verdicts import Plan, judge

    ratio = (329.2, 284.7, 232.1, 209.8, 192.1, 181.6, 156.7, 116.7, 84.2, 96.9,
             96.9, 91.1, 87.7, 80.8, 79.4, 61.7)
    base = dict(indicator_id="research.dyad_comparison", subject="all", kind="share",
                periods=tuple(range(2010, 2026)), values=ratio, window=(2020, 2025),
                brief_window=(2010, 2019), period="2025")
    v, line = judge(Plan(**base, unit="ratio", up="the gap to US-China widens",
                         down="the gap to US-China narrows"))
    assert v.verdict == "decline" and line
    assert re.fullmatch(r"decline: -6% a year \(95% CI -11% to -4%\) over 2020-2025, still "
                        r"falling without its top two years: the gap to US-China narrows; "
                        r"against -\d+% a year in 2010-2019", v.explanation), v.explanation
    plain, _ = judge(Plan(**base))
    assert "gap" not in plain.explanation
    steady = {**base, "values": (96.0,) * 10 + (96.2, 95.9, 96.1, 96.0, 95.8, 96.1)}
    strict, _ = judge(Plan(**steady, flat_band=0.0001))  # the band is the plan's setting
    loose, _ = judge(Plan(**steady))
    assert loose.verdict == "flat" and strict.verdict == "unclear"


def test_a_plan_fits_the_values_as_stored_and_charted():
    """The plan adds no year the stored series (and so the chart) lacks: the indicator
    writes a count's years without a record as 0, and a year it leaves out stays unknown."""
    import datetime as dt

    from trendline.indicators.base import Result
    from trendline.indicators.registry import all_indicators
    from trendline.tasks.evaluate.verdicts import plan

    values = {"2019": 4.0, "2020": 1.0, "2021": 0.0, "2024": 1.0, "2025": 1.0}
    p = plan(all_indicators()["investment.partnerships"],
             Result("investment.partnerships", {"value": dict(values)}), dt.date(2026, 11, 29), 3)
    assert dict(zip(p.periods, p.values, strict=True)) == {int(k): v for k, v in values.items()}


def test_the_weekly_legend_defines_the_six_labels_and_no_rate_is_repeated(
        demo_store, settings):
    from trendline.indicators.verdict_words import meanings, word
    from trendline.tasks.publish.weekly import build_weekly

    engine = make_engine(settings.database_url)
    path, _ = build_weekly(engine, settings, utcnow())
    html = path.read_text(encoding="utf-8")
    after = {".html": "</span>", ".txt": "", ".md": "**"}  # how each format marks the word
    for suffix, mark in after.items():
        body = path.with_suffix(suffix).read_text(encoding="utf-8")
        for label, sentence in meanings(settings.verdicts.flat_band).items():
            assert f"{word(label).capitalize()}{mark}: {sentence}" in body, (suffix, label)
    table = html.split('class="verdicts"')[1].split("</table>")[0]
    cells = re.findall(r"<td><span class=\"v-[a-z]+\">(.*?)</td></tr>", table, re.S)
    assert cells and not any("a year" in c or "%" in c for c in cells), cells[:3]
