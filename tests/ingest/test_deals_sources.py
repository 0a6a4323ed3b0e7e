"""Deal sources: the curated files that ship, the coding rules (direction, currency,
undisclosed amounts, areas of concern), the brief's baseline series and RCIF."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from trendline.core.settings import Settings
from trendline.tasks.ingest.parsing.deal_rules import Invalid, load_rules
from trendline.tasks.ingest.sources import baseline_series, curated_deals, events, rcif

FIXTURES = Path(__file__).parents[1] / "fixtures"
RULES = load_rules()


def demo_batch(module):
    return module.normalise(module.fetch(Settings()))


def test_curated_deals_ship_with_sources_and_caveats():
    batch = demo_batch(curated_deals)
    assert batch.rejects == []
    deals = {d["id"]: d for d in batch.tables["deals"]}
    real = {k: d for k, d in deals.items() if not d["is_demo"]}
    assert {"megvii-2017-c", "nio-2017", "rostec-city-2017", "netease-cloud-music-2018",
            "aliexpress-russia-jv-2019", "didi-ad-2021", "didi-rcif-2014"} == set(real)
    assert all(d["source_url"].startswith("http") for d in deals.values())
    assert real["netease-cloud-music-2018"]["direction"] is None  # unverified: not counted
    assert "unverified" not in real["megvii-2017-c"]["note"]
    assert "RCIF share undisclosed" in real["megvii-2017-c"]["note"]
    assert real["nio-2017"]["amount_usd"] is None and not real["nio-2017"]["disclosed"]
    assert real["rostec-city-2017"]["target"] == "Rostec City (Tushino technopark, Moscow)"
    demo = [d for d in deals.values() if d["is_demo"]]
    assert demo and all(d["note"].endswith("synthetic demo record") for d in demo)
    assert all(d["year"] >= 2022 for d in demo)


def test_direction_rule_codes_rcif_by_target_country_or_as_joint():
    assert RULES.direction("Russia-China Investment Fund", None, "CN") == "RU->CN"
    assert RULES.direction("RCIF", None, "RU") == "CN->RU"
    assert RULES.direction("Alibaba Group", "CN", "RU") == "CN->RU"
    joint = dataclasses.replace(RULES, direction_rule="joint")
    assert joint.direction("Russia-China Investment Fund", None, "CN") == "JOINT"
    assert joint.direction("Russia-China Investment Fund", None, "US") is None


def test_amounts_currencies_countries_and_dates():
    assert RULES.amount("") is None and RULES.amount("undisclosed") is None
    assert RULES.amount("0") == 0.0
    with pytest.raises(Invalid, match="negative"):
        RULES.amount("-1")
    assert RULES.to_usd(1000, "RUB", dt.date(2023, 6, 1)) == pytest.approx(11.8)
    assert RULES.to_usd(1000, "RUB", dt.date(2021, 6, 1)) == pytest.approx(13.9)
    with pytest.raises(Invalid, match="unknown currency"):
        RULES.to_usd(1, "XYZ", dt.date(2020, 1, 1))
    assert RULES.country("CHN") == "CN" and RULES.country("ru") == "RU"
    assert RULES.country("ROM") == "RO" and RULES.country("") is None
    with pytest.raises(Invalid, match="unknown country"):
        RULES.country("SF Bay Area")
    assert RULES.date("2019-06").isoformat() == "2019-06-01"
    for bad in ("3201-10-21", "1201-11-03 00:00:00", "2019-13-01", "soon"):
        with pytest.raises(Invalid):
            RULES.date(bad)


def test_concern_taxonomy():
    assert RULES.concern_areas("facial recognition", "computer vision") == ["facial_recognition"]
    assert RULES.concern_areas("smart city", "defence SOE (Rostec)") == [
        "military_ai", "smart_cities"]
    assert RULES.concern_areas("music streaming") == []


def test_brief_totals_reproduced_from_baseline_series():
    """$879M over 12 disclosed deals in 2016-2019 ($324M China to Russia, $555M Russia to
    China) and 5 more of undisclosed value: 17 deals."""
    batch = demo_batch(baseline_series)
    assert batch.rejects == []
    pts = {(p["series"], p["period"]): p for p in batch.tables["series_points"]
           if not p["is_demo"]}
    yearly = [pts[("cn_ru.disclosed_value", str(y))]["value"] for y in range(2016, 2020)]
    assert sum(yearly) == 879e6 == pts[("cn_ru.disclosed_value", "2016-2019")]["value"]
    assert pts[("cn_ru.value_cn_to_ru", "2016-2019")]["value"] + \
        pts[("cn_ru.value_ru_to_cn", "2016-2019")]["value"] == 879e6
    disclosed = pts[("cn_ru.deals_disclosed", "2016-2019")]["value"]
    undisclosed = pts[("cn_ru.deals_undisclosed", "2016-2019")]["value"]
    assert (disclosed, undisclosed) == (12, 5)
    assert disclosed + undisclosed == pts[("cn_ru.deals_total", "2016-2019")]["value"]
    assert pts[("cn_ru.disclosed_value", "2020")]["value"] == 0
    assert all(p["source_url"].startswith("https://cset.georgetown.edu/") for p in pts.values())


def test_rcif_portfolio_and_saved_page_parser():
    batch = demo_batch(rcif)
    assert batch.rejects == []
    aum = [p for p in batch.tables["series_points"] if p["series"] == "rcif.aum"]
    assert [(p["period"], p["value"]) for p in aum] == [("2021", 2.5e9)]
    assert batch.tables["deals"] == []  # every curated entry links to a curated deal
    html = (FIXTURES / "rcif_portfolio_page.html").read_text(encoding="utf-8")
    entries = rcif.parse_portfolio_page(html)
    assert [(e["company"], e["year"], e["country"]) for e in entries] == [
        ("Megvii (Face++)", 2017, "CN"), ("Example Robotics", 2019, "RU")]
    assert entries[0]["url"] == "https://rcif.com/en/portfolio/megvii/"
    raw = rcif.fetch(Settings())
    raw["page"] = ("rcif_portfolio.html", html, False)
    deals = {d["id"]: d for d in rcif.normalise(raw).tables["deals"]}
    assert set(deals) == {"rcif:example-robotics-2019"}  # Megvii is the curated deal
    assert deals["rcif:example-robotics-2019"]["direction"] == "CN->RU"
    assert deals["rcif:example-robotics-2019"]["amount_usd"] is None


def test_curated_deal_records_rejected_field_by_field_by_the_model():
    """Issue #8: each curated record is a pydantic model whose fields apply the shared rules;
    a bad row is one Reject naming the field path and the reason, the good rows still load."""
    text = """deals:
  - {id: ok, announced_on: 2022-01-05, target: A, target_country: RU, amount: 5,
     currency: EUR, source_url: "https://x.org/1", parties: [Alibaba, {name: X, country: CN}]}
  - {id: old, announced_on: "1800-01-01", target: B, source_url: "https://x.org/2"}
  - {id: pty, announced_on: "2022", target: B, source_url: "https://x.org/3",
     parties: [{name: Y, country: CN}, {name: Z, country: ZZZ}]}
  - {id: two, announced_on: "2022", target: "", target_country: XX, source_url: "https://x"}
  - {id: cur, announced_on: "2022", target: B, source_url: "https://x.org/4", amount: 5,
     currency: XYZ}
  - {id: role, announced_on: "2022", target: B, source_url: "https://x.org/5",
     parties: [{name: Q, role: boss}]}
  - {announced_on: "2022", target: B, source_url: "https://x.org/6"}
  - {id: quiet, announced_on: "2023-03", target: C, source_url: "https://x.org/7",
     currency: XYZ}
"""
    batch = curated_deals.normalise({"files": [("deals.yaml", text, False)], "mode": "file"})
    assert [str(r) for r in batch.rejects] == [
        "deals.yaml:2: announced_on: impossible year 1800 in '1800-01-01'",
        "deals.yaml:3: parties.1.country: unknown country code 'ZZZ'",
        "deals.yaml:4: target: missing target (also wrong: target_country)",
        "deals.yaml:5: currency: unknown currency 'XYZ'",
        "deals.yaml:6: parties.0.role: unknown party role 'boss'",
        "deals.yaml:7: id: missing or longer than 80 characters",
    ]
    deals = {d["id"]: d for d in batch.tables["deals"]}
    assert set(deals) == {"ok", "quiet"}
    assert deals["ok"]["amount_usd"] == pytest.approx(5.25) and deals["ok"]["currency"] == "EUR"
    assert deals["quiet"]["amount_usd"] is None  # undisclosed: its currency is not checked
    assert deals["quiet"]["announced_on"] == dt.date(2023, 3, 1)
    assert {(p["name"], p["country"]) for p in batch.tables["deal_parties"]
            if p["deal_id"] == "ok"} == {("Alibaba", None), ("X", "CN"), ("A", "RU")}


def test_curated_models_delegate_to_the_one_set_of_rules():
    """The four curated sources check dates, amounts and countries with the Rules they are
    given (the coding rules of deal_rules.py), not with copies of their own."""
    strict = dataclasses.replace(RULES, min_year=2020)
    deal = ("deals.yaml", "deals:\n  - {id: a, announced_on: '2019-05-01', target: A,"
            " source_url: 'https://x.org'}\n", False)
    event = ("ev.yaml", "events:\n  - {id: e, date: '2019', type: joint_centre, title: T,"
             " parties: [A, B], source_url: 'https://x.org'}\n", False)
    series = ("s.csv", "series,period,value,unit,source_url,note\n"
              "cn_ru.x,2019,5,USD,https://x.org,\n", False)
    fund = ("r.yaml", "aum: []\nportfolio_counts: []\nportfolio:\n"
            "  - {company: A, year: 2019, country: RU}\n", False)
    got = []
    for module, file in ((curated_deals, deal), (events, event),
                         (baseline_series, series), (rcif, fund)):
        assert module.normalise({"files": [file], "mode": "file"}).rejects == []
        rejects = module.normalise({"files": [file], "mode": "file"}, strict).rejects
        got += [(r.field, r.reason) for r in rejects]
    assert got == [("announced_on", "impossible year 2019 in '2019-05-01'"),
                   ("date", "impossible year 2019 in '2019'"),
                   ("period", "impossible year 2019 in '2019'"),
                   ("portfolio.year", "impossible year 2019 in '2019'")]


def test_rcif_and_series_records_rejected_by_field():
    fund = """aum:
  - {period: 2021, value: 2.5e9, source_url: "https://x.org"}
  - {period: 20211, value: 2.5e9, source_url: "https://x.org"}
  - {period: 2021, source_url: "https://x.org"}
portfolio_counts: []
portfolio:
  - {company: A, year: 2019, country: RU, ai_related: true}
  - {company: "", year: 2019}
  - {company: B, year: 2019, country: Mars}
  - {company: C, year: 2019, ai_related: maybe}
"""
    batch = rcif.normalise({"files": [("r.yaml", fund, False)]})
    assert [str(r) for r in batch.rejects] == [
        "r.yaml:2: aum.period: not a year or year range: '20211'",
        "r.yaml:3: aum.value: missing value",
        "r.yaml:2: portfolio.company: missing company",
        "r.yaml:3: portfolio.country: unknown country code 'MARS'",
        "r.yaml:4: portfolio.ai_related: Input should be a valid boolean, unable to interpret"
        " input",
    ]
    assert [d["id"] for d in batch.tables["deals"]] == ["rcif:a-2019"]
    series = ("series,period,value,unit,source_url,note\n"
              "cn_ru.x,2016,5,USD,https://x.org,ok\n"
              "bad,2016,5,USD,https://x.org,\n"
              "cn_ru.x,2017-3201,5,USD,https://x.org,\n"
              "cn_ru.x,2018,5,EUR,https://x.org,\n"
              "cn_ru.x,2019,5,USD,x.org,\n"
              "cn_ru.x,2020,-5,USD,https://x.org,\n"
              "cn_ru.x,2021,,USD,https://x.org,\n")
    batch = baseline_series.normalise({"files": [("s.csv", series, True)]})
    assert [str(r) for r in batch.rejects] == [
        "s.csv:3: series: not a dotted series name: 'bad'",
        "s.csv:4: period: impossible year 3201 in '3201'",
        "s.csv:5: unit: unknown unit 'EUR'",
        "s.csv:6: source_url: every series point needs an http(s) source URL",
        "s.csv:7: value: negative amount: -5",
    ]
    points = {p["period"]: p for p in batch.tables["series_points"]}
    assert points["2021"]["value"] is None  # blank: not stated, never 0
    assert points["2016"]["note"] == "ok; synthetic demo record"
