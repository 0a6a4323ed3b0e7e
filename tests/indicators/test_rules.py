"""Rule kinds on small hand-made results: pure, no store."""

from __future__ import annotations

import math

from trendline.indicators.base import Baseline, Indicator, Result, Rule, Series
from trendline.indicators.rules import check

IND = Indicator("t.x", "Test", "", (), Baseline("b", end=2019), (), lambda *a: [],
                group="research", order=1, series=(Series("value", "papers"),))


def result(values, **series):
    return Result("t.x", {"value": values, **series})


def fired(res, *rules, since=2020):
    return [(f.period, f.severity) for f in check(IND, [res], rules, since)]


def test_yoy_growth_from_since_on_and_not_on_partial_years():
    res = result({"2018": 10, "2019": 20, "2020": 25, "2021": 40, "2022": 90})
    res.partial_periods = frozenset({"2022"})
    assert fired(res, Rule("yoy", threshold=0.3)) == [("2021", "warning")]
    zero = result({"2020": 0, "2021": 5})
    assert fired(zero, Rule("yoy", threshold=0.5)) == [("2021", "warning")]


def test_absolute_and_most_severe_rule_wins():
    res = result({"2020": 300e6, "2021": 600e6}, count={"2020": 5, "2021": 2})
    rules = (
        Rule("absolute", "warning", series="count", op=">", threshold=4),
        Rule("absolute", "critical", op=">", threshold=517e6),
    )
    assert fired(res, *rules) == [("2020", "warning"), ("2021", "critical")]


def test_zscore_against_trailing_window():
    res = result(
        {str(y): v for y, v in zip(range(2015, 2022), [10, 11, 10, 12, 11, 10, 30], strict=True)}
    )
    assert fired(res, Rule("zscore", "critical", threshold=3, window=5)) == [("2021", "critical")]


def test_crossover_and_ratio():
    res = result({"2020": 160, "2021": 140}, us_ru={"2020": 150, "2021": 151})
    assert fired(res, Rule("crossover", "critical", op=">", other="us_ru")) == [
        ("2020", "critical")
    ]


def test_new_member_and_any_new_give_one_finding_per_member():
    res = Result(
        "t.x",
        {"value": {}},
        sets={"pairs": {"2019": ["a"], "2020": ["a", "b"], "2021": ["c"]}},
        evidence={"2020": [{"id": "b", "label": "B"}]},
    )
    new = check(IND, [res], (Rule("new_member", "info", series="pairs"),), 2020)
    assert [(f.period, f.subject) for f in new] == [("2020", "b"), ("2021", "c")]
    assert new[0].evidence == ({"id": "b", "label": "B"},)
    every = check(IND, [res], (Rule("any_new", series="pairs"),), 2020)
    assert [(f.period, f.subject) for f in every] == [("2020", "a"), ("2020", "b"), ("2021", "c")]


def test_rule_names_are_stable_labels_and_the_rule_travels_as_data():
    assert Rule("yoy", threshold=0.3).name == "yoy:value:>=:0.3"  # a grouping label only
    res = result({"2020": 10, "2021": 20})
    (f,) = check(IND, [res], (Rule("yoy", threshold=0.3),), 2020)
    assert f.spec["kind"] == "yoy" and f.spec["threshold"] == 0.3 and f.spec["unit"] == "papers"
    assert not math.isnan(f.spec["threshold"])
