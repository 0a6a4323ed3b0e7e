"""Generate an OpenAlex-shaped works snapshot for the benchmarks and tests.

Records are the real full works of ../shared/data/openalex (every field OpenAlex sends),
serialised once per template and country variant; each generated work gets its own id, so
writing 100k works costs a bytes replace each, not a JSON dump.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

from isal import igzip

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "openalex"
FALLBACK = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "openalex"
VARIANTS = ("other", "CN", "RU", "CN+RU")


def templates() -> list[dict]:
    listing = SHARED / "works_list_search_peneira.json"
    if listing.exists():
        works = json.loads(listing.read_text(encoding="utf-8"))["results"]
        works.append(json.loads((SHARED / "work_W2741809807.json").read_text(encoding="utf-8")))
    else:  # the trimmed fixture page shipped with the tests
        works = json.loads((FALLBACK / "works_page.json").read_text(encoding="utf-8"))["results"]
    return works


def _relabel(work: dict, variant: str) -> dict:
    """Set the authorships' countries: none of CN/RU, only CN, only RU, or both."""
    w = copy.deepcopy(work)
    w["id"] = "https://openalex.org/W__ID__"
    auths = w.get("authorships") or []
    for a in auths:
        a["countries"] = [c if c not in ("CN", "RU") else "DE" for c in a.get("countries") or []]
        for inst in a.get("institutions") or []:
            if inst.get("country_code") in ("CN", "RU"):
                inst["country_code"] = "DE"
    wanted = {"CN": ["CN"], "RU": ["RU"], "CN+RU": ["CN", "RU"]}.get(variant, [])
    if wanted and not auths:
        auths.append({"author": {"display_name": "x"}, "institutions": [], "countries": []})
    for i, code in enumerate(wanted):
        a = auths[min(i, len(auths) - 1) if i == 0 else len(auths) - 1]
        a["countries"] = sorted(set(a.get("countries") or []) | {code})
        for inst in (a.get("institutions") or [])[:1]:
            inst["country_code"] = code
    if variant == "CN+RU" and len(auths) == 1:
        auths[0]["countries"] = ["CN", "RU"]
    return w


def variant_lines() -> dict[str, list[bytes]]:
    base = templates()
    return {v: [json.dumps(_relabel(w, v), ensure_ascii=False).encode() for w in base]
            for v in VARIANTS}


def write_snapshot(root: Path, works: int, partitions: int, joint_share: float,
                   seed: int = 7, level: int = 2) -> dict[str, int]:
    """`works` records over `partitions` files in updated_date=* folders. Returns counts."""
    rng = random.Random(seed)
    lines = variant_lines()
    weights = {"CN+RU": joint_share, "CN": 0.2, "RU": 0.03}
    weights["other"] = 1 - sum(weights.values())
    kinds, probs = zip(*weights.items(), strict=True)
    counts = dict.fromkeys(VARIANTS, 0)
    per = -(-works // partitions)
    n = 0
    for p in range(partitions):
        folder = root / f"updated_date=2026-0{1 + p % 9}-01"
        folder.mkdir(parents=True, exist_ok=True)
        with igzip.open(folder / f"part_{p:03d}.gz", "wb", compresslevel=level) as fh:
            for _ in range(min(per, works - n)):
                kind = rng.choices(kinds, probs)[0] if joint_share < 1 else "CN+RU"
                counts[kind] += 1
                n += 1
                line = rng.choice(lines[kind]).replace(b"W__ID__", f"W9{n:09d}".encode())
                fh.write(line + b"\n")
    return counts


def _parquet_ready(line: bytes) -> bytes:
    """The same record for Parquet: the abstract's inverted index (a map of words) as JSON
    text, as columnar copies keep it, instead of a struct with a field per word."""
    record = json.loads(line)
    if isinstance(record.get("abstract_inverted_index"), dict):
        record["abstract_inverted_index"] = json.dumps(record["abstract_inverted_index"])
    return json.dumps(record, ensure_ascii=False).encode()


def quarter_records(works: int, dates: list[str], joint_share: float, seed: int = 7,
                    xpac_share: float = 0.1, first_id: int = 1) -> dict[str, list[tuple]]:
    """Records per updated_date: (kind, template index, work number, is_xpac). XPAC traps:
    a share of the joint works are XPAC records and must not be counted."""
    rng = random.Random(seed)
    n_templates = len(templates())
    weights = {"CN+RU": joint_share, "CN": 0.2, "RU": 0.03}
    weights["other"] = 1 - sum(weights.values())
    kinds, probs = zip(*weights.items(), strict=True)
    out: dict[str, list[tuple]] = {d: [] for d in dates}
    for i in range(works):
        kind = rng.choices(kinds, probs)[0] if joint_share < 1 else "CN+RU"
        xpac = kind == "CN+RU" and rng.random() < xpac_share
        out[dates[i % len(dates)]].append((kind, rng.randrange(n_templates), first_id + i, xpac))
    return out


def truth(records: dict[str, list[tuple]]) -> dict[int, int]:
    """Joint works per publication year, XPAC left out: what an ingest must count."""
    years = [w.get("publication_year") for w in templates()]
    out: dict[int, int] = {}
    for rows in records.values():
        for kind, t, _n, xpac in rows:
            if kind == "CN+RU" and not xpac:
                out[years[t]] = out.get(years[t], 0) + 1
    return out


def write_2026(bucket: Path, records: dict[str, list[tuple]], parts: int = 2,
               formats: tuple[str, ...] = ("jsonl", "parquet"), level: int = 2,
               row_groups: int = 3) -> list[Path]:
    """The 2026 layout: bucket/data/<format>/works/updated_date=D/part_000i.<gz|parquet>,
    `parts` parts per partition (work n in part n % parts), and one manifest.json per
    format listing them. The same records give the same bytes (as a second download)."""
    lines = variant_lines()
    pq_lines = {k: [_parquet_ready(x) for x in v] for k, v in lines.items()}
    flagged = [_one(pq_lines, k, i, 1, x) for k in VARIANTS for i in range(len(lines[k]))
               for x in (True, False)]
    schema = _table(flagged).schema if "parquet" in formats else None  # one for every part
    written = []
    for fmt in formats:
        base = bucket / "data" / fmt
        entries = []
        for date, rows in records.items():
            folder = base / "works" / f"updated_date={date}"
            folder.mkdir(parents=True, exist_ok=True)
            for p in range(parts):
                chunk = [r for r in rows if _part_of(r[2], parts) == p]  # a work keeps it
                source = pq_lines if fmt == "parquet" else lines
                body = [_one(source, kind, t, n, xpac) for kind, t, n, xpac in chunk]
                path = folder / f"part_{p:04d}.{'parquet' if fmt == 'parquet' else 'gz'}"
                _write_part(path, body, fmt, level, row_groups, schema)
                written.append(path)
                entries.append({"url": f"s3://openalex/data/{fmt}/works/{folder.name}/"
                                       f"{path.name}",
                                "meta": {"content_length": path.stat().st_size,
                                         "record_count": len(body)}})
        (base / "manifest.json").write_text(json.dumps({"entries": entries}), encoding="utf-8")
    return written


def _part_of(n: int, parts: int) -> int:
    return (n * 2654435761 >> 16) % parts


def _one(lines: dict[str, list[bytes]], kind: str, t: int, n: int, xpac: bool) -> bytes:
    flag = b'", "is_xpac": true' if xpac else b'", "is_xpac": false'
    return lines[kind][t % len(lines[kind])].replace(b'W__ID__"', f"W8{n:09d}".encode() + flag)


def _write_part(path: Path, body: list[bytes], fmt: str, level: int, row_groups: int,
                schema=None) -> None:
    if fmt == "jsonl":
        with igzip.IGzipFile(path, "wb", compresslevel=level, mtime=0) as fh:  # same bytes
            fh.write(b"\n".join(body) + b"\n" if body else b"")
        return
    import pyarrow.parquet as pq

    size = max(1, -(-len(body) // row_groups))
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        for i in range(0, len(body), size):
            writer.write_table(_table(body[i:i + size], schema), row_group_size=size)


def _table(lines: list[bytes], schema=None):
    import io

    import pyarrow.json as pj

    parse = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"
                            ) if schema is not None else None
    return pj.read_json(io.BytesIO(b"\n".join(lines)), parse_options=parse,
                        read_options=pj.ReadOptions(block_size=1 << 28))
