"""Benchmark: all 25 indicators evaluated on stores of 10k, 100k and 1M joint works, on
SQLite and PostgreSQL, each evaluation in its own process (its peak memory is the whole
process tree's). Ratios compare each size with the one 10x smaller, in the same run.

    .venv/bin/python -m benchmarks.indicators_scale [--sizes 10000,100000,1000000]
        [--backends sqlite,postgresql] [--cli]

Each size is evaluated twice: first with the evidence index emptied (every member list
written), then again on the unchanged store (the weekly case: nothing to write).
Targets: 1M works evaluated in <= 10 s and <= 512 MiB; 10x the data in <= 12x the time.
`--evaluate URL --profile`: one evaluation's CPU hot spots.
`--cli` also times `trendline evaluate` (the command, Prefect included) on 2k and 200k
works: the 200k store may take at most 3x the 2k one.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

WORK = Path(__file__).resolve().parent / ".work" / "scale"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


def store_url(backend: str, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{WORK / f'scale-{n}.db'}"
    return f"{PG}/trendline_scale_{n}"


def prepare(backend: str, n: int) -> tuple[float, float]:
    """A store with n works, built once and kept (seconds to build, to resolve)."""
    from benchmarks.scale_data import build
    from trendline.core.db import make_engine, migrate
    from trendline.core.resources import Resources
    from trendline.core.settings import load_settings
    from trendline.tasks.resolve import resolve

    url = store_url(backend, n)
    marker = WORK / f"{backend}-{n}.ready"
    if marker.exists():
        return 0.0, 0.0
    if backend == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        admin = sa.create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS trendline_scale_{n}")
            conn.exec_driver_sql(f"CREATE DATABASE trendline_scale_{n}")
        admin.dispose()
    engine = make_engine(url)
    migrate(engine)
    res = Resources(load_settings(None, store={"url": url}, home=str(WORK / "home")), engine)
    t0 = time.perf_counter()
    build(res, n)
    t1 = time.perf_counter()
    resolve(res)
    t2 = time.perf_counter()
    marker.touch()
    return t1 - t0, t2 - t1


def evaluate_here(url: str, profile: bool = False, empty_index: bool = False) -> dict:
    """Run in a child process: evaluate every indicator, write the evidence index, raise
    alerts, queue the digest. Wall and CPU seconds both: on a shared machine the CPU time
    is the part that is this process's own. `profile`: CPU hot spots to stderr."""
    from trendline.core.db import make_engine
    from trendline.core.resources import Resources
    from trendline.core.settings import load_settings
    from trendline.tasks.evaluate.evaluation import evaluate_store

    if empty_index:
        empty_evidence_index(url)
    res = Resources(load_settings(None, store={"url": url}, home=str(WORK / "home")),
                    make_engine(url))
    prof = cProfile.Profile(time.process_time) if profile else None
    start, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    if prof:
        prof.enable()
    out = evaluate_store(res)
    seconds = time.perf_counter() - start
    cpu = time.process_time() + _children_cpu() - cpu  # the reader children's CPU too
    if prof:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(40)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this process alone
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak, "errors": out.errors,
            "indicators": len(out.evaluations), "evidence_rows": out.evidence_rows,
            "evidence_seconds": out.evidence_seconds}


def empty_evidence_index(url: str) -> None:
    """For a first evaluation: every member list written. Done by the caller, so that
    deleting 3.66M rows is not counted in the evaluation's time or memory."""
    from trendline.core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM evidence_members")
        conn.exec_driver_sql("DELETE FROM evidence_groups")
    engine.dispose()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def evaluate(url: str, empty_index: bool = False) -> dict:
    """One evaluation in a process of its own; `tree_mib`: the most its process tree
    (it and its SQLite reader children) held at once, sampled every 20 ms."""
    if empty_index:  # in this process, not the one measured
        empty_evidence_index(url)
    cmd = [sys.executable, "-m", "benchmarks.indicators_scale", "--evaluate", url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    if proc.returncode:
        raise RuntimeError(err[-2000:])
    return {**json.loads(out.strip().splitlines()[-1]), "tree_mib": peak[0] / 1024}


def tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    parent, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:  # ended meanwhile
            continue
        parent[int(entry)] = int(fields["PPid"])
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0])
    mine, grown = {root}, True
    while grown:  # children, their children, ...
        grown = False
        for pid, ppid in parent.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                grown = True
    return sum(rss.get(pid, 0) for pid in mine)


def cli_ratio() -> None:
    """`trendline evaluate` on 2k and 200k works, the command as a user runs it."""
    exe = str(Path(sys.executable).with_name("trendline"))
    times = {}
    for n in (2_000, 200_000):
        prepare("sqlite", n)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("TRENDLINE_")},
               "TRENDLINE_HOME": str(WORK / f"home-cli-{n}"),
               "TRENDLINE_STORE__URL": store_url("sqlite", n)}
        runs = []
        for _ in range(2):
            t = time.perf_counter()
            done = subprocess.run([exe, "evaluate"], env=env, capture_output=True, text=True)
            runs.append(time.perf_counter() - t)
            if done.returncode:  # a command that failed is not a time
                raise RuntimeError(f"trendline evaluate on {n:,} works failed:\n"
                                   f"{done.stderr[-2000:]}")
        times[n] = min(runs)
    print(f"| `trendline evaluate`, 2k works | {times[2_000]:.1f} s |")
    print(f"| `trendline evaluate`, 200k works | {times[200_000]:.1f} s |")
    print(f"| 200k / 2k | **{times[200_000] / times[2_000]:.2f}x** (target <= 3x) |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--evaluate", default="")
    parser.add_argument("--empty-index", action="store_true",
                        help="with --evaluate: empty the evidence index first (untimed)")
    parser.add_argument("--profile", action="store_true",
                        help="with --evaluate: CPU hot spots (cProfile) to stderr")
    args = parser.parse_args()
    if args.evaluate:
        print(json.dumps(evaluate_here(args.evaluate, args.profile, args.empty_index)))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start")
    print("| backend | joint works | evaluation | build s | resolve s | evaluate s (CPU s) | "
          "of which evidence write s (rows) | peak MiB: process tree (evaluation alone) | "
          "time / 10x smaller |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend in args.backends.split(","):
        before: dict[str, float] = {}
        for n in sizes:
            built, resolved = prepare(backend, n)
            for run in ("first", "again"):  # an empty index, then the store unchanged
                r = evaluate(store_url(backend, n), empty_index=run == "first")
                ratio = f"{r['seconds'] / before[run]:.1f}x" if run in before else "-"
                before[run] = r["seconds"]
                print(f"| {backend} | {n:,} | {run} | {built:.0f} | {resolved:.0f} | "
                      f"{r['seconds']:.1f} ({r['cpu_seconds']:.1f}) | "
                      f"{r['evidence_seconds']:.1f} ({r['evidence_rows']:,}) | "
                      f"{r['tree_mib']:.0f} ({r['peak_mib']:.0f}) | {ratio} |", flush=True)
                if r["errors"]:
                    print(f"  errors: {r['errors']}")
    if args.cli:
        cli_ratio()
    return 0


if __name__ == "__main__":
    sys.exit(main())
