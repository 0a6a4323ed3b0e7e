"""Rebuild data/lists/ror_subset.jsonl from a ROR dump (JSON Lines, schema v1 or v2).

Keeps the organisations the curated lists name, their ROR parents and children, and their
look-alikes (other records whose names are close), so the matcher knows the traps by name.

    python data/lists/make_ror_subset.py ../shared/data/ror/ror_records_cn_ru.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rapidfuzz import fuzz, process

from trendline.tasks.ingest.parsing.fields import short_id
from trendline.tasks.ingest.registry import LISTS_DIR, ROR_FILE, load_lists, ror_org

KEEP = ("id", "name", "names", "labels", "aliases", "acronyms", "status", "types",
        "relationships", "country")
LOOKALIKES = 6  # per listed organisation
# Known traps and frequent partners, kept by hand: BJUT, HMU, HUST (Harbin), NJUST ZiJin College,
# Tianjin Renai College, Chengdu Jincheng College, Tianjin Univ. of Technology, Xidian, HDU,
# Nanjing Univ., Northwest Univ., Southwest Univ., Northeastern Univ., Tsinghua, Peking,
# Zhejiang, SJTU, Moscow Aviation Institute, ITMO.
EXTRA = set(
    "037b1pp87 05jscf583 04e6y1282 0387aje64 03e5da851 008102z14 00zbe0w13 05s92vm98 0576gt767 "
    "01rxvg760 00z3td547 01kj4z117 03awzbc87 03cve4549 02v51f717 00a2xv884 0220qvk04 033zpbv42 "
    "04txgxn49".split()
)


def trim(rec: dict) -> dict:
    out = {k: rec[k] for k in KEEP if k in rec}
    locs = rec.get("locations") or []
    if locs:
        code = locs[0].get("geonames_details", {}).get("country_code")
        out["country"] = {"country_code": code}
    return out


def main(dump: str) -> None:
    records = {}
    with open(dump, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("status", "active") == "active":
                records[short_id(rec["id"])] = rec
    listed = {e["ror"] for d in load_lists() for e in d["entries"] if e.get("ror")}
    keep = set(listed) | EXTRA
    for rid in listed & records.keys():
        keep |= {short_id(r["id"]) for r in records[rid].get("relationships") or []}
    names = {rid: ror_org(rec).name for rid, rec in records.items()}
    for rid in listed & records.keys():
        for _, _score, other in process.extract(names[rid], names, scorer=fuzz.token_sort_ratio,
                                               limit=LOOKALIKES + 1, score_cutoff=75):
            keep.add(other)
    out = [trim(records[r]) for r in sorted(keep) if r in records]
    path = Path(LISTS_DIR) / ROR_FILE
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out)
    path.write_text(lines, encoding="utf-8")
    print(f"{len(out)} records -> {path}")


if __name__ == "__main__":
    main(sys.argv[1])
