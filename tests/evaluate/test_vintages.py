"""Vintages and the revision tolerance: what is a source revision and what is not, and
that a rule firing only because the past moved raises no alert."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from trendline.core import schema
from trendline.indicators.base import Result, Rule
from trendline.indicators.registry import Evaluation, all_indicators
from trendline.indicators.rules import check
from trendline.tasks.evaluate import revised_findings, vintages
from trendline.tasks.evaluate.revision_words import lines, verdict_notes

KEY = vintages.KEY
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def new(period: str, value, complete=True, series="value"):
    return {"indicator_id": "research.joint_output", "subject": "all", "series": series,
            "period": period, "value": value, "complete": complete}


def old(period: str, value, complete=True, series="value"):
    return {"indicator_id": "research.joint_output", "subject": "all", "series": series,
            "period": period, "previous": value, "was_complete": complete, "previous_at": T0}


def compared(news, olds, tolerance=0.05) -> pd.DataFrame:
    n = pd.DataFrame(news, columns=vintages.POINT).astype({"value": float})
    o = pd.DataFrame(olds, columns=[*KEY, "previous", "was_complete", "previous_at"])
    o["previous"] = o["previous"].astype(float)
    return vintages.compare(n, o, tolerance).set_index("period")


def test_a_change_beyond_the_tolerance_is_a_revision_and_four_percent_is_not():
    m = compared([new("2019", 171), new("2018", 104), new("2017", 100)],
                 [old("2019", 152), old("2018", 100), old("2017", 100)])
    assert m.loc["2019", "revision"] and m.loc["2019", "change"] == pytest.approx(0.125)
    assert not m.loc["2018", "revision"] and m.loc["2018", "write"]  # 4%: kept, not revised
    assert not m.loc["2017", "write"]  # the same value: no copy per run
    down = compared([new("2019", 140)], [old("2019", 152)])  # -7.9%: a revision too
    assert down.loc["2019", "revision"]


def test_the_tolerance_is_the_setting():
    assert not compared([new("2019", 171)], [old("2019", 152)], tolerance=0.2).loc[
        "2019", "revision"]


def test_a_year_filling_in_is_not_a_revision():
    m = compared([new("2026", 90, complete=False), new("2025", 196)],
                 [old("2026", 40, complete=False), old("2025", 150, complete=False)])
    assert not m["revision"].any() and m["write"].all()
    # the year it completes is kept, even unchanged, so a later change is a revision
    same = compared([new("2025", 150)], [old("2025", 150, complete=False)])
    assert same.loc["2025", "write"] and not same.loc["2025", "revision"]


def test_unknown_to_known_is_neither_a_revision_nor_growth():
    m = compared([new("2019", 152), new("2018", 40), new("2017", None)],
                 [old("2019", None), old("2017", 30)])
    assert not m["revision"].any()
    assert pd.isna(m.loc["2019", "change"]) and pd.isna(m.loc["2018", "change"])
    assert m.loc["2019", "write"] and m.loc["2018", "write"]  # first known figure kept
    assert m.loc["2017", "write"] and not m.loc["2017", "revision"]  # known -> unknown
    assert not compared([new("2016", None)], []).loc["2016", "write"]  # unknown stays unknown


def test_from_zero_any_change_is_a_revision():
    m = compared([new("2015", 2), new("2014", 0)], [old("2015", 0), old("2014", 0)])
    assert m.loc["2015", "revision"] and not m.loc["2014", "write"]


def test_record_writes_only_changes_on_the_store(engine):
    ind = all_indicators()["research.joint_output"]

    def ev(values: dict[str, float | None]) -> Evaluation:
        return Evaluation(ind, [Result(ind.id, {"value": values}, partial_periods=frozenset(
            {"2026"}))], [], 2020)

    src = {ind.id: ("openalex", "run-1")}
    with engine.begin() as conn:
        first = vintages.record(conn, [ev({"2018": 77, "2019": 84, "2026": 5})], T0, 0.05, src)
        again = vintages.record(conn, [ev({"2018": 77, "2019": 84, "2026": 5})], T1, 0.05, src)
        third = vintages.record(conn, [ev({"2018": 86.24, "2019": 94.08, "2026": 9})],
                                T1 + dt.timedelta(days=1), 0.05, src)
        rows = conn.execute(sa.select(schema.series_vintages)).mappings().all()
    assert first.empty and again.empty
    assert sorted(third["period"]) == ["2018", "2019"]  # 2026 is still filling in
    assert len(rows) == 6  # three first vintages, three changes; no copy for the same run
    r2019 = [r for r in rows if r["period"] == "2019"]
    assert [(r["previous"], r["value"], r["revision"]) for r in r2019] == [
        (None, 84.0, False), (84.0, 94.08, True)]
    assert all(r["source"] == "openalex" and r["refresh_run_id"] == "run-1" for r in rows)
    said = lines(third)
    assert said == ["OpenAlex revised Joint China-Russia AI papers per year: 2019 from 84 to "
                    "94.1 papers (+12%), 2018 from 77 to 86.2 papers (+12%)"]
    third = third.assign(written_at=T1)
    assert verdict_notes(third)[(ind.id, "all")].startswith("OpenAlex revised 2019 from 84")


def test_a_rule_that_fires_only_because_the_past_moved_is_marked_revised():
    ind = all_indicators()["research.joint_output"]
    rules = (Rule("yoy", "warning", op=">=", threshold=0.30),
             Rule("absolute", "warning", op=">=", threshold=90))
    # 2019 revised down from 84 to 60: 2020 (80) now reads +33% on it; 2021's 2020 base
    # did not move: its own rise (+40%) is news
    result = Result(ind.id, {"value": {"2019": 60.0, "2020": 80.0, "2021": 112.0}})
    findings = check(ind, [result], rules, 2019)
    assert {(f.period, f.spec["kind"]) for f in findings} == {("2020", "yoy"), ("2021", "yoy")}
    revisions = pd.DataFrame([{"indicator_id": ind.id, "subject": "all", "series": "value",
                               "period": "2019", "previous": 84.0, "value": 60.0}])
    marked = revised_findings.mark([Evaluation(ind, [result], findings, 2019)], revisions,
                                   lambda _i: rules)
    by_period = {f.period: f for f in marked}
    assert by_period["2020"].revised
    assert not by_period["2021"].revised


def test_a_zscore_that_passes_its_level_because_its_window_was_revised_is_marked():
    ind = all_indicators()["research.joint_output"]
    rules = (Rule("zscore", "critical", op=">=", threshold=3.0, window=5),)
    now = {"2015": 10.0, "2016": 12.0, "2017": 11.0, "2018": 13.0, "2019": 12.0, "2020": 15.5}
    result = Result(ind.id, {"value": now})
    findings = check(ind, [result], rules, 2020)
    assert [f.period for f in findings] == ["2020"]  # z = 3.8 on the revised window
    revisions = pd.DataFrame([{"indicator_id": ind.id, "subject": "all", "series": "value",
                               "period": "2016", "previous": 14.0, "value": 12.0}])
    [marked] = revised_findings.mark([Evaluation(ind, [result], findings, 2020)], revisions,
                                     lambda _i: rules)
    assert marked.revised  # z = 2.5 before it: below the alert level
    calm = pd.DataFrame([{"indicator_id": ind.id, "subject": "all", "series": "value",
                          "period": "2016", "previous": 12.6, "value": 12.0}])
    [kept] = revised_findings.mark([Evaluation(ind, [result], findings, 2020)], calm,
                                   lambda _i: rules)
    assert not kept.revised  # it held before that revision too: its own news


def test_a_notice_names_each_source_and_says_a_count_from_none():
    rows = pd.DataFrame([
        {"indicator_id": "investment.partnerships", "subject": "all", "series": "value",
         "period": "2017", "previous": 0.0, "value": 2.0, "source": "events"},
        {"indicator_id": "research.joint_output", "subject": "all", "series": "value",
         "period": "2019", "previous": 152.0, "value": 171.0, "source": "cnki, openalex"}])
    said = lines(rows)
    assert said[0] == ("CNKI and OpenAlex revised Joint China-Russia AI papers per year: "
                       "2019 from 152 to 171 papers (+12%)")
    assert said[1].startswith("The curated events file revised ") and said[1].endswith(
        ": 2017 from 0 to 2 partnerships (none before)")
