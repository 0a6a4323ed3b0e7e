"""Benchmark: wall time of `trendline run` on the demo, cold and warm, against the cheapest
possible Prefect run on the same machine in the same run (one empty flow in Prefect's own
ephemeral mode, warm).

    .venv/bin/python -m benchmarks.embedded_run [--repeat 3]

Targets: cold (fresh TRENDLINE_HOME, Prefect's database created) <= 30 s, warm <= 15 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EMPTY_FLOW = "from prefect import flow\nflow(lambda: None, name='empty')()\n"


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="trendline-bench-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TRENDLINE_", "PREFECT_"))}
    trendline = [str(Path(sys.executable).with_name("trendline")), "run"]
    try:
        env = {**base, "TRENDLINE_HOME": str(work / "state")}
        cold = timed(trendline, env)
        warm = [timed(trendline, env) for _ in range(args.repeat)]
        penv = {**base, "PREFECT_HOME": str(work / "prefect"), "PREFECT_LOGGING_LEVEL": "CRITICAL",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        empty_cold = timed([sys.executable, "-c", EMPTY_FLOW], penv)  # creates Prefect's db
        empty = [timed([sys.executable, "-c", EMPTY_FLOW], penv) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    w, e = statistics.median(warm), statistics.median(empty)
    print(f"| `trendline run` on the demo (median of {args.repeat}) | |")
    print("|---|---|")
    print(f"| cold, fresh state folder | **{cold:.1f} s** (target <= 30 s) |")
    print(f"| warm | **{w:.1f} s** (target <= 15 s) |")
    print(f"| one empty flow in Prefect's own ephemeral mode, cold | {empty_cold:.1f} s |")
    print(f"| one empty flow in Prefect's own ephemeral mode, warm | {e:.1f} s |")
    print(f"| cold run / cold empty flow | {cold / empty_cold:.2f}x |")
    print(f"| warm run / warm empty flow | {w / e:.2f}x |")
    ok = cold <= 30 and w <= 15
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
