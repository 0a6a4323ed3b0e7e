"""Build the bundled demo snapshot of OpenAlex responses (synthetic, deterministic).

The responses have the real API shapes (group_by count pages, cursor-paged works with the
fields Trendline selects) so the demo exercises the same code as the live service. Every
work is synthetic: its title says so, its DOI uses the 10.5555 test prefix. Yearly totals
follow the brief's published figures for 2010-2019 (296 CN-RU papers, 2019 = 14x 2010;
US-CN 38,153; US-RU 736; CN 457,248; RU 15,032) and invent a rising 2020-2026.

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

from tasks.ingest.sources.openalex import SERIES, count_params, works_params  # noqa: E402
from tasks.ingest.sources.openalex_replay import request_key  # noqa: E402

OUT = ROOT / "data" / "demo" / "openalex"
AI = "topics.subfield.id:1702"
YEARS = list(range(2010, 2027))
JOINT = [6, 7, 9, 11, 14, 18, 26, 44, 77, 84, 92, 104, 111, 124, 139, 196, 41]  # 2010..2026

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
                    "id": f"https://openalex.org/A9{n:05d}{pos}",
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
    cites = int(rng.expovariate(1 / 12)) if year < 2026 else rng.randint(0, 3)
    pct = min(0.999, rng.random() ** 0.7)
    wid = f"W9{year}{n:05d}"
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
        "authorships": authorships,
        "topics": [
            {
                "id": f"https://openalex.org/T9{sub_id}",
                "display_name": topic,
                "score": 0.99,
                "subfield": {
                    "id": f"https://openalex.org/subfields/{sub_id}",
                    "display_name": sub_name,
                },
                "field": {
                    "id": "https://openalex.org/fields/17",
                    "display_name": "Computer Science",
                },
                "domain": {
                    "id": "https://openalex.org/domains/3",
                    "display_name": "Physical Sciences",
                },
            }
        ],
        "grants": [],
        "updated_date": "2026-11-02T00:00:00.000000",
    }


def yearly(total: int, first: int, last: int, rng: random.Random) -> list[int]:
    """A smooth 2010-2019 curve from `first` to `last` scaled to `total`, then 2020-2026."""
    raw = [first * (last / first) ** (i / 9) for i in range(10)]
    scale = total / sum(raw)
    decade = [round(x * scale) for x in raw]
    later = [round(decade[-1] * (1.06 ** (i + 1)) * rng.uniform(0.95, 1.05)) for i in range(6)]
    return decade + later + [round(later[-1] * 0.2)]


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
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    index = {}
    totals = {
        "CN+RU": JOINT,
        "US+CN": yearly(38153, 1975, 8138, rng),
        "US+RU": yearly(736, 21, 151, rng),
        "CN": yearly(457248, 18000, 80000, rng),
        "RU": yearly(15032, 700, 2900, rng),
        "US": yearly(700000, 45000, 95000, rng),
    }
    for name, countries in SERIES.items():
        fname = f"count_{name.replace('+', '_')}.json"
        (OUT / fname).write_text(json.dumps(group_body(totals[name])), encoding="utf-8")
        index[request_key("/works", count_params(countries, AI))] = fname
    works = [make_work(rng, n, y) for y, c in zip(YEARS, JOINT, strict=True) for n in range(c)]
    per_page, cursor = 100, "*"
    for page_no, start in enumerate(range(0, len(works), per_page), start=1):
        chunk = works[start : start + per_page]
        nxt = f"demo-cursor-{page_no}" if start + per_page < len(works) else None
        body = {
            "meta": {
                "count": len(works),
                "db_response_time_ms": 60,
                "page": None,
                "per_page": per_page,
                "next_cursor": nxt,
                "groups_count": None,
            },
            "results": chunk,
            "group_by": [],
        }
        fname = f"works_{page_no:03d}.json"
        (OUT / fname).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        index[request_key("/works", works_params(AI, per_page, cursor))] = fname
        cursor = nxt
    (OUT / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(works)} works, {len(index)} recorded responses in {OUT}")


if __name__ == "__main__":
    main()
