"""The watch-list indicators on small hand-made frames (pure: no database, no disk).
Organisations, papers and deals here are synthetic; only the list names are real."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.registry import all_indicators, evaluate

AS_OF = dt.date(2026, 1, 15)


def run(ind_id, frames, params=None):
    return evaluate(all_indicators()[ind_id], frames, AS_OF, params=params)


def fired(ev):
    return {(f.subject, f.period, f.severity) for f in ev.findings}


def entry(list_name, key, name, country, org_id=None, listed_on=None, removed_on=None, aliases=()):
    return {
        "id": f"{list_name}:{key}",
        "list_name": list_name,
        "name": name,
        "aliases": list(aliases),
        "country": country,
        "org_id": org_id,
        "ror_id": None,
        "listed_on": listed_on,
        "removed_on": removed_on,
        "citation": f"{list_name} citation",
        "source_url": f"https://example.org/{key}",
    }


# Papers ---------------------------------------------------------------------------------


def work(wid, year, countries=("CN", "RU"), source="openalex", url=None):
    return {
        "id": wid,
        "source": source,
        "doi": None if url else f"https://doi.org/10.5555/{wid}",
        "title": f"paper {wid}",
        "publication_year": year,
        "countries": list(countries),
        "url": url,
        "is_demo": False,
    }


def aff(wid, name, country, org_id=None, lists=(), rule="alias"):
    return {
        "work_id": wid,
        "institution_name": name,
        "country_code": country,
        "org_id": org_id,
        "org_name": name if org_id else None,
        "lists": list(lists),
        "match_rule": rule if org_id else "none",
        "match_score": 1.0 if org_id else 0.0,
    }


def paper_frames():
    works = [
        work("W1", 2019),
        work("W2", 2022),
        work("W4", 2016),
        work("W6", 2024),
        work("cnki:abc", 2023, source="cnki", url="https://kns.cnki.net/abc"),
        work("W7", 2024, countries=("CN",)),
        work("W8", 2024),
    ]
    affs = [
        aff("W1", "Aero University", "CN", "tl:aero", ["entity_list"]),
        aff("W1", "Moscow Institute", "RU"),
        aff("W2", "Harbin Test University", "CN", "tl:htu", ["entity_list"]),
        aff("W2", "Kazan Institute", "RU"),
        aff("cnki:abc", "哈尔滨测试大学", "CN", "tl:htu", ["entity_list"]),
        aff("cnki:abc", "Институт", "RU"),
        aff("W4", "Gone Institute", "CN", "tl:gone", []),  # removed from the list since
        aff("W4", "Tomsk Institute", "RU"),
        aff("W6", "Aero Hospital", "CN", "tl:aero", [], rule="review"),  # never counts
        aff("W6", "Kazan Institute", "RU"),
        aff("W7", "Aero University", "CN", "tl:aero", ["entity_list"]),  # not joint
        aff("W8", "Plain University", "CN"),
        aff("W8", "ERA Technopolis", "RU", "tl:era", ["ru_defence"]),
    ]
    entries = [
        entry("entity_list", "aero", "Aero University", "CN", "tl:aero", dt.date(2010, 1, 1)),
        entry("entity_list", "htu", "Harbin Test University", "CN", "tl:htu", dt.date(2023, 5, 1)),
        entry(
            "entity_list",
            "gone",
            "Gone Institute",
            "CN",
            "tl:gone",
            dt.date(2015, 1, 1),
            dt.date(2020, 1, 1),
        ),
        entry("ru_defence", "era", "ERA Technopolis", "RU", "tl:era"),
    ]
    return {
        "works": pd.DataFrame(works),
        "affiliations": pd.DataFrame(affs),
        "watchlist_entries": pd.DataFrame(entries),
    }


def test_entity_list_collab_listed_now_and_at_the_time():
    ev = run("research.entity_list_collab", paper_frames())
    (res,) = ev.results
    zeros = {str(y): 0.0 for y in range(2016, 2025)}  # years without such papers are zeros
    assert res.values == zeros | {"2019": 1.0, "2022": 1.0, "2023": 1.0}
    assert res.series["listed_at_the_time"] == zeros | {"2016": 1.0, "2019": 1.0, "2023": 1.0}
    assert res.sets["works"] == {
        "2016": ["W4"],
        "2019": ["W1"],
        "2022": ["W2"],
        "2023": ["cnki:abc"],
    }
    (w2,) = res.evidence["2022"]
    (org,) = w2["matched"]
    assert org["org_id"] == "tl:htu" and org["lists"] == ["entity_list"]
    assert org["listed_on"] == "2023-05-01" and org["listed_at_the_time"] is False
    assert org["rule"] == "alias" and w2["url"] == "https://openalex.org/W2"
    cnki = next(r for r in res.evidence["2023"] if r["kind"] == "work")
    assert cnki["id"] == "cnki:abc" and cnki["url"] == "https://kns.cnki.net/abc"
    assert cnki["matched"][0]["listed_at_the_time"] is True
    # added to the list in 2023 while co-authoring (papers 2022 and 2023)
    assert res.sets["added_while_collaborating"] == {"2023": ["tl:htu"]}
    assert fired(ev) == {
        ("W2", "2022", "warning"),
        ("cnki:abc", "2023", "warning"),
        ("tl:htu", "2023", "critical"),
    }
    listing = next(f for f in ev.findings if f.subject == "tl:htu").evidence
    assert listing[0]["kind"] == "listing" and listing[0]["papers"] == ["W2", "cnki:abc"]
    assert listing[0]["url"] == "https://example.org/htu"


def test_entity_list_collab_doubling_is_critical():
    def with_papers(*papers):
        f = paper_frames()
        f["works"] = pd.concat(
            [f["works"], pd.DataFrame([work(w, y) for w, y in papers])], ignore_index=True
        )
        more = [
            a
            for w, _ in papers
            for a in (
                aff(w, "Aero University", "CN", "tl:aero", ["entity_list"]),
                aff(w, "Moscow Institute", "RU"),
            )
        ]
        f["affiliations"] = pd.concat([f["affiliations"], pd.DataFrame(more)], ignore_index=True)
        return run("research.entity_list_collab", f)

    ev = with_papers(("W9", 2023))  # 1 -> 2: doubling off a base too small to mean much
    assert ev.results[0].values["2023"] == 2.0 and ("all", "2023", "critical") not in fired(ev)
    ev = with_papers(("W8", 2022), ("W9", 2023), ("W10", 2023), ("W11", 2023))  # 2 -> 4
    assert ev.results[0].values["2023"] == 4.0 and ("all", "2023", "critical") in fired(ev)


def test_added_while_collaborating_needs_recent_papers():
    f = paper_frames()
    ev = run("research.entity_list_collab", f, params={"collab_window_years": 1})
    assert ev.results[0].sets["added_while_collaborating"] == {"2023": ["tl:htu"]}
    f["works"].loc[f["works"]["id"] == "cnki:abc", "publication_year"] = 2024
    ev = run("research.entity_list_collab", f, params={"collab_window_years": 1})
    assert ev.results[0].sets["added_while_collaborating"] == {}
    assert not any(s == "tl:htu" for s, _, _ in fired(ev))


def test_defence_ru_collab_counts_the_russian_side_only():
    ev = run("research.defence_ru_collab", paper_frames())
    (res,) = ev.results
    assert res.values == {"2024": 1.0}
    (rec,) = res.evidence["2024"]
    assert rec["id"] == "W8" and rec["matched"][0]["org_id"] == "tl:era"
    assert rec["matched"][0]["lists"] == ["ru_defence"]
    assert res.series["listed_at_the_time"] == {"2024": 0.0}  # curated: no listing date
    assert fired(ev) == {("W8", "2024", "warning")}


# Deals and events -----------------------------------------------------------------------


def org(oid, name, country, aliases=(), acronyms=()):
    return {
        "id": oid,
        "name": name,
        "country": country,
        "ror_id": None,
        "names": {},
        "aliases": list(aliases),
        "acronyms": list(acronyms),
        "weak_aliases": [],
        "parent_id": None,
    }


def deal(did, year, target, target_country, direction):
    return {
        "id": did,
        "year": year,
        "announced_on": dt.date(year, 6, 1),
        "target": target,
        "target_country": target_country,
        "direction": direction,
        "amount_usd": 1e7,
        "source_url": f"https://example.org/{did}",
        "is_demo": False,
        "note": "",
    }


def party(did, name, role, country=None):
    return {"deal_id": did, "name": name, "role": role, "country": country, "org_id": None}


def event(eid, year, parties, countries, kind="corporate_partnership"):
    return {
        "id": eid,
        "year": year,
        "date": dt.date(year, 3, 1),
        "type": kind,
        "title": f"event {eid}",
        "parties": list(parties),
        "countries": list(countries),
        "source_url": f"https://example.org/{eid}",
        "is_demo": False,
        "note": "",
    }


def deal_frames():
    orgs = [
        org("tl:megvii", "Megvii", "CN", ["Megvii Technology", "Face++"]),
        org("tl:sensetime", "SenseTime", "CN", ["SenseTime Group Limited"]),
        org("tl:cetc", "China Electronics Technology Group Corporation", "CN", acronyms=["CETC"]),
        org("tl:rostec", "Rostec", "RU", ["Rostec State Corporation"]),
    ]
    entries = [
        entry("ai_dragons", "megvii", "Megvii", "CN", "tl:megvii"),
        entry("ai_dragons", "sensetime", "SenseTime", "CN"),  # org filled in by name
        entry(
            "ai_dragons", "cloudwalk", "CloudWalk Technology", "CN", aliases=["CloudWalk"]
        ),  # no registry organisation at all
        entry("defence_soe", "cetc", "CETC", "CN", "tl:cetc"),
        entry("defence_soe", "rostec", "Rostec", "RU", "tl:rostec"),
    ]
    deals = [
        deal("d-megvii-2017", 2017, "Megvii (Face++)", "CN", "RU->CN"),
        deal("d-sense-2023", 2023, "Volga Vision", "RU", "CN->RU"),
        deal("d-megvii-us-2023", 2023, "Megvii", "CN", "US->CN"),
        deal("d-city-2017", 2017, "Moscow Technopark", "RU", "CN->RU"),
        deal("d-rostec-2025", 2025, "Shenzhen Robots", "CN", None),
    ]
    parties = [
        party("d-megvii-2017", "Russia-China Investment Fund", "investor"),
        party("d-megvii-2017", "Megvii (Face++)", "target", "CN"),
        party("d-sense-2023", "SenseTime Group Limited", "investor", "CN"),
        party("d-sense-2023", "Volga Vision", "target", "RU"),
        party("d-megvii-us-2023", "Example US Fund", "investor", "US"),
        party("d-megvii-us-2023", "Megvii", "target", "CN"),
        party("d-city-2017", "Rostec", "partner", "RU"),
        party("d-city-2017", "Moscow Technopark", "target", "RU"),
        party("d-rostec-2025", "Rostec", "investor"),  # country from the registry
        party("d-rostec-2025", "Shenzhen Robots", "target", "CN"),
    ]
    events = [
        event("ev-cloud-2024", 2024, ["CloudWalk", "Moscow Faces LLC"], ["CN", "RU"]),
        event("ev-megvii-cn-2024", 2024, ["Megvii", "Beijing Partner"], ["CN"]),
        event(
            "ev-cetc-rostec-2024",
            2024,
            ["China Electronics Technology Group Corporation", "Rostec State Corporation"],
            ["CN", "RU"],
            kind="joint_venture",
        ),
        event("ev-cetc-cn-2024", 2024, ["CETC", "Tsinghua Partner"], ["CN"]),
    ]
    return {
        "organisations": pd.DataFrame(orgs),
        "watchlist_entries": pd.DataFrame(entries),
        "deals": pd.DataFrame(deals),
        "deal_parties": pd.DataFrame(parties),
        "events": pd.DataFrame(events),
    }


def test_ai_dragons_needs_a_russian_side():
    ev = run("investment.ai_dragons", deal_frames())
    (res,) = ev.results
    assert res.values == {"2017": 1.0, "2023": 1.0, "2024": 1.0}
    assert res.series["deals"] == {"2017": 1.0, "2023": 1.0, "2024": 0.0}
    assert res.sets["collaborations"] == {
        "2017": ["d-megvii-2017"],
        "2023": ["d-sense-2023"],
        "2024": ["ev-cloud-2024"],
    }
    (megvii,) = res.evidence["2017"]
    assert megvii["kind"] == "deal" and megvii["url"] == "https://example.org/d-megvii-2017"
    (hit,) = megvii["matched"]
    assert (hit["org_id"], hit["lists"], hit["rule"]) == ("tl:megvii", ["ai_dragons"], "alias")
    assert hit["party"] == "Megvii (Face++)" and megvii["other_side"] == ["deal direction RU->CN"]
    (sense,) = res.evidence["2023"]
    assert sense["matched"][0]["org_id"] == "tl:sensetime"
    assert "party Volga Vision (RU)" in sense["other_side"]
    (cloud,) = res.evidence["2024"]
    assert cloud["kind"] == "event" and cloud["matched"][0]["lists"] == ["ai_dragons"]
    assert cloud["other_side"] == ["event countries include CN and RU"]
    # the 2017 Megvii round is the brief's baseline: only later ones fire
    assert fired(ev) == {("d-sense-2023", "2023", "warning"), ("ev-cloud-2024", "2024", "warning")}
    finding = next(f for f in ev.findings if f.subject == "ev-cloud-2024")
    assert [e["id"] for e in finding.evidence] == ["ev-cloud-2024"]


def test_defence_soe_any_new_is_critical():
    ev = run("investment.defence_soe", deal_frames())
    (res,) = ev.results
    assert res.values == {"2017": 1.0, "2024": 1.0, "2025": 1.0}
    assert res.series["both_sides"] == {"2017": 0.0, "2024": 1.0, "2025": 0.0}
    (joint,) = res.evidence["2024"]
    assert {h["org_id"] for h in joint["matched"]} == {"tl:cetc", "tl:rostec"}
    assert joint["both_sides"] is True and joint["url"] == "https://example.org/ev-cetc-rostec-2024"
    (rostec,) = res.evidence["2025"]
    assert rostec["matched"][0]["country"] == "RU"
    assert rostec["other_side"] == ["party Shenzhen Robots (CN)"]
    assert fired(ev) == {
        ("ev-cetc-rostec-2024", "2024", "critical"),
        ("d-rostec-2025", "2025", "critical"),
    }
    only_both = run("investment.defence_soe", deal_frames(), params={"both_sides": True})
    assert only_both.results[0].values == {"2024": 1.0}


def test_empty_watchlists_say_so_and_fire_nothing():
    f = deal_frames()
    f["watchlist_entries"] = pd.DataFrame()
    for ind_id in ("investment.ai_dragons", "investment.defence_soe"):
        ev = run(ind_id, f)
        assert ev.results[0].values == {} and ev.findings == []
        assert ev.results[0].notes
