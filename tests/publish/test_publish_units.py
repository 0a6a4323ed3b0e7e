"""Pure pieces of the publish stage: numbers with units, sparklines, charts, subjects."""

from __future__ import annotations

import io

import pytest

from trendline.indicators.words import amount, change
from trendline.tasks.publish.charts import chart_png, chart_series
from trendline.tasks.publish.render import native_names, sparkline
from trendline.tasks.publish.report import alert_title


@pytest.mark.parametrize("value,unit,text", [
    (72000.0, "students", "72,000 students"), (705100000.0, "usd", "$705M"),
    (3.2e9, "usd", "$3.2B"), (1.2e9, "usd", "$1.2B"), (5.055487, "percent", "5.06%"),
    (0.885, "share", "88.5%"), (50.780488, "ratio", "50.8x"), (1.0, "deals", "1 deal"),
    (196.0, "papers", "196 papers"), (5.5, "points", "+5.5 points"),
    (None, "papers", "unknown"), (float("nan"), "usd", "unknown"), (0.0, "days", "0 days"),
    (1.0, "deals_events", "1 deal or event"), (3.0, "pairs", "3 institution pairs"),
])
def test_numbers_carry_their_units(value, unit, text):
    assert amount(value, unit) == text


def test_changes_read_as_people_say_them_in_one_format():
    assert change(196, 84, "papers") == "+133%" and change(26, 3, "papers") == "+767%"
    assert change(4.83, 3.04, "percent") == "+1.8 points"
    assert change(0.2, 0.75, "share") == "-55.0 points"
    assert change(5, 0, "deals") == "none before" and change(None, 3, "deals") == ""


def test_a_sparkline_leaves_missing_years_blank():
    assert sparkline([1, None, 3]) == "▁ █"
    assert sparkline([None]) == ""


def test_native_names_beside_english():
    assert native_names({"en": ["Beihang"], "zh": ["北京航空航天大学"], "ru": ["Бэйханский"]}) \
        == "北京航空航天大学 / Бэйханский"
    assert native_names({}) == "" and native_names(None) == ""


def row(series, ind="research.joint_output", unit="papers"):
    from trendline.indicators.registry import all_indicators
    from trendline.tasks.publish.report import declared

    return {**declared(all_indicators()[ind]), "title": "T", "unit": unit,
            "baseline": {"end": 2019},
            "series": [{"period": p, "value": v, "detail": d} for p, v, d in series]}


def test_charts_keep_gaps_and_compare_dyads():
    r = row([("2014", 1.0, {}), ("2016", 3.0, {}), ("2017", 2.0, {"partial": True})])
    assert chart_series(r) == {"joint papers": {2014: 1.0, 2016: 3.0, 2017: 2.0}}  # no 2015
    dyad = row([(str(y), 1.0, {"cn_ru": 1.0, "us_cn": 9.0, "us_ru": 2.0}) for y in (2018, 2019)],
               ind="research.dyad_comparison", unit="ratio")
    assert list(chart_series(dyad)) == ["China-Russia", "US-China", "US-Russia"]
    assert chart_series(row([("2019", 1.0, {})])) == {}  # one point: no chart


def test_a_chart_is_a_small_png():
    from PIL import Image

    png = chart_png(row([("2014", 1.0, {}), ("2016", 3.0, {}), ("2026", 2.0, {})]),
                    {"2016"}, 2026)
    img = Image.open(io.BytesIO(png))
    assert img.size == (600, 260) and len(png) < 30_000


def test_subjects_count_what_the_message_holds():
    items = [{"change": "firing", "indicator_id": "a", "evidence": [{"demo": True}]},
             {"change": "repeat", "indicator_id": "b", "evidence": []},
             {"change": "resolved", "indicator_id": "c", "evidence": []}]
    title = alert_title(items)
    assert title.startswith("[FIRING:2] [DEMO] Trendline: 1 new, 1 still firing, 1 resolved")
    assert alert_title(items[2:]).startswith("[RESOLVED:1] Trendline")




def test_a_rise_from_zero_reads_against_none():
    from trendline.tasks.publish.brief import against_brief

    ind = {"baseline": {}, "unit": "deals"}
    latest = {"value": 3, "period": "2025"}
    assert against_brief(ind, latest, {"2020": 0}, "2020") == "3 deals against none in 2020"
