"""The investment, formal-ties and talent indicators on small hand-made frames (pure: no
database). Each checks its values, evidence with source URLs, and the default rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from indicators.registry import all_indicators, evaluate

AS_OF = dt.date(2026, 1, 15)
MINE = (
    "investment.disclosed_flow", "investment.dyad_comparison", "investment.portfolio_share",
    "investment.new_vehicles", "investment.opacity", "investment.concern_areas",
    "investment.rcif_portfolio", "investment.partnerships", "investment.data_agreements",
    "research.formalization", "talent.student_flows",
)


def deal(id, year, direction, amount, concern=(), deal_type="venture", source="curated_deals"):
    return {"id": id, "year": year, "announced_on": dt.date(year, 6, 1), "target": f"T {id}",
            "direction": direction, "deal_type": deal_type, "amount_usd": amount,
            "disclosed": amount is not None, "concern_areas": list(concern), "source": source,
            "source_url": f"https://example.org/{id}", "is_demo": False, "note": ""}


def event(id, year, type, parties=("A", "B"), concern=(), amount=None):
    return {"id": id, "year": year, "date": dt.date(year, 3, 1), "type": type, "title": id,
            "parties": list(parties), "concern_areas": list(concern), "amount_usd": amount,
            "source_url": f"https://example.org/{id}", "is_demo": False, "note": ""}


def point(series, period, value):
    return {"series": series, "period": period, "value": value, "unit": "",
            "source_url": "https://example.org/brief", "note": "", "is_demo": False}


BRIEF_POINTS = [point("cn_ru.disclosed_value", str(y), v) for y, v in
                ((2016, 182e6), (2017, 517e6), (2018, 100e6), (2019, 80e6), (2020, 0.0),
                 (2021, 300e6))] + [point("cn_ru.disclosed_value", "2016-2019", 879e6)]


def frames(deals=(), events=(), points=(), parties=(), watch=()):
    return {
        "deals": pd.DataFrame(list(deals)), "events": pd.DataFrame(list(events)),
        "series_points": pd.DataFrame(list(points)), "deal_parties": pd.DataFrame(list(parties)),
        "watchlist_entries": pd.DataFrame(list(watch)),
    }


def run(indicator_id, **kw):
    return evaluate(all_indicators()[indicator_id], frames(**kw), AS_OF)


def fired(ev):
    return {(f.subject, f.period, f.severity) for f in ev.findings}


def test_all_eleven_registered_with_baseline_rules_and_docs():
    inds = all_indicators()
    for ind_id in MINE:
        ind = inds[ind_id]
        assert ind.baseline.summary and ind.rules and ind.description, ind_id


@pytest.mark.parametrize("ind_id", MINE)
def test_empty_frames_give_no_findings(ind_id):
    assert run(ind_id).findings == []


def test_disclosed_flow_uses_brief_years_then_deals():
    deals = [deal("a", 2017, "RU->CN", 460e6), deal("b", 2022, "CN->RU", 100e6),
             deal("c", 2022, "RU->CN", None), deal("d", 2023, "RU->CN", 600e6),
             deal("e", 2023, "US->CN", 9e9)]
    ev = run("investment.disclosed_flow", deals=deals, points=BRIEF_POINTS)
    (res,) = ev.results
    assert res.values["2017"] == 517e6 and res.values["2022"] == 100e6
    assert res.series["count"]["2022"] == 2 and res.series["RU->CN"]["2022"] == 0
    assert {r["url"] for r in res.evidence["2022"]} == {"https://example.org/b",
                                                          "https://example.org/c"}
    assert fired(ev) == {("all", "2023", "critical")}  # > $517M; +500% loses to critical


def test_dyad_comparison_crossovers():
    deals = [deal("a", 2023, "CN->RU", 200e6), deal("b", 2023, "US->RU", 50e6),
             deal("c", 2023, "RU->US", 20e6), deal("d", 2023, "US->CN", 100e6)]
    pts = [point("us_ru.value_ru_to_us", "2020", 164e6)]
    ev = run("investment.dyad_comparison", deals=deals, points=pts)
    (res,) = ev.results
    assert res.series["US-RU"] == {"2020": 164e6, "2023": 70e6}
    assert fired(ev) == {("all", "2023", "critical")}


def test_portfolio_share_needs_a_view_of_the_rest():
    deals = [deal("a", 2023, "RU->CN", 300e6), deal("b", 2023, "RU->US", 100e6),
             deal("c", 2024, "RU->CN", 10e6), deal("d", 2023, "CN->RU", 1e6),
             deal("e", 2023, "CN->US", 99e6), deal("f", 2023, "CN->CN", 5e9)]
    ev = run("investment.portfolio_share", deals=deals)
    (res,) = ev.results
    assert res.series["RU"] == {"2023": 0.75}  # 2024: only the China deal, no share
    assert res.series["CN"] == {"2023": pytest.approx(0.01)}  # domestic deal left out
    assert res.values == {"2023": 0.75}
    assert fired(ev) == {("all", "2023", "critical")}
    assert "Russia's" in ev.findings[0].message


def test_opacity_share_and_value_drop():
    deals = [deal("a", 2022, "CN->RU", 300e6), deal("b", 2022, "RU->CN", 100e6),
             deal("c", 2023, "CN->RU", 50e6), deal("d", 2023, "CN->RU", None),
             deal("e", 2023, "RU->CN", None)]
    ev = run("investment.opacity", deals=deals)
    (res,) = ev.results
    assert res.values == {"2022": 0.0, "2023": pytest.approx(2 / 3)}
    assert res.series["value_drop_count_holds"] == {"2023": 1.0}
    assert fired(ev) == {("all", "2023", "warning")}


def test_new_vehicles_and_big_fund():
    evs = [event("rcif", 2012, "joint_fund", amount=2.5e9), event("f", 2023, "joint_fund",
                                                                  amount=1.5e9)]
    jv = [deal("jv", 2024, "CN->RU", 100e6, deal_type="joint venture")]
    ev = run("investment.new_vehicles", events=evs, deals=jv)
    assert ev.results[0].sets["vehicles"] == {"2012": ["rcif"], "2023": ["f"], "2024": ["jv"]}
    assert fired(ev) == {("all", "2023", "critical"), ("f", "2023", "warning"),
                         ("jv", "2024", "warning")}


def test_concern_areas_per_area():
    deals = [deal("a", 2023, "CN->RU", 1e6, ["facial_recognition"]),
             deal("b", 2023, "US->RU", 1e6, ["facial_recognition"]),
             deal("c", 2023, "RU->CN", None)]
    ev = run("investment.concern_areas", deals=deals)
    assert ev.results[0].series["facial_recognition"] == {"2023": 1.0}
    assert fired(ev) == {("a", "2023", "warning")}
    assert ev.findings[0].evidence[0]["url"] == "https://example.org/a"


def test_rcif_portfolio_aum_growth_and_concern_deals():
    deals = [deal("m", 2017, "RU->CN", 460e6, ["facial_recognition"]),
             deal("x", 2023, "RU->CN", None, ["autonomous_vehicles"]),
             deal("y", 2023, "CN->RU", 5e6, ["smart_cities"])]
    parties = [{"deal_id": "m", "name": "Russia-China Investment Fund", "role": "investor"},
               {"deal_id": "x", "name": "RCIF", "role": "investor"},
               {"deal_id": "y", "name": "Other Fund", "role": "investor"}]
    pts = [point("rcif.aum", "2021", 2.5e9), point("rcif.aum", "2024", 3.1e9)]
    ev = run("investment.rcif_portfolio", deals=deals, parties=parties, points=pts)
    (res,) = ev.results
    assert res.series["ai_deals"] == {"2017": 1.0, "2023": 1.0}
    assert fired(ev) == {("x", "2023", "warning"), ("all", "2024", "warning")}


def test_partnerships_known_and_new_in_concern_area():
    evs = [event("dahua", 2019, "corporate_partnership", ("Dahua", "NtechLab")),
           event("dahua2", 2024, "corporate_partnership", ("NtechLab", "dahua")),
           event("llm", 2025, "corporate_partnership", ("P", "Q"), ["language_models_nlp"]),
           event("plain", 2025, "corporate_partnership", ("R", "S"))]
    ev = run("investment.partnerships", events=evs)
    assert fired(ev) == {("dahua2", "2024", "info"), ("llm", "2025", "warning")}


def test_data_agreements_any_new():
    ev = run("investment.data_agreements", events=[event("d", 2024, "data_agreement"),
                                                   event("j", 2024, "joint_centre")])
    assert fired(ev) == {("d", "2024", "warning")}


def test_formalization_flags_watchlisted_parties():
    evs = [event("old", 2018, "joint_centre"),
           event("lab", 2024, "joint_centre", ("BEIHANG  University", "MAI")),
           event("school", 2024, "summer_school", ("X", "Y")),
           event("deal", 2024, "corporate_partnership")]
    watch = [{"name": "Beihang University", "aliases": ["BUAA"]}]
    ev = run("research.formalization", events=evs, watch=watch)
    assert ev.results[0].values == {"2018": 1.0, "2024": 2.0}
    assert fired(ev) == {("lab", "2024", "warning"), ("school", "2024", "info")}


def test_student_flows_new_figures_and_growth():
    pts = [point("students.cn_in_ru", "2020", 48000), point("students.cn_in_ru", "2022", 62000),
           point("students.ru_in_cn", "2020", 20000)]
    ev = run("talent.student_flows", points=pts)
    (res,) = ev.results
    assert res.values == {"2020": 48000.0, "2022": 62000.0}
    assert res.series["RU->CN"] == {"2020": 20000.0}
    assert fired(ev) == {("students.cn_in_ru:2022", "2022", "info"), ("all", "2022", "warning")}
    info = next(f for f in ev.findings if f.severity == "info")
    assert [e["value"] for e in info.evidence] == [62000]
