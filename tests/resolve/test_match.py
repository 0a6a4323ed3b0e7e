"""The organisation matcher: labelled affiliations, traps, rules and list timing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from trendline.tasks.ingest.registry import registry
from trendline.tasks.resolve.match import Matcher, affiliation_key, build
from trendline.tasks.resolve.match.listings import Listings

LABELLED = Path(__file__).parents[1] / "fixtures" / "affiliations_labelled.csv"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    orgs, entries = registry()
    return build(orgs.values(), entries)[0]


def test_labelled_precision_and_recall(matcher):
    rows = list(csv.DictReader(LABELLED.open(encoding="utf-8")))
    assert len(rows) >= 150
    tp = fp = fn = 0
    for row in rows:
        want = set(filter(None, row["lists"].split(";")))
        got = set(matcher.resolve(row["affiliation"]).lists)
        tp, fp, fn = tp + len(want & got), fp + len(got - want), fn + len(want - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nlist membership on {len(rows)} labelled strings: "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.98 and recall >= 0.95


@pytest.mark.parametrize("text, org", [
    ("Beijing University of Technology, Beijing 100124", "Beijing University of Technology"),
    ("Harbin Medical University", "Harbin Medical University"),
    ("Nanjing University, Nanjing 210093", "Nanjing University"),
    ("西安电子科技大学", "Xidian University"),
    ("南京理工大学紫金学院", "Nanjing University of Science and Technology ZiJin College"),
])
def test_lookalikes_are_not_listed(matcher, text, org):
    m = matcher.resolve(text)
    assert m.org_name == org and m.lists == ()


@pytest.mark.parametrize("text", [
    "School of Computer Science, Beihang University, Beijing 100191, China",
    "School of Computer Science and Engineering Beihang University",
    "Beijing Univ Aeronaut & Astronaut, Sch Comp Sci & Engn, Beijing 100191, Peoples R China",
    "北京航空航天大學計算機學院",
    "Бэйханский университет, Пекин",
])
def test_departments_addresses_and_scripts(matcher, text):
    m = matcher.resolve(text)
    assert m.org_name == "Beihang University" and m.rule == "alias"
    assert {"seven_sons", "entity_list"} <= set(m.lists)


def test_rules_and_scores(matcher):
    assert matcher.resolve("anything", "https://ror.org/01yqg2h08").rule == "ror"
    typo = matcher.resolve("Harbin Insitute of Technology, Harbin")
    assert typo.rule == "fuzzy" and 0.9 <= typo.score < 1 and "seven_sons" in typo.lists
    campus = matcher.resolve("Beijing Institute of Technology Zhuhai")
    assert campus.rule == "review" and campus.lists == ()
    generic = matcher.resolve("Institute of Physics, University of Tartu")
    assert generic.rule == "review" and generic.lists == ()
    assert matcher.resolve("Institute of Physics, Chinese Academy of Sciences").lists == (
        "entity_list",
    )
    assert matcher.resolve("Tsinghua University").lists == ()
    assert matcher.resolve("").rule == "none"


def test_entries_merge_into_registry_orgs():
    orgs, entries = registry()
    csl = {"id": "entity_list:x", "list_name": "entity_list", "org_id": None, "removed_on": None,
           "name": "China Electronics Technology Group Corporation 13th Research Institute",
           "aliases": ["Hebei Semiconductor Research Institute"]}
    m, entry_orgs = build(orgs.values(), [*entries, csl])
    assert entry_orgs["entity_list:x"] == "tl:cetc-13"
    assert set(m.resolve("河北半导体研究所").lists) == {"defence_soe", "entity_list"}


def test_from_entries_and_key_stay_compatible():
    m = Matcher.from_entries([{"id": "a:1", "list_name": "entity_list", "name": "Foo Institute",
                               "aliases": [], "org_id": None, "removed_on": None}])
    assert m.resolve("Foo Institute").lists == ("entity_list",)
    assert affiliation_key("Foo", None) == affiliation_key("foo", None)


def test_listings_on_a_date():
    day = dt.date
    rows = [{"org_id": "o", "list_name": "entity_list", "listed_on": day(2020, 6, 5),
             "removed_on": None},
            {"org_id": "o", "list_name": "meu_list", "listed_on": day(2020, 12, 23),
             "removed_on": day(2022, 1, 1)},
            {"org_id": "p", "list_name": "entity_list", "listed_on": None, "removed_on": None}]
    lst = Listings(rows)
    assert not lst.was_listed("o", day(2019, 1, 1))
    assert lst.was_listed("o", day(2020, 6, 5), ["entity_list"])
    assert lst.was_listed("o", day(2021, 1, 1), ["meu_list"])
    assert not lst.was_listed("o", day(2022, 6, 1), ["meu_list"])
    assert lst.is_listed("o", ["entity_list"]) and not lst.is_listed("o", ["meu_list"])
    assert lst.is_listed("p") and not lst.was_listed("p", day(2024, 1, 1))
