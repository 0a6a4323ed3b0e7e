"""Benchmark: the evidence index's first write against SQLite's own floor, in the same
run. Member lists in the shape of a first evaluation of 1M works (a list of work ids per
year, and pair labels with their paper counts), written to a new store's
`evidence_members` three ways:

- `member_rows.write` on the lists held in memory,
- the same on the lists spilled to mapped files (what a first evaluation writes),
- the floor: plain tuples built beforehand, outside the clock, given to one
  `executemany` (the least the driver and the B-tree can do for these rows).

    .venv/bin/python -m benchmarks.evidence_write [--rows 1000000] [--repeats 3]

Prints µs a row for each, and each over the floor (target: within 1.3x).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from trendline.core.db import make_engine, migrate
from trendline.indicators.stack import coded
from trendline.tasks.evaluate import member_rows, member_spill


def lists(rows: int) -> list[tuple[str, pd.DataFrame]]:
    """Half the rows works (ids of a million-work store), half pairs (labels in Arrow)."""
    rng = np.random.default_rng(1)
    works = pd.Index(pd.arrays.ArrowExtensionArray(pa.chunked_array(
        [pa.array([f"W{4_000_000_000 + i}" for i in range(1_000_000)])])))
    labels = pa.array([f"Russian Institute {i % 9_000} | Chinese University {i}"
                       for i in range(rows // 2)])
    years = [str(y) for y in range(2010, 2026)]
    half = rows // 2
    work_list = pd.DataFrame({
        "period": coded(rng.integers(0, 16, half).astype("int8"), years),
        "subject": coded(np.zeros(half, "int8"), ["all"]),
        "kind": coded(np.zeros(half, "int8"), ["work"]),
        "record_id": coded(rng.permutation(1_000_000)[:half].astype("int32"), works)})
    pairs = pd.DataFrame({
        "period": coded(rng.integers(0, 16, half).astype("int8"), years),
        "subject": coded(np.zeros(half, "int8"), [""]),
        "kind": coded(np.zeros(half, "int8"), ["pair"]),
        "record_id": coded(rng.permutation(half).astype("int32"),
                           pd.Index(pd.arrays.ArrowExtensionArray(pa.chunked_array([labels])))),
        "value": rng.integers(1, 30, half).astype("float32"),
        "unit": coded(np.zeros(half, "int8"), ["papers"])})
    return [("benchmark.works", work_list), ("benchmark.pairs", pairs)]


def _store(folder: Path, name: str):
    engine = make_engine(f"sqlite:///{folder / name}.db")
    migrate(engine)
    return engine


def _written(engine, work) -> float:
    with engine.begin() as conn:
        start = time.perf_counter()
        work(conn)
        return time.perf_counter() - start


def floor_rows(parts) -> list[tuple[str, list[str], list[tuple]]]:
    """Each list's rows as the tuples the driver takes, in the table's key order (the
    B-tree's easiest), built before any clock starts."""
    out = []
    for ind, frame in parts:
        cols = [frame[c].astype(float).tolist() if frame[c].dtype.kind == "f"
                else frame[c].astype(str).tolist() for c in frame.columns]
        rows = sorted(zip([ind] * len(frame), *cols, strict=True))  # the table's key order
        out.append((ind, list(frame.columns), rows))
    return out


def floor(conn, prepared) -> None:
    cur = conn.connection.driver_connection.cursor()
    for _, cols, rows in prepared:
        marks = ", ".join("?" for _ in range(len(cols) + 1))
        cur.executemany(f"INSERT OR IGNORE INTO evidence_members (indicator_id, "
                        f"{', '.join(cols)}) VALUES ({marks})", rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    parts = lists(args.rows)
    prepared = floor_rows(parts)
    memo: dict = {}
    spilled = [(i, member_spill.spilled(f, memo)) for i, f in parts]
    times: dict[str, list[float]] = {"floor": [], "in memory": [], "spilled": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):  # the order turns each repeat
            runs = [("floor", lambda c: floor(c, prepared)),
                    ("in memory", lambda c: [member_rows.write(c, i, f) for i, f in parts]),
                    ("spilled", lambda c: [member_rows.write(c, i, f) for i, f in spilled])]
            for name, work in runs[r % 3:] + runs[:r % 3]:
                engine = _store(Path(tmp), f"{name.replace(' ', '-')}-{r}")
                times[name].append(_written(engine, work))
                engine.dispose()
    base = statistics.median(times["floor"])
    print(f"{args.rows:,} member rows, median of {args.repeats}")
    print("| write | seconds | µs a row | over the floor |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        t = statistics.median(ts)
        print(f"| {name} | {t:.2f} | {t / args.rows * 1e6:.2f} | {t / base:.2f}x |")


if __name__ == "__main__":
    main()
