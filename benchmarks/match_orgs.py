"""Benchmark the organisation matcher against plain rapidfuzz extractOne.

100,000 affiliation strings (20,000 distinct): watch-listed names and aliases with
departments and addresses, look-alike traps and unrelated organisations, in Latin, Chinese
and Cyrillic script. The matcher resolves each distinct string once; the baseline runs
`rapidfuzz.process.extractOne` over every alias for each string (timed on a sample, since
it is far slower), in the same run.

    .venv/bin/python benchmarks/match_orgs.py
"""

from __future__ import annotations

import random
import time

from rapidfuzz import fuzz, process

from trendline.tasks.ingest.registry import registry
from trendline.tasks.resolve.match import build

TOTAL, DISTINCT, BASELINE_SAMPLE = 100_000, 20_000, 1_000
DEPTS = ["School of Computer Science", "Department of Automation", "Key Laboratory of Intelligent "
         "Perception", "College of Information Engineering", "Faculty of Physics", "Лаборатория 7"]
CITIES = ["Beijing 100191, China", "Harbin 150001, China", "Moscow, Russia", "Nanjing, China",
          "Санкт-Петербург, Россия", "Xi'an 710072, P.R. China"]
OTHERS = ["Tsinghua University", "Peking University", "Fudan University", "Zhejiang University",
          "Lomonosov Moscow State University", "Kazan Federal University", "ITMO University",
          "Beijing University of Technology", "Harbin Medical University", "Nanjing University",
          "Московский государственный университет", "清华大学", "复旦大学", "北京工业大学",
          "Novosibirsk State University", "Tencent AI Lab", "Yandex", "Sber AI Lab"]


def corpus(names: list[str], rng: random.Random) -> list[str]:
    distinct = set()
    while len(distinct) < DISTINCT:
        base = rng.choice(names) if rng.random() < 0.6 else rng.choice(OTHERS)
        if rng.random() < 0.5:
            base = f"{rng.choice(DEPTS)}, {base}"
        distinct.add(f"{base}, {rng.choice(CITIES)} {rng.randint(1, 999)}")
    pool = sorted(distinct)
    return pool + [rng.choice(pool) for _ in range(TOTAL - DISTINCT)]


def main() -> None:
    rng = random.Random(42)
    orgs, entries = registry()
    t0 = time.perf_counter()
    matcher, _ = build(orgs.values(), entries)
    build_s = time.perf_counter() - t0
    names = sorted({n for o in orgs.values() for n in (o.name, *o.aliases)}
                   | {z for o in orgs.values() for z in o.names.get("zh", [])}
                   | {r for o in orgs.values() for r in o.names.get("ru", [])})
    strings = corpus(names, rng)
    rng.shuffle(strings)

    t0 = time.perf_counter()
    cache: dict[str, object] = {}
    for s in strings:
        if s not in cache:
            cache[s] = matcher.resolve(s)
    ours = time.perf_counter() - t0
    listed = sum(1 for s in strings if cache[s].lists)

    sample = strings[:BASELINE_SAMPLE]
    t0 = time.perf_counter()
    for s in sample:
        process.extractOne(s, names, scorer=fuzz.WRatio)
    base_rate = len(sample) / (time.perf_counter() - t0)
    our_rate = len(strings) / ours
    print(f"registry: {len(orgs)} organisations, {len(entries)} list entries, "
          f"{len(names)} names/aliases; matcher built in {build_s:.2f} s")
    print(f"matcher : {len(strings):,} strings ({len(cache):,} distinct) in {ours:.2f} s "
          f"= {our_rate:,.0f} strings/s; {listed:,} on a watch-list")
    print(f"baseline: rapidfuzz extractOne(WRatio) over {len(names):,} aliases per string: "
          f"{base_rate:,.0f} strings/s (sample of {len(sample):,})")
    print(f"speed-up: {our_rate / base_rate:,.0f}x")


if __name__ == "__main__":
    main()
