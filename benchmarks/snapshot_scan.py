"""Benchmark: scanning and ingesting an OpenAlex works snapshot.

    .venv/bin/python -m benchmarks.snapshot_scan [--works 100000] [--ingest-works 20000]
        [--formats-works 40000]
        [--formats-dates 4] [--formats-parts 2] [--repeats 3] [--formats-only]

1. Scan: >= 100k works in the real record shape over several partitions, < 1% CN+RU.
   Throughput of `ingest` (parallel partitions, ISA-L inflate, byte pre-filter) against one
   `gzip -dc > /dev/null` over the same files, in the same run.
2. Ingest: one partition of >= 20k works that all match, into SQLite, against orjson
   parsing the same lines (already in memory) alone.
3. Formats (benchmarks/snapshot_formats.py): the same works in the 2026 layout as JSON
   Lines and Parquet: JSONL ingest over raw inflate (target >= 0.8), Parquet ingest over
   JSONL ingest (target <= 0.2), and one pass over the whole works snapshot estimated.
Peak memory (this process and its workers) must stay under 1 GiB. Data lives in
benchmarks/.work/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
from isal import igzip

from benchmarks import snapshot_formats
from benchmarks.snapshot_data import write_snapshot
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.tasks.ingest.sources import openalex_snapshot as snap

WORK = Path(__file__).resolve().parent / ".work" / "snapshot"


def fresh_engine(name: str):
    db = WORK / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    schema.metadata.create_all(engine)
    return engine


def uncompressed_bytes(files: list[Path]) -> int:
    total = 0
    for f in files:
        with igzip.open(f, "rb") as fh:
            while chunk := fh.read(1 << 22):
                total += len(chunk)
    return total


def gzip_dc(files: list[Path]) -> float:
    start = time.perf_counter()
    subprocess.run(["gzip", "-dc", *map(str, files)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--joint-share", type=float, default=0.005)
    ap.add_argument("--ingest-works", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--formats-works", type=int, default=40_000)
    ap.add_argument("--formats-dates", type=int, default=4)
    ap.add_argument("--formats-parts", type=int, default=2, help="parts per date")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--formats-only", action="store_true",
                    help="only the 2026-layout half (its copy kept between runs)")
    args = ap.parse_args(argv)
    if args.formats_only:
        return formats_only(args)
    for old in WORK.glob("*") if WORK.exists() else ():
        if old.name != "formats":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    WORK.mkdir(parents=True, exist_ok=True)

    scan_root, ingest_root = WORK / "scan", WORK / "ingest"
    counts = write_snapshot(scan_root, args.works, args.partitions, args.joint_share)
    write_snapshot(ingest_root, args.ingest_works, 1, 1.0, seed=11)
    files = snap.partitions(scan_root)
    size = uncompressed_bytes(files)

    t_gzip = gzip_dc(files)
    start = time.perf_counter()
    outcome = snap.ingest(fresh_engine("scan"), scan_root, workers=args.workers)
    t_scan = time.perf_counter() - start
    assert outcome.kept == counts["CN+RU"], (outcome.kept, counts)

    start = time.perf_counter()
    ingested = snap.ingest(fresh_engine("ingest"), ingest_root, workers=1)
    t_ingest = time.perf_counter() - start
    formats = run_formats(args)
    memory = peak_mib()

    ingest_file = snap.partitions(ingest_root)[0]
    with igzip.open(ingest_file, "rb") as fh:
        lines = fh.readlines()
    start = time.perf_counter()
    for line in lines:
        orjson.loads(line)
    t_orjson = time.perf_counter() - start

    mb = size / 1e6
    out = {
        "works": args.works, "partitions": len(files), "matching": outcome.kept,
        "uncompressed_mb": mb, "gzip_dc_s": t_gzip, "scan_s": t_scan,
        "scan_ratio": t_gzip / t_scan, "ingest_works": ingested.kept,
        "ingest_s": t_ingest, "orjson_s": t_orjson, "ingest_ratio": t_orjson / t_ingest,
        "peak_mib": memory,
    }
    print(f"| snapshot scan: {args.works:,} works, {len(files)} partitions, {mb:,.0f} MB "
          f"uncompressed, {outcome.kept} CN+RU ({outcome.kept / args.works:.2%}) | |")
    print("|---|---|")
    print(f"| `gzip -dc > /dev/null`, one process | {t_gzip:.2f} s ({mb / t_gzip:,.0f} MB/s) |")
    print(f"| `ingest` scan, parallel partitions | {t_scan:.2f} s ({mb / t_scan:,.0f} MB/s) |")
    print(f"| scan throughput / gzip -dc | **{out['scan_ratio']:.2f}x** (target >= 1.0) |")
    print(f"| ingest {ingested.kept:,} all-matching works into SQLite | {t_ingest:.2f} s |")
    print(f"| orjson.loads of the same lines alone | {t_orjson:.2f} s |")
    print(f"| ingest speed / orjson parse speed | **{out['ingest_ratio']:.2f}x** "
          "(target >= 0.5) |")
    print(f"| peak memory (process and workers) | {memory:,.0f} MiB (limit 1024) |")
    print()
    print("\n".join(snapshot_formats.table(formats)))
    out["formats"] = formats
    ok = out["scan_ratio"] >= 1.0 and out["ingest_ratio"] >= 0.5 and memory < 1024
    ok = ok and formats["scan_over_inflate"] >= 0.8 and formats["parquet_over_jsonl"] <= 0.2
    print("PASS" if ok else "FAIL")
    out["ok"] = ok
    return out


def run_formats(args) -> dict:
    return snapshot_formats.run(WORK / "formats", args.formats_works, args.formats_dates,
                                args.workers or os.cpu_count() or 1, fresh_engine,
                                parts=args.formats_parts, repeats=args.repeats)


def formats_only(args) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    formats = run_formats(args)
    print("\n".join(snapshot_formats.table(formats)))
    ok = formats["scan_over_inflate"] >= 0.8 and formats["parquet_over_jsonl"] <= 0.2
    print("PASS" if ok else "FAIL")
    return {"formats": formats, "ok": ok}


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
