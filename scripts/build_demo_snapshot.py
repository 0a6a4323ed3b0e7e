"""Build the bundled demo snapshot of OpenAlex responses (synthetic, deterministic).

The responses have the real API shapes (group_by count pages, cursor-paged works with the
fields Trendline selects) so the demo exercises the same code as the live service. Every
work is synthetic: its title starts "[synthetic demo]", its DOI uses the 10.5555 test
prefix and its OpenAlex id the W999... range (no real work has such an id).

Yearly counts 2010-2019 reproduce every publication figure the brief gives (see BRIEF
below and data/demo/SOURCES.md); 2020-2026 are invented. The script checks them (FIGURES)
before writing anything.

    python scripts/build_demo_snapshot.py
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trendline.tasks.ingest.clients.openalex_replay import request_key  # noqa: E402
from trendline.tasks.ingest.sources.openalex import (  # noqa: E402
    JOINT,
    SERIES,
    count_params,
    works_params,
)

OUT = ROOT / "data" / "demo" / "openalex"
AI = "topics.subfield.id:1702"
YEARS = list(range(2010, 2027))
DECADE = YEARS[:10]  # 2010-2019, the brief's window

# The requests are the live client's own (tasks/ingest/sources/openalex.py), replayed by
# openalex_replay.request_key: the demo exercises the real request shapes.
JOINT_SERIES = JOINT
PER_PAGE = 100
AI_TOPIC = {
    "id": "https://openalex.org/T91702",
    "display_name": "Neural network learning methods",
    "score": 0.62,
    "subfield": {"id": "https://openalex.org/subfields/1702",
                 "display_name": "Artificial Intelligence"},
    "field": {"id": "https://openalex.org/fields/17", "display_name": "Computer Science"},
    "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"},
}
# The brief's publication figures (brief .txt line numbers in data/curated/BASELINES_AUDIT.md).
BRIEF = {
    "CN+RU": {"total": 296, "ratio_2019_2010": 14},
    "US+CN": {"total": 38153, 2010: 1975, 2019: 8138},
    "US+RU": {"total": 736, 2010: 21, 2019: 151},
    "CN": {"total": 457248},
    "RU": {"total": 15032},
    "US": {"total": 300602},
}
# 2010..2026; 2010-2019 sum to 296 and 2019 = 14 x 2010, rising most since 2016
JOINT = [6, 7, 9, 11, 14, 18, 26, 44, 77, 84, 92, 104, 111, 124, 139, 196, 41]
# US-RU 2011-2018: "notable growth between 2016 and 2018, and a drop in 2019" (2018 > 151)
US_RU_2011_2018 = [25, 30, 38, 45, 55, 85, 120, 166]

CN = [  # (name, ror, weight)
    ("Chinese Academy of Sciences", "034t30j35", 9),
    ("Hangzhou Dianzi University", "0576gt767", 6),
    ("East China University of Science and Technology", "01vyrm377", 5),
    ("Shanghai Jiao Tong University", "0220qvk04", 5),
    ("Zhejiang University", "00a2xv884", 5),
    ("Beijing Jiaotong University", "01yj56c84", 4),
    ("Tsinghua University", "03cve4549", 4),
    ("Peking University", "02v51f717", 3),
    ("Huawei Technologies (China)", "00cmhce21", 2),
    ("Beihang University", "00wk2mp56", 2),
    ("Harbin Institute of Technology", "01yqg2h08", 2),
    ("Harbin Engineering University", "03x80pn82", 1),
    ("Beijing University of Posts and Telecommunications", "04w9fbh59", 1),
]
RU = [
    ("Russian Academy of Sciences", "05qrfxd25", 9),
    ("Skolkovo Institute of Science and Technology", "03f9nc143", 7),
    ("ITMO University", "04txgxn49", 6),
    ("Kazan Federal University", "05256ym39", 5),
    ("Lomonosov Moscow State University", "010pmpe69", 5),
    ("Kurchatov Institute", "00n1nz186", 4),
    ("Moscow Institute of Physics and Technology", "00v0z9322", 4),
    ("National Research University Higher School of Economics", "055f7t516", 3),
    ("Moscow Aviation Institute", "033zpbv42", 2),
    ("Novosibirsk State University", "04t2ss102", 2),
]
LISTED = {
    "Beihang University",
    "Harbin Institute of Technology",
    "Harbin Engineering University",
    "Beijing University of Posts and Telecommunications",
}
SUBFIELDS = [  # OpenAlex subfields (ASJC codes) with a demo topic each
    ("1707", "Computer Vision and Pattern Recognition", "Image and video recognition"),
    ("1702", "Artificial Intelligence", "Neural network learning methods"),
    ("2207", "Control and Systems Engineering", "Adaptive control of uncertain systems"),
    ("1903", "Computers in Earth Sciences", "Remote sensing image classification"),
    ("3310", "Linguistics and Language", "Natural language processing models"),
    ("1703", "Computational Theory and Mathematics", "Optimisation algorithms"),
    ("1710", "Information Systems", "Data mining and knowledge discovery"),
]
WORDS = [
    "learning",
    "recognition",
    "control",
    "networks",
    "segmentation",
    "robust",
    "adaptive",
    "transformer",
    "fusion",
    "detection",
    "graph",
    "sparse",
    "language",
    "satellite",
]


def pick(rng: random.Random, pool):
    return rng.choices(pool, weights=[w for *_, w in pool])[0][:2]


CENTRES = [  # (signature, Chinese party, Russian party, first year): the brief's joint labs
    ("HDU-ITMO Joint Institute", CN[1][:2], RU[2][:2], 2018),
    ("Skoltech-Huawei Innovation Joint Lab", CN[8][:2], RU[1][:2], 2018),
    ("MIPT-Huawei joint laboratory", CN[8][:2], RU[6][:2], 2020),
]


def joint_centre(rng: random.Random, year: int):
    """Some papers from a centre's founding on are signed by it, more each year."""
    open_ = [c for c in CENTRES if year >= c[3]]
    if open_ and rng.random() < 0.012 * (year - 2016):
        return rng.choice(open_)
    return None


def make_work(rng: random.Random, n: int, year: int) -> dict:
    """Work number n (1, 2, ... over the whole snapshot) of the given year."""
    cn_listed_share = 0.06 if year < 2022 else 0.12
    cn = pick(rng, CN)
    while (cn[0] in LISTED) != (rng.random() < cn_listed_share):
        cn = pick(rng, CN)
    insts = [cn, pick(rng, RU)] + [
        pick(rng, rng.choice([CN, RU])) for _ in range(rng.randint(0, 3))
    ]
    centre = joint_centre(rng, year)
    if centre:  # a joint centre's paper: its two parties, signed with the centre's name
        insts[:2] = [centre[1], centre[2]]
    authorships = []
    for pos, (name, ror) in enumerate(insts):
        country = "CN" if (name, ror) in [c[:2] for c in CN] else "RU"
        authorships.append(
            {
                "author_position": "first" if pos == 0 else "middle",
                "author": {
                    "id": f"https://openalex.org/A999{n:07d}{pos}",
                    "display_name": f"Demo Author {n}-{pos}",
                },
                "institutions": [
                    {
                        "id": f"https://openalex.org/I9{ror}",
                        "display_name": name,
                        "ror": f"https://ror.org/{ror}",
                        "country_code": country,
                        "type": "education",
                    }
                ],
                "countries": [country],
                "raw_affiliation_strings": [
                f"{centre[0]}, {name}" if centre and pos == 0 else
                f"{name}, {'China' if country == 'CN' else 'Russia'}"
            ],
            }
        )
    sub_id, sub_name, topic = rng.choice(SUBFIELDS)
    topic_obj = {
        "id": f"https://openalex.org/T9{sub_id}",
        "display_name": topic,
        "score": 0.99,
        "subfield": {"id": f"https://openalex.org/subfields/{sub_id}", "display_name": sub_name},
        "field": {"id": "https://openalex.org/fields/17", "display_name": "Computer Science"},
        "domain": {"id": "https://openalex.org/domains/3", "display_name": "Physical Sciences"},
    }
    cites = int(rng.expovariate(1 / 12)) if year < 2026 else rng.randint(0, 3)
    pct = min(0.999, rng.random() ** 0.7)
    wid = f"W999{n:07d}"  # W9990000001...: outside the range of real OpenAlex works
    return {
        "id": f"https://openalex.org/{wid}",
        "doi": f"https://doi.org/10.5555/trendline-demo.{wid.lower()}",
        "title": f"[synthetic demo] {rng.choice(WORDS).title()} {rng.choice(WORDS)} "
        f"for {topic.lower()}",
        "publication_year": year,
        "language": "en",
        "type": "article",
        "cited_by_count": cites,
        "fwci": round(rng.lognormvariate(0, 0.8), 3),
        "citation_normalized_percentile": {
            "value": round(pct, 6),
            "is_in_top_1_percent": pct > 0.99,
            "is_in_top_10_percent": pct > 0.9,
        },
        "cited_by_percentile_year": {"min": int(pct * 100), "max": min(100, int(pct * 100) + 1)},
        "authorships": authorships,
        "is_authors_truncated": False,
        # the API's filter topics.subfield.id:1702 matches a 1702 topic among any of a
        # work's topics: every synthetic work carries one, second when not primary
        "topics": [topic_obj] + ([] if sub_id == "1702" else [AI_TOPIC]),
        "primary_topic": topic_obj,
        "concepts": [
            {"id": "https://openalex.org/C41008148", "wikidata": "https://www.wikidata.org/wiki/Q21198",
             "display_name": "Computer science", "level": 0, "score": 0.9},
            {"id": "https://openalex.org/C154945302", "wikidata": "https://www.wikidata.org/wiki/Q11660",
             "display_name": "Artificial intelligence", "level": 1,
             "score": 0.8 if sub_id == "1702" else 0.4},
        ],
        "grants": [],
        "updated_date": "2026-11-02T00:00:00.000000",
    }


def curve(first: int, last: int, total: int) -> list[int]:
    """2010-2019 with the given end points and total: first + (last - first) * t**p for the
    inner years, p found by bisection, rounding remainders spread over the inner years."""
    inner_sum = total - first - last
    ts = [i / 9 for i in range(1, 9)]
    lo, hi = 0.05, 20.0
    for _ in range(200):
        p = (lo + hi) / 2
        if first * 8 + (last - first) * sum(t**p for t in ts) > inner_sum:
            lo = p
        else:
            hi = p
    inner = [first + (last - first) * t**p for t in ts]
    rounded = [int(x) for x in inner]
    by_fraction = sorted(range(8), key=lambda i: inner[i] - rounded[i], reverse=True)
    for i in by_fraction[: inner_sum - sum(rounded)]:
        rounded[i] += 1
    return [first, *rounded, last]


def later(decade: list[int], rng: random.Random) -> list[int]:
    """Invented 2020-2026: ~6% a year from the 2019 level, 2026 a partial year (20%)."""
    years = [round(decade[-1] * (1.06 ** (i + 1)) * rng.uniform(0.95, 1.05)) for i in range(6)]
    return years + [round(years[-1] * 0.2)]


def check(totals: dict[str, list[int]]) -> None:
    """Every figure of the brief holds in the 2010-2019 counts (see BRIEF)."""
    for name, figs in BRIEF.items():
        decade = dict(zip(DECADE, totals[name][:10], strict=True))
        assert sum(decade.values()) == figs["total"], (name, sum(decade.values()))
        for year in (2010, 2019):
            if year in figs:
                assert decade[year] == figs[year], (name, year, decade[year])
        if "ratio_2019_2010" in figs:
            assert decade[2019] == figs["ratio_2019_2010"] * decade[2010], name
    us_cn, us_ru = totals["US+CN"][:10], totals["US+RU"][:10]
    assert all(a < b for a, b in zip(us_cn, us_cn[1:], strict=False)), \
        "US-CN: steady growth, no drop in 2018/2019"
    assert all(a < b for a, b in zip(us_ru[:8], us_ru[1:9], strict=True)), \
        "US-RU: increase 2010-2018"
    assert us_ru[9] < us_ru[8], "US-RU: the brief's drop in 2019"
    assert us_ru[8] - us_ru[6] > us_ru[6] - us_ru[0], "US-RU: notable growth 2016-2018"
    cn, us = totals["CN"][:10], totals["US"][:10]
    assert us[0] > cn[0] and cn[9] > us[9], "China recently outpaced the US (brief)"


def group_body(counts: list[int]) -> dict:
    groups = [
        {"key": str(y), "key_display_name": str(y), "count": c}
        for y, c in zip(YEARS, counts, strict=True)
    ]
    groups.sort(key=lambda g: -g["count"])
    return {
        "meta": {
            "count": sum(counts),
            "db_response_time_ms": 41,
            "page": 1,
            "per_page": 200,
            "groups_count": len(groups),
        },
        "results": [],
        "group_by": groups,
    }


def main() -> None:
    rng = random.Random(2021)
    totals = {
        "CN+RU": JOINT,
        "US+CN": curve(1975, 8138, 38153),
        "US+RU": [21, *US_RU_2011_2018, 151],
        "CN": curve(16000, 82000, 457248),
        "RU": curve(700, 2750, 15032),
        "US": curve(19000, 44000, 300602),
    }
    for name in ("US+CN", "US+RU", "CN", "RU", "US"):
        totals[name] = totals[name] + later(totals[name], rng)
    check(totals)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    index = {}
    for name, countries in SERIES.items():
        fname = f"count_{name.replace('+', '_')}.json"
        (OUT / fname).write_text(json.dumps(group_body(totals[name])), encoding="utf-8")
        index[request_key("/works", count_params(countries, AI))] = fname
    plan = [y for y, c in zip(YEARS, JOINT, strict=True) for _ in range(c)]
    works = [make_work(rng, n, y) for n, y in enumerate(plan, start=1)]
    cursor = "*"
    for page_no, start in enumerate(range(0, len(works), PER_PAGE), start=1):
        chunk = works[start : start + PER_PAGE]
        nxt = f"demo-cursor-{page_no}" if start + PER_PAGE < len(works) else None
        body = {
            "meta": {
                "count": len(works),
                "db_response_time_ms": 60,
                "page": None,
                "per_page": PER_PAGE,
                "next_cursor": nxt,
                "groups_count": None,
            },
            "results": chunk,
            "group_by": [],
        }
        fname = f"works_{page_no:03d}.json"
        (OUT / fname).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        index[request_key("/works", works_params(AI, PER_PAGE, cursor))] = fname
        cursor = nxt
    (OUT / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(works)} works, {len(index)} recorded responses in {OUT}")


if __name__ == "__main__":
    main()
