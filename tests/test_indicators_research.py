"""The research indicators on small hand-made frames, and all of them on the demo."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from indicators.registry import all_indicators, evaluate
from indicators.research_fields import field_of
from tasks.ingest.sources import openalex
from trendline.settings import Settings

AS_OF = dt.date(2026, 11, 20)
MINE = ("research.joint_output", "research.joint_share", "research.dyad_comparison",
        "research.field_mix", "research.institution_pairs", "research.citation_impact",
        "research.huawei_ru", "research.joint_centres", "research.chinese_language")


def work(wid, year, countries=("CN", "RU"), source="openalex", topics=(), **kw):
    row = {"id": wid, "source": source, "doi": f"https://doi.org/10.5555/{wid}", "title": wid,
           "publication_year": year, "countries": list(countries), "topics": list(topics),
           "funders": [], "is_top10": None, "fwci": None, "citation_percentile": None,
           "cited_by_count": 0, "is_demo": False, "url": None}
    row.update(kw)
    return row


def aff(wid, pos, name, country, lists=(), raw=""):
    return {"work_id": wid, "author_position": pos, "institution_index": 0,
            "institution_name": name, "country_code": country, "raw_affiliation": raw,
            "org_name": None, "lists": list(lists), "ror_id": None}


def counts(series: dict[str, dict[int, int]]):
    rows = [{"series": s, "ai_definition": "topics.subfield.id:1702", "year": y, "count": c,
             "query_url": f"https://api.openalex.org/works?filter={s}",
             "fetched_at": pd.Timestamp("2026-11-01")}
            for s, years in series.items() for y, c in years.items()]
    return pd.DataFrame(rows)


def frames(works=(), affs=(), count_rows=None):
    w = pd.DataFrame(list(works), columns=list(work("x", 2020).keys()))
    a = pd.DataFrame(list(affs), columns=list(aff("x", 0, "", "").keys()))
    return {"works": w, "affiliations": a, "authorships": a,
            "publication_counts": count_rows if count_rows is not None else counts({})}


def run(iid, f, params=None):
    return evaluate(all_indicators()[iid], f, AS_OF, params=params)


def test_counts_drive_output_share_and_dyads():
    c = counts({"CN+RU": {2019: 84, 2020: 92, 2021: 150},
                "RU": {2019: 2900, 2020: 3200, 2021: 3100},
                "CN": {2019: 80000, 2020: 85000, 2021: 90000},
                "US+CN": {2019: 8138, 2020: 8000, 2021: 7000},
                "US+RU": {2019: 151, 2020: 140, 2021: 120}})
    f = frames([work("W1", 2021)], count_rows=c)
    out = run("research.joint_output", f)
    assert out.results[0].values["2021"] == 150 and out.results[0].series["stored"] == {"2021": 1.0}
    assert [x.period for x in out.findings] == ["2021"]  # +63% year on year
    rec = out.results[0].evidence["2021"][0]
    assert rec["url"] == "https://openalex.org/W1" and rec["doi"] == "https://doi.org/10.5555/W1"
    share = run("research.joint_share", f)
    assert share.results[0].series["ru_share"]["2021"] == pytest.approx(4.83871, rel=1e-4)
    assert {x.period for x in share.findings} == {"2021"}
    dyad = run("research.dyad_comparison", f)
    assert dyad.results[0].values["2021"] == pytest.approx(46.666667)
    fired = {(x.period, x.severity) for x in dyad.findings}
    assert ("2021", "critical") in fired  # CN-RU 150 > US-RU 120
    assert dyad.results[0].evidence["2021"][0]["url"].startswith("https://api.openalex.org")


def test_field_mapping():
    def t(name, sub):
        return [{"id": "T1", "name": name, "score": 0.9, "subfield_id": sub}]

    assert field_of(t("Remote sensing image classification", "1903")) == "remote sensing"
    assert field_of(t("Image and video recognition", "1707")) == "computer vision"
    assert field_of(t("Adaptive control of uncertain systems", "2207")) == "control theory"
    assert field_of(t("Gearbox wear", "2207")) == "control engineering"
    assert field_of(t("Something", "1702")) == "machine learning"
    assert field_of(t("Soil chemistry", "1111")) == "other" and field_of([]) == "other"


def test_field_mix_concern_doubling_and_top3():
    nlp = [{"id": "T", "name": "Natural language processing models", "score": 1,
            "subfield_id": "3310"}]
    cv = [{"id": "T", "name": "Image recognition", "score": 1, "subfield_id": "1707"}]
    ws = [work(f"A{i}", 2020, topics=cv) for i in range(5)] + [work("B0", 2020, topics=nlp)]
    ws += [work(f"C{i}", 2021, topics=cv) for i in range(5)]
    ws += [work(f"D{i}", 2021, topics=nlp) for i in range(3)]
    out = run("research.field_mix", frames(ws))
    by_subject = {r.subject: r for r in out.results}
    assert by_subject["natural language processing"].values == {"2020": 1.0, "2021": 3.0}
    kinds = {(x.subject, x.rule.split(":")[0]) for x in out.findings}
    assert ("natural language processing", "yoy") in kinds


def test_institution_pairs_top10_and_listed():
    ws, affs = [], []
    for i, year in enumerate([2019, 2020, 2021, 2021]):
        ws.append(work(f"W{i}", year))
        affs += [aff(f"W{i}", 0, "Beihang University", "CN", lists=["entity_list"]),
                 aff(f"W{i}", 1, "Moscow Aviation Institute", "RU")]
    ws.append(work("W9", 2021))
    affs += [aff("W9", 0, "Zhejiang University", "CN"), aff("W9", 1, "ITMO University", "RU")]
    out = run("research.institution_pairs", frames(ws, affs))
    res = out.results[0]
    pair = "Moscow Aviation Institute | Beihang University"
    assert res.sets["listed_3in3"]["2021"] == [pair] and res.sets["listed_3in3"]["2020"] == []
    warn = [x for x in out.findings if x.severity == "warning"]
    assert [(x.subject, x.period) for x in warn] == [(pair, "2021")]
    assert warn[0].evidence[0]["works"][0]["id"] in {"W2", "W3"}
    info = [x.subject for x in out.findings if x.severity == "info"]
    assert "ITMO University | Zhejiang University" in info


def test_citation_impact_gain_over_first_baseline():
    ws = [work(f"A{i}", 2019, is_top10=i < 1, fwci=1.0) for i in range(10)]  # 10%
    ws += [work(f"B{i}", 2021, is_top10=i < 2, fwci=2.0) for i in range(10)]  # 20%
    out = run("research.citation_impact", frames(ws))
    res = out.results[0]
    assert res.values == {"2019": 10.0, "2021": 20.0} and res.series["top10_gain"]["2021"] == 10.0
    assert [x.period for x in out.findings] == ["2021"] and len(res.evidence["2021"]) == 2


def test_huawei_partners_and_centres():
    ws = [work("W1", 2020), work("W2", 2021), work("W3", 2021)]
    affs = [aff("W1", 0, "Huawei Technologies (China)", "CN"), aff("W1", 1, "Skoltech", "RU"),
            aff("W2", 0, "Huawei Russian Research Institute", "RU"), aff("W2", 1, "MIPT", "RU"),
            aff("W3", 0, "Hangzhou Dianzi University", "CN"), aff("W3", 0, "ITMO University", "RU"),
            aff("W3", 1, "x", "CN", raw="Skoltech-Huawei Innovation Joint Lab, Moscow")]
    out = run("research.huawei_ru", frames(ws, affs))
    res = out.results[0]
    assert res.values == {"2020": 1.0, "2021": 1.0}
    assert res.sets["partners"]["2021"] == ["Huawei Russian Research Institute", "MIPT"]
    assert {x.subject for x in out.findings} >= {"MIPT"}
    centres = {r.subject: r for r in run("research.joint_centres", frames(ws, affs)).results}
    hdu = centres["HDU-ITMO Joint Institute"]
    assert hdu.values == {"2018": 0.0, "2019": 0.0, "2020": 0.0, "2021": 1.0}
    assert hdu.series["output"]["2020"] is None
    assert centres["all"].sets["centre"] == {"2021": ["HDU-ITMO Joint Institute",
                                                      "Skoltech-Huawei lab"]}
    assert centres["all"].values["2021"] == 2.0
    assert centres["Skoltech-Huawei lab"].values["2021"] == 1.0
    assert centres["MIPT-Huawei lab"].values == {"2020": 0.0, "2021": 0.0}


def test_chinese_language_from_cnki_rows():
    ai = [{"id": "cnki:ai", "name": "AI"}]
    ws = [work(f"cnki:{i}", 2021, source="cnki", topics=ai, funders=["NSFC"], doi=None,
               url=f"https://kns.cnki.net/{i}") for i in range(6)]
    ws.append(work("cnki:x", 2021, source="cnki", topics=[]))  # not AI
    affs = [aff("cnki:0", 0, "俄罗斯科学院西伯利亚分院", "RU")]
    out = run("research.chinese_language", frames(ws, affs))
    res = out.results[0]
    assert res.values == {"2021": 6.0} and res.series["ras"] == {"2021": 1.0}
    assert res.series["nsfc"] == {"2021": 6.0}
    assert res.evidence["2021"][0]["url"] == "https://kns.cnki.net/0"
    assert [x.period for x in out.findings] == ["2021"]  # 6 >= 2 x 43/16


def test_empty_store_gives_empty_results_not_errors():
    for iid in MINE:
        ev = run(iid, frames())
        assert ev.findings == [] and ev.results


def test_all_nine_on_the_demo():
    b = openalex.normalise(openalex.fetch(Settings.model_construct()))
    aff_frame = pd.DataFrame(b.tables["authorships"]).assign(org_name=None)
    aff_frame["lists"] = [[] for _ in range(len(aff_frame))]
    c = pd.DataFrame(b.tables["publication_counts"]).assign(fetched_at=pd.Timestamp("2026-11-01"))
    f = {"works": pd.DataFrame(b.tables["works"]).assign(url=None), "publication_counts": c,
         "affiliations": aff_frame, "authorships": aff_frame}
    registry = all_indicators()
    for iid in MINE:
        ind = registry[iid]
        assert ind.baseline.summary and ind.rules and ind.description
        ev = evaluate(ind, f, AS_OF)
        assert ev.results
        if iid != "research.chinese_language":  # CNKI comes from its own demo export
            assert any(r.values for r in ev.results), iid
        if iid not in ("research.chinese_language", "research.joint_centres"):
            # the OpenAlex demo has no centre-signed papers: zeros, no evidence
            assert sum(len(v) for r in ev.results for v in r.evidence.values()) > 0, iid


def test_cnki_demo_export_feeds_chinese_language():
    from tasks.ingest.sources import cnki

    batch = cnki.normalise(cnki.fetch(Settings.model_construct()))
    assert batch.mode == "demo" and all(w["is_demo"] for w in batch.tables["works"])
    works = pd.DataFrame(batch.tables["works"])
    a = pd.DataFrame(batch.tables["authorships"]).assign(org_name=None)
    ev = run("research.chinese_language", {"works": works, "affiliations": a})
    res = ev.results[0]
    assert sum(res.values.values()) == 20 and sum(res.series["ras"].values()) > 0
    assert sum(res.series["nsfc"].values()) > 0 and sum(res.series["program_973"].values()) > 0
