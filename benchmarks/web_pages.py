"""Benchmark: the workspace's pages on stores of 10k and 1M joint works (SQLite), served
in-process through the ASGI app (Starlette's test client: no socket, so the time is the
page's own): the overview, an indicator page, its evidence page (first and a deep page)
and the alerts page. Each store is built, resolved and evaluated once and kept
(benchmarks/.work/scale, shared with benchmarks/indicators_scale.py).

    .venv/bin/python -m benchmarks.web_pages [--sizes 10000,1000000] [--runs 7]

Targets: median <= 150 ms per page on 1M works; <= 2x the 10k store's.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

from benchmarks.indicators_scale import WORK, prepare, store_url
from trendline.indicators.registry import all_indicators

# the brief's first indicator (joint papers per year), by its declared group and order
INDICATOR = min((i for i in all_indicators().values() if i.group == "research"),
                key=lambda i: i.order).id
PAGES = {
    "overview": "/",
    "indicator": f"/indicators/{INDICATOR}",
    "evidence, page 1": f"/indicators/{INDICATOR}/evidence?period=2019",
    "evidence, deep page": f"/indicators/{INDICATOR}/evidence?period=2019&page={{deep}}",
    "alerts": "/alerts?status=all",
}


def evaluated(url: str) -> None:
    """Evaluate the store once (values, verdicts, alerts), marked as done."""
    marker = WORK / f"web-{url.rsplit('/', 1)[-1]}.evaluated"
    if marker.exists():
        return
    from trendline.core.db import make_engine
    from trendline.core.resources import Resources
    from trendline.core.settings import load_settings
    from trendline.tasks.evaluate.evaluation import evaluate_store

    res = Resources(load_settings(None, store={"url": url}, home=str(WORK / "home")),
                    make_engine(url))
    evaluate_store(res)
    marker.touch()


def client(url: str):
    from starlette.testclient import TestClient

    from trendline.core.db import make_engine
    from trendline.core.resources import Resources
    from trendline.core.settings import load_settings
    from trendline.web.app import create_app

    res = Resources(load_settings(None, store={"url": url}, home=str(WORK / "home")),
                    make_engine(url))
    return TestClient(create_app(res, read_only=True), base_url="http://127.0.0.1")


def deep_page(c) -> int:
    """The last page of the evidence of 2019 (at least page 1)."""
    found = re.search(r"page 1 of (\d+)", c.get(PAGES["evidence, page 1"]).text)
    return int(found[1]) if found else 1


def time_pages(url: str, runs: int) -> dict[str, float]:
    """Median milliseconds per page (after one warm-up request each)."""
    out = {}
    with client(url) as c:
        deep = deep_page(c)
        for name, path in PAGES.items():
            path = path.format(deep=deep)
            first = c.get(path)
            if first.status_code != 200:
                print(f"  {name}: HTTP {first.status_code}: {first.text[:200]}", file=sys.stderr)
                out[name] = float("nan")
                continue
            samples = []
            for _ in range(runs):
                t = time.perf_counter()
                c.get(path)
                samples.append((time.perf_counter() - t) * 1000)
            out[name] = statistics.median(samples)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for n in sizes:
        prepare("sqlite", n)
        evaluated(store_url("sqlite", n))
        results[n] = time_pages(store_url("sqlite", n), args.runs)
    small, big = sizes[0], sizes[-1]
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min)")
    print("| page | " + " | ".join(f"{n:,} works, ms" for n in sizes)
          + f" | {big:,} / {small:,} |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for name in PAGES:
        cells = " | ".join(f"{results[n][name]:.0f}" for n in sizes)
        print(f"| {name} | {cells} | {results[big][name] / results[small][name]:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
