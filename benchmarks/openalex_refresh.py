"""Benchmark: requests a weekly OpenAlex refresh makes, against a counting fake server.

    .venv/bin/python -m benchmarks.openalex_refresh [--joint-works 3000]

The fake OpenAlex on 127.0.0.1 answers group_by counts for every series and cursor pages
of the CN+RU works. Targets: <= 60 requests, and <= 1/10 of what paging every series' works
(per_page=100) would cost.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import math
import sys
import time
from pathlib import Path

from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Response

from trendline.core.settings import OpenAlexConfig, Settings, SourcesConfig
from trendline.tasks.ingest.sources import openalex

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "openalex" / "works_page.json"
YEARS = range(2010, 2027)
# Yearly totals shaped like the brief's 2010-2019 figures and their growth since.
SHARES = {"US+CN": 40.0, "US+RU": 1.2, "CN": 500.0, "RU": 17.0, "US": 800.0}


class CountingOpenAlex:
    def __init__(self, joint_works: int):
        base = json.loads(FIXTURE.read_text(encoding="utf-8"))["results"][:3]
        self.works = []
        for n in range(joint_works):
            w = copy.deepcopy(base[n % len(base)])
            w["id"] = f"https://openalex.org/W8{n:08d}"
            w["publication_year"] = YEARS[n % len(YEARS)]
            w["authorships"][0]["countries"] = ["CN"]
            w["authorships"][-1]["countries"] = ["RU"]
            self.works.append(w)
        self.totals = {"CN+RU": joint_works}
        self.totals |= {s: int(joint_works * k) for s, k in SHARES.items()}
        self.requests = 0

    def series_of(self, flt: str) -> str:
        codes = [p.split(":")[1] for p in flt.split(",") if p.startswith("authorships.countries")]
        return "+".join(codes) if codes != ["CN", "RU"] else "CN+RU"

    def __call__(self, request):
        self.requests += 1
        args = request.args
        series = self.series_of(args["filter"])
        if "group_by" in args:
            total = self.totals[series]
            per_year = total // len(YEARS)
            groups = [{"key": str(y), "key_display_name": str(y), "count": per_year} for y in YEARS]
            body = {"meta": {"count": total, "groups_count": len(groups)}, "group_by": groups,
                    "results": []}
        else:
            per_page = int(args["per_page"])
            start = 0 if args["cursor"] == "*" else int(args["cursor"])
            chunk = self.works[start : start + per_page]
            nxt = str(start + per_page) if start + per_page < len(self.works) else None
            body = {"meta": {"count": len(self.works), "per_page": per_page, "next_cursor": nxt},
                    "results": chunk, "group_by": []}
        left = str(100000 - self.requests)
        headers = {"X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": left}
        return Response(json.dumps(body), 200, headers, content_type="application/json")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--joint-works", type=int, default=3000)
    args = ap.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # it would print every request
    fake = CountingOpenAlex(args.joint_works)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/works").respond_with_handler(fake)
    server.start()
    try:
        settings = Settings.model_construct(
            sources=SourcesConfig(publications="openalex", openalex=OpenAlexConfig()),
            openalex_api_key=SecretStr("benchmark-key"),
            openalex_base_url=server.url_for("").rstrip("/"),
        )
        start = time.perf_counter()
        batch = openalex.normalise(openalex.fetch(settings))
        elapsed = time.perf_counter() - start
    finally:
        server.clear()
        server.stop()
    per_page = settings.sources.openalex.per_page
    paging_all = sum(math.ceil(t / per_page) for t in fake.totals.values())
    ratio = fake.requests / paging_all
    print(f"| OpenAlex weekly refresh ({args.joint_works:,} CN+RU works, "
          f"{len(openalex.SERIES)} series) | |")
    print("|---|---|")
    print(f"| requests made (counted by the fake server) | **{fake.requests}** (target <= 60) |")
    print(f"| requests if every series' works were paged | {paging_all:,} |")
    print(f"| ratio | **{ratio:.4f}** (target <= 0.1) |")
    print(f"| works stored / count rows | {len(batch.tables['works']):,} / "
          f"{len(batch.tables['publication_counts'])} |")
    print(f"| wall time | {elapsed:.2f} s |")
    ok = fake.requests <= 60 and ratio <= 0.1
    print("PASS" if ok else "FAIL")
    return {"requests": fake.requests, "paging_all": paging_all, "ratio": ratio, "ok": ok}


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
