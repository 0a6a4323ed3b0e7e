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
