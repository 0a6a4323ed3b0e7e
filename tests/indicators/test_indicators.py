"""Every indicator on small frames in the resolved-facts shape (tasks/frames), and the
numbers that must be defensible: unknown is not zero, listing dates, Belarus."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from trendline.indicators.registry import all_indicators
from trendline.indicators.registry import evaluate_indicator as evaluate

AS_OF = dt.date(2026, 11, 20)
IND = all_indicators()
WORK = {"id": "", "year": 2020, "source": "openalex", "is_ai": True, "in_language": True,
        "is_joint": True, "field": "other", "funders": "", "is_demo": False,
        "cited_by_count": 0.0, "fwci": None, "is_top10": None}
AFF = {"work_id": "", "author": 0, "org_id": None, "inst": None, "country": None}
DEAL = {"id": "", "year": 2020, "date": None, "target": "T", "target_country": "CN",
        "direction": "RU->CN", "is_cn_ru": True, "deal_type": "", "amount_usd": None,
        "amount_status": "undisclosed", "concern_areas": [], "source": "curated_deals",
        "source_url": "https://example.org", "is_demo": False, "note": ""}
LISTING = {"entry_id": "", "org_id": "", "list_name": "entity_list", "name": "", "listed_on": None,
           "removed_on": None, "date_known": False, "citation": "", "source_url": "", "rule": "ror"}


def frame(rows, template):
    return pd.DataFrame([{**template, **r} for r in rows], columns=list(template))


def frames(**kw):
    empty = {"works": frame([], WORK), "affiliations": frame([], AFF), "deals": frame([], DEAL),
             "listings": frame([], LISTING),
             "parties": pd.DataFrame(columns=["record_kind", "record_id", "name", "role",
                                              "country", "org_id", "party_key"]),
             "events": pd.DataFrame(columns=["id", "year", "date", "type", "title", "parties",
                                             "countries", "amount_usd", "concern_areas",
                                             "source_url", "is_demo", "note"]),
             "orgs": pd.DataFrame(columns=["id", "name", "country", "name_zh", "name_ru"]),
             "centres": pd.DataFrame(columns=["id", "name", "founded", "party_a", "party_b"]),
             "centre_works": pd.DataFrame(columns=["centre_id", "work_id", "rule", "matched"]),
             "publication_counts": pd.DataFrame(columns=["series", "ai_definition", "year",
                                                         "count", "query_url", "fetched_at",
                                                         "is_demo"]),
             "series_points": pd.DataFrame(columns=["series", "period", "value", "unit",
                                                    "source_url", "note", "is_demo"])}
    empty.update(kw)
    return empty


def run(ind_id, f, params=None):
    return evaluate(IND[ind_id], f, AS_OF, params=params)


def counts(series):
    return pd.DataFrame([{"series": s, "ai_definition": "topics.subfield.id:1702", "year": y,
                          "count": c, "query_url": f"https://api.openalex.org/works?f={s}",
                          "fetched_at": pd.Timestamp("2026-11-01"), "is_demo": False}
                         for s, ys in series.items() for y, c in ys.items()])


def test_counts_drive_output_share_and_dyads():
    c = counts({"CN+RU": {2019: 84, 2020: 92, 2021: 150}, "RU": {2019: 2900, 2021: 3100},
                "CN": {2021: 90000}, "US+CN": {2021: 7000}, "US+RU": {2021: 120}})
    works = frame([{"id": "W1", "year": 2021}, {"id": "W2", "year": 2021, "is_ai": False}], WORK)
    f = frames(publication_counts=c, works=works)
    out = run("research.joint_output", f)
    assert out.results[0].values["2021"] == 150 and out.results[0].series["stored"] == {"2021": 1.0}
    assert [x.period for x in out.findings] == ["2021"]  # +63% year on year
    assert out.results[0].evidence["2021"][0]["id"] == "W1"  # not W2: not AI
    assert out.results[0].count("2021") == 1
    share = run("research.joint_share", f)
    assert share.results[0].series["ru_share"]["2021"] == pytest.approx(4.83871, rel=1e-4)
    dyad = run("research.dyad_comparison", f)
    assert ("2021", "critical") in {(x.period, x.severity) for x in dyad.findings}


def test_stored_works_count_when_no_server_counts_and_evidence_is_bounded():
    works = frame([{"id": f"W{i:03d}", "year": 2020} for i in range(50)]
                  + [{"id": "C1", "year": 2020, "source": "cnki"},
                     {"id": "X1", "year": 2020, "in_language": False}], WORK)
    out = run("research.joint_output", frames(works=works)).results[0]
    assert out.values == {"2020": 50.0} and out.count("2020") == 50
    assert len(out.evidence["2020"]) == 20 and out.evidence["2020"][0]["id"] == "W049"
    assert len(out.members) == 50 and set(out.members["kind"]) == {"work"}


def test_field_mix_and_citation_impact_pooled_baseline():
    works = frame([{"id": "A", "year": 2018, "field": "remote sensing", "is_top10": True},
                   {"id": "B", "year": 2019, "field": "remote sensing", "is_top10": False},
                   {"id": "C", "year": 2019, "field": "computer vision", "is_top10": False},
                   {"id": "D", "year": 2019, "field": "computer vision", "is_top10": False},
                   {"id": "E", "year": 2020, "field": "remote sensing", "is_top10": True},
                   {"id": "F", "year": 2020, "field": "remote sensing", "is_top10": True}], WORK)
    f = frames(works=works)
    fm = {r.subject: r for r in run("research.field_mix", f).results}
    assert fm["remote sensing"].values == {"2018": 1.0, "2019": 1.0, "2020": 2.0}
    ci = run("research.citation_impact", f).results[0]
    assert ci.values["2020"] == 100.0
    assert ci.series["top10_gain"]["2020"] == pytest.approx(75.0)  # pooled: 1 of 4 to 2019


def test_pairs_centres_and_huawei_read_resolved_organisations():
    works = frame([{"id": f"W{i}", "year": 2020 + i // 3} for i in range(6)], WORK)
    affs = []
    for i in range(6):
        affs += [{"work_id": f"W{i}", "author": 0, "org_id": "ras", "country": "RU"},
                 {"work_id": f"W{i}", "author": 1, "org_id": "cas", "country": "CN"}]
    affs += [{"work_id": "W5", "author": 2, "org_id": "hdu", "country": "CN"},
             {"work_id": "W5", "author": 2, "org_id": "itmo", "country": "RU"},
             {"work_id": "W4", "author": 3, "org_id": "huawei", "country": "CN"}]
    orgs = pd.DataFrame([{"id": o, "name": o.upper(), "country": None, "name_zh": None,
                          "name_ru": None} for o in ("ras", "cas", "hdu", "itmo", "huawei")])
    listings = frame([{"entry_id": "h", "org_id": "huawei", "list_name": "huawei"},
                      {"entry_id": "c", "org_id": "cas", "list_name": "seven_sons"}], LISTING)
    centres = pd.DataFrame([{"id": "hdu-itmo", "name": "HDU-ITMO Joint Institute",
                             "founded": 2018, "party_a": "hdu", "party_b": "itmo"}])
    signed = pd.DataFrame([{"centre_id": "hdu-itmo", "work_id": "W5", "rule": "both parties",
                            "matched": "hdu and itmo"}])  # decided by the resolve stage
    f = frames(works=works, affiliations=frame(affs, AFF), orgs=orgs, listings=listings,
               centres=centres, centre_works=signed)
    pairs = run("research.institution_pairs", f).results[0]
    assert pairs.sets["top10"]["2021"][0] == "RAS | CAS"
    assert pairs.sets["listed_3in3"]["2020"] == ["RAS | CAS"]  # CAS is listed, 3 papers in 2020
    centres_out = {r.subject: r for r in run("research.joint_centres", f).results}
    assert centres_out["HDU-ITMO Joint Institute"].values["2021"] == 1.0
    huawei = run("research.huawei_ru", f).results[0]
    assert huawei.values == {"2021": 1.0} and huawei.sets["partners"]["2021"] == ["RAS"]


def _listed_frames(listed_on=None, removed_on=None):
    works = frame([{"id": "W1", "year": 2018}, {"id": "W2", "year": 2021},
                   {"id": "K1", "year": 2021, "source": "cnki", "in_language": False}], WORK)
    affs = frame([{"work_id": w, "org_id": "hit", "country": "CN"} for w in ("W1", "W2", "K1")]
                 + [{"work_id": "W1", "org_id": "mai", "country": "RU"}], AFF)
    lst = frame([{"entry_id": "e", "org_id": "hit", "name": "HIT", "listed_on": listed_on,
                  "removed_on": removed_on, "date_known": listed_on is not None},
                 {"entry_id": "d", "org_id": "mai", "name": "MAI", "list_name": "ru_defence"}],
                LISTING)
    return frames(works=works, affiliations=affs, listings=lst)


def test_entity_list_counts_listed_at_the_time_and_keeps_unknown_dates_apart():
    f = _listed_frames(listed_on=dt.date(2020, 6, 5))
    out = run("research.entity_list_collab", f).results[0]
    assert out.values["2018"] == 0.0 and out.values["2021"] == 2.0  # listed after 2018
    assert out.series["listed_now"]["2018"] == 1.0  # a later listing never rewrites history
    rec = out.evidence["2021"][0]
    assert rec["matched"][0]["listed_on"] == "2020-06-05"
    undated = run("research.entity_list_collab", _listed_frames()).results[0]
    assert undated.values["2021"] == 0.0 and undated.series["date_unknown"]["2021"] == 2.0
    assert not [x for x in run("research.entity_list_collab", _listed_frames()).findings
                if x.rule.startswith("any_new:works")]
    defence = run("research.defence_ru_collab", f).results[0]
    assert defence.values["2018"] == 1.0


def test_chinese_language_counts_resolved_cnki_works():
    works = frame([{"id": "K1", "year": 2019, "source": "cnki", "in_language": False,
                    "funders": "NSFC;973 Program"},
                   {"id": "K2", "year": 2019, "source": "cnki", "is_joint": False}], WORK)
    affs = frame([{"work_id": "K1", "org_id": "ror:05qrfxd25", "country": "RU"}], AFF)
    out = run("research.chinese_language", frames(works=works, affiliations=affs)).results[0]
    assert out.values == {"2019": 1.0}
    assert out.series["ras"]["2019"] == 1.0 and out.series["nsfc"]["2019"] == 1.0


def test_a_year_of_undisclosed_deals_has_no_dollar_value_and_fires_nothing():
    deals = frame([{"id": "a", "year": 2023, "amount_usd": 40e6, "amount_status": "known"},
                   {"id": "b", "year": 2024, "amount_usd": 40e6, "amount_status": "known"},
                   {"id": "c", "year": 2024}, {"id": "d", "year": 2024}, {"id": "e", "year": 2024},
                   {"id": "f", "year": 2025}], DEAL)
    out = run("investment.disclosed_flow", frames(deals=deals))
    r = out.results[0]
    assert r.values["2025"] is None and r.series["undisclosed"]["2025"] == 1.0
    assert r.values["2024"] is None and r.series["disclosed"]["2024"] == 40e6
    assert not [f for f in out.findings
                if f.period in ("2024", "2025") and f.rule.startswith("yoy")]
    assert r.count("2024") == 4  # the undisclosed deals are evidence too
    share = run("investment.portfolio_share", frames(deals=frame(
        [{"id": "x", "year": 2025, "direction": "CN->RU", "amount_usd": None},
         {"id": "y", "year": 2025, "direction": "CN->US", "amount_usd": 10e6}], DEAL)))
    assert share.results[0].series["CN"]["2025"] is None and not share.findings
    assert {rec["id"] for rec in share.results[0].evidence["2025"]} == {"x", "y"}
    assert run("investment.dyad_comparison", frames(deals=deals)).results[0].values["2024"] is None
    opacity = run("investment.opacity", frames(deals=deals)).results[0]
    assert opacity.values["2024"] == 0.75


def _party(kind, rid, name, org=None, country=None):
    return {"record_kind": kind, "record_id": rid, "name": name, "role": "investor",
            "country": country, "org_id": org, "party_key": org or f"name:{name.lower()}"}


def test_watchlisted_parties_come_resolved():
    deals = frame([{"id": "m", "year": 2017, "target": "Megvii", "concern_areas": ["facial"]},
                   {"id": "r", "year": 2017, "direction": "CN->RU", "target": "Rostec City",
                    "target_country": "RU"}], DEAL)
    parties = pd.DataFrame([_party("deal", "m", "RCIF", "rcif", "RU"),
                            _party("deal", "m", "Megvii", "megvii", "CN"),
                            _party("deal", "r", "Rostec", "rostec", "RU")])
    lst = frame([{"entry_id": "1", "org_id": "megvii", "list_name": "ai_dragons"},
                 {"entry_id": "2", "org_id": "rostec", "list_name": "defence_soe"},
                 {"entry_id": "3", "org_id": "rcif", "list_name": "joint_vehicles"}], LISTING)
    f = frames(deals=deals, parties=parties, listings=lst)
    # a year with no record is none that year, through the last complete one (2025)
    zeros = {str(y): 0.0 for y in range(2018, 2026)}
    assert run("investment.ai_dragons", f).results[0].values == {"2017": 1.0, **zeros}
    assert run("investment.defence_soe", f).results[0].values == {"2017": 1.0, **zeros}
    rcif = run("investment.rcif_portfolio", f).results[0]
    assert rcif.series["ai_deals"] == {"2017": 1.0}
    assert run("investment.concern_areas", f).results[0].values == {"2017": 1.0, **zeros}


def test_events_formal_ties_partnerships_vehicles_and_data():
    ev = pd.DataFrame([
        {"id": "e1", "year": 2019, "type": "corporate_partnership", "title": "A-B", "parties":
         [{"name": "A"}, {"name": "B"}], "countries": ["CN", "RU"], "amount_usd": None,
         "concern_areas": ["facial"], "source_url": "https://x", "is_demo": False, "note": "",
         "date": "2019-01-01"},
        {"id": "e2", "year": 2020, "type": "corporate_partnership", "title": "A-B again",
         "parties": [{"name": "A"}, {"name": "B"}], "countries": ["CN", "RU"],
         "amount_usd": None, "concern_areas": [], "source_url": "https://x", "is_demo": False,
         "note": "", "date": "2020-01-01"},
        {"id": "e3", "year": 2020, "type": "research_agreement", "title": "HIT-MAI",
         "parties": [{"name": "HIT"}, {"name": "MAI"}], "countries": ["CN", "RU"],
         "amount_usd": None, "concern_areas": [], "source_url": "https://x", "is_demo": False,
         "note": "", "date": "2020-01-01"},
        {"id": "e4", "year": 2022, "type": "joint_fund", "title": "Fund", "parties": [],
         "countries": [], "amount_usd": 2e9, "concern_areas": [], "source_url": "https://x",
         "is_demo": False, "note": "", "date": "2022-01-01"},
        {"id": "e5", "year": 2023, "type": "data_agreement", "title": "Data", "parties": [],
         "countries": [], "amount_usd": None, "concern_areas": [], "source_url": "https://x",
         "is_demo": False, "note": "", "date": "2023-01-01"}])
    parties = pd.DataFrame([_party("event", "e1", "A", "a"), _party("event", "e1", "B", "b"),
                            _party("event", "e2", "A", "a"), _party("event", "e2", "B", "b"),
                            _party("event", "e3", "HIT", "hit")])
    lst = frame([{"entry_id": "1", "org_id": "hit"}], LISTING)
    f = frames(events=ev, parties=parties, listings=lst)
    p = run("investment.partnerships", f).results[0]
    assert p.sets["known_partnership_events"] == {"2020": ["e2"]}
    assert p.sets["new_in_concern_area"] == {"2019": ["e1"]}
    formal = run("research.formalization", f).results[0]
    assert formal.sets["watchlisted"] == {"2020": ["e3"]}
    assert run("investment.new_vehicles", f).results[0].series["max_amount"] == {"2022": 2e9}
    assert run("investment.data_agreements", f).results[0].sets["agreements"] == {"2023": ["e5"]}


def test_student_flows_from_series_points():
    sp = pd.DataFrame([{"series": "students.cn_in_ru", "period": p, "value": v, "unit": "",
                        "source_url": "https://x", "note": "", "is_demo": False}
                       for p, v in (("2023", 50000.0), ("2024", 70000.0))])
    out = run("talent.student_flows", frames(series_points=sp))
    assert out.results[0].values == {"2023": 50000.0, "2024": 70000.0}
    assert ("2024", "warning") in {(x.period, x.severity) for x in out.findings}


def test_every_indicator_survives_empty_frames():
    f = frames(refresh_runs=pd.DataFrame(columns=["source", "status", "finished_at",
                                                  "checked_at"]),
               sources=pd.DataFrame(columns=["name", "family"]))
    for ind_id in IND:
        run(ind_id, f)  # no exception, whatever is missing


def test_a_year_is_complete_only_after_its_lag():
    from trendline.indicators.common import partial_years

    periods = ["2024", "2025", "2026"]
    assert partial_years(periods, dt.date(2026, 3, 1), {"lag_months": 6}) == {"2025", "2026"}
    assert partial_years(periods, dt.date(2026, 7, 1), {"lag_months": 6}) == {"2026"}
    assert partial_years(periods, dt.date(2026, 1, 5), {}) == {"2026"}
    works = frame([{"id": f"W{i}", "year": 2025} for i in range(9)]
                  + [{"id": "V1", "year": 2024}], WORK)
    out = evaluate(IND["research.joint_output"], frames(works=works), dt.date(2026, 3, 1),
                   params={"lag_months": 6})
    assert out.results[0].partial_periods == {"2025"} and not out.findings  # +800%, too early


def test_no_value_rule_fires_on_a_year_still_filling_in():
    """Level, share, growth, z-score and cross-over rules all skip an incomplete year."""
    from trendline.indicators.base import Result, Rule
    from trendline.indicators.rules import check

    ind = IND["research.dyad_comparison"]
    partial = Result("research.dyad_comparison",
                     {"value": {"2025": 10.0, "2026": 10.0}, "cn_ru": {"2026": 99.0},
                      "us_ru": {"2026": 1.0}}, partial_periods=frozenset({"2026"}))
    rules = (Rule("absolute", op="<", threshold=50), Rule("crossover", series="cn_ru",
                                                           op=">", other="us_ru"),
             Rule("yoy", threshold=0.0), Rule("zscore", threshold=0.0, window=2))
    assert [f.period for f in check(ind, [partial], rules, 2020)] == ["2025"]
