"""The 2026-layout half of benchmarks/snapshot_scan.py: the same works as JSON Lines and as
Parquet, the JSONL ingest against raw inflating of the same files (ISA-L, decompressing to
nothing, as many processes as the ingest uses, in the same run), the Parquet ingest against
the JSONL one, and one pass over the whole works snapshot estimated from the rates."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.snapshot_data import quarter_records, write_2026
from trendline.tasks.ingest.parsing.snapshot_lines import CHUNK, gzip_stream
from trendline.tasks.ingest.parsing.snapshot_parquet import warm
from trendline.tasks.ingest.sources import openalex_snapshot as snap

WHOLE_GZ, WHOLE_JSON = 330e9, 1.6e12  # bytes: the works snapshot (OpenAlex, 2026)


def inflate(path: str) -> int:
    """Decompress one gzip part to nothing; its decompressed size in bytes. ISA-L's raw
    reader into one reused buffer: measured here about 8% faster than a decompressobj
    loop that makes a new bytes object per block, so the fastest way is the baseline."""
    buf, total = memoryview(bytearray(CHUNK)), 0
    with open(path, "rb") as fh:
        stream = gzip_stream(fh)
        while n := stream.readinto(buf):
            total += n
    return total


def raw_inflate(files: list[Path], workers: int) -> int:
    with ProcessPoolExecutor(workers) as pool:
        return sum(pool.map(inflate, map(str, files)))


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the pools' workers):
    beside the wall clock, as it moves less when other work shares the cores."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                 resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def generate(bucket: Path, works: int, dates: int, parts: int) -> None:
    """The copy, written once per shape (kept across runs: `shape.txt` names it), by a
    process of its own: the generator's heap would otherwise stay in this one, and every
    worker the ingests fork would start from it (measured: the 120,000-work Parquet ingest
    0.35 s right after generating, 0.27 s without)."""
    shape = f"{works} {dates} {parts}"
    stamp = bucket / "shape.txt"
    if stamp.exists() and stamp.read_text() == shape:
        return
    with ProcessPoolExecutor(1) as pool:
        pool.submit(_write_copy, bucket, works, dates, parts).result()
    stamp.write_text(shape)


def _write_copy(bucket: Path, works: int, dates: int, parts: int) -> None:
    shutil.rmtree(bucket, ignore_errors=True)
    records = quarter_records(works, [f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}"
                                      for i in range(dates)], 0.005, xpac_share=0.1)
    per_part = max(1, works // (dates * parts))
    write_2026(bucket, records, parts=parts, row_groups=max(3, per_part // 10_000))


STEPS = ["inflate", "jsonl", "parquet"]


def measure(step: str, gz: list[Path], data: Path, workers: int, fresh_engine):
    """(seconds, CPU seconds, outcome) of one step; a store is made before the clocks
    start (the outcome of the raw inflate is the decompressed size)."""
    engine = None if step == "inflate" else fresh_engine(step)
    cpu, start = cpu_seconds(), time.perf_counter()
    out = (raw_inflate(gz, workers) if engine is None
           else snap.ingest(engine, data, workers=workers, fmt=step))
    return time.perf_counter() - start, cpu_seconds() - cpu, out


def run(work: Path, works: int, dates: int, workers: int, fresh_engine, parts: int = 2,
        repeats: int = 1) -> dict:
    """Each time measured `repeats` times, the order turned each time (inflate, JSONL,
    Parquet; then JSONL, Parquet, inflate; ...) so that neither side always runs first
    after a pause or last on a warmer cache; the medians. The stores are made before
    their clocks start: the time is the ingest's, not the schema's."""
    bucket = work / "bucket"
    generate(bucket, works, dates, parts)
    gz = snap.partitions(bucket / "data", "jsonl")
    pq_files = snap.partitions(bucket / "data", "parquet")
    warm()  # Arrow's one-time kernel registry (~1 s), paid once per run, not per part
    runs = []
    for turn in range(repeats):
        order = STEPS[turn % 3:] + STEPS[:turn % 3]
        done = {step: measure(step, gz, bucket / "data", workers, fresh_engine)
                for step in order}
        (t_inflate, c_inflate, size), (t_jsonl, c_jsonl, j), (t_parquet, c_parquet, p) = (
            done[k] for k in STEPS)
        assert j.kept == p.kept and not j.failed and not p.failed, (j.line(), p.line())
        runs.append((t_inflate, t_jsonl, t_parquet, c_inflate, c_jsonl, c_parquet))
    t_inflate, t_jsonl, t_parquet, c_inflate, c_jsonl, c_parquet = (
        statistics.median(r[i] for r in runs) for i in range(6))
    ratios = [(r[0] / r[1], r[2] / r[1]) for r in runs]
    gz_bytes = sum(f.stat().st_size for f in gz)
    pq_bytes = sum(f.stat().st_size for f in pq_files)
    return {
        "works": works, "parts": len(gz), "kept": j.kept, "xpac": j.xpac, "workers": workers,
        "gz_mb": gz_bytes / 1e6, "json_mb": size / 1e6, "parquet_mb": pq_bytes / 1e6,
        "inflate_s": t_inflate, "jsonl_s": t_jsonl, "parquet_s": t_parquet,
        "scan_over_inflate": t_inflate / t_jsonl, "parquet_over_jsonl": t_parquet / t_jsonl,
        "cpu_s": (c_inflate, c_jsonl, c_parquet),
        "cpu_scan_over_inflate": c_inflate / c_jsonl, "cpu_parquet_over_jsonl": c_parquet / c_jsonl,
        # one pass, from the decompressed JSON rate (inflating is the cost) and, for Parquet,
        # the same number of works at the measured per-work rate
        "whole_jsonl_min": WHOLE_JSON / (size / t_jsonl) / 60,
        "whole_inflate_min": WHOLE_JSON / (size / t_inflate) / 60,
        "whole_parquet_min": WHOLE_JSON / (size / t_parquet) / 60,
        "load": os.getloadavg()[0], "repeats": repeats,
        "scan_range": (min(r[0] for r in ratios), max(r[0] for r in ratios)),
        "parquet_range": (min(r[1] for r in ratios), max(r[1] for r in ratios)),
    }


def table(r: dict) -> list[str]:
    cpu = r["cpu_s"]
    return [
        f"| 2026 layout: {r['works']:,} works ({r['parts']} parts per format), "
        f"{r['json_mb']:,.0f} MB of JSON, {r['kept']} CN+RU kept, {r['xpac']} XPAC left out; "
        f"{r['workers']} processes, load {r['load']:.1f} | |",
        "|---|---|",
        f"| raw inflate, ISA-L to nothing ({r['gz_mb']:,.0f} MB gzip) | {r['inflate_s']:.2f} s "
        f"({r['json_mb'] / r['inflate_s']:,.0f} MB/s; {cpu[0]:.2f} CPU s) |",
        f"| `ingest-snapshot --format jsonl` | {r['jsonl_s']:.2f} s "
        f"({r['json_mb'] / r['jsonl_s']:,.0f} MB/s; {cpu[1]:.2f} CPU s) |",
        f"| JSONL scan speed / raw inflate speed | **{r['scan_over_inflate']:.2f}x** "
        f"(target >= 0.8; {r['scan_range'][0]:.2f}-{r['scan_range'][1]:.2f} over "
        f"{r['repeats']} runs) |",
        f"| `ingest-snapshot --format parquet` ({r['parquet_mb']:,.0f} MB) | "
        f"{r['parquet_s']:.2f} s ({cpu[2]:.2f} CPU s) |",
        f"| Parquet ingest time / JSONL ingest time | **{r['parquet_over_jsonl']:.2f}** "
        f"(target <= 0.2; {r['parquet_range'][0]:.2f}-{r['parquet_range'][1]:.2f} over "
        f"{r['repeats']} runs) |",
        "| the same two ratios in CPU seconds (this process and its workers; other work on "
        f"the cores moves them less) | scan {r['cpu_scan_over_inflate']:.2f}x, Parquet "
        f"{r['cpu_parquet_over_jsonl']:.2f} |",
        f"| one pass over the whole works snapshot (330 GB gzip, 1.6 TB JSON), estimated | "
        f"JSONL {r['whole_jsonl_min']:,.0f} min (inflate alone {r['whole_inflate_min']:,.0f} "
        f"min); Parquet {r['whole_parquet_min']:,.0f} min |",
    ]
