"""Each alert's full evidence as a CSV beside the report: every record in its group (the
alert's members, as many as its member count says), newest first, with the records'
titles, dates and links read from the store. Synthetic demo records never link."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.csvfile import write_csv

EVIDENCE_DIR = "evidence"  # beside the report: evidence/<alert id>.csv
COLUMNS = ["kind", "id", "date", "label", "url", "organisations", "listed_on", "demo"]


def record_link(e: dict) -> str:
    """Where a reader checks a record; never a link for synthetic demo records."""
    if e.get("demo"):
        return ""
    return str(e.get("url") or e.get("doi") or "")


def evidence_file(alert_id: str) -> str:
    return f"{EVIDENCE_DIR}/{alert_id}.csv"


def members(conn, alert_ids: list[str]) -> dict[str, list[str]]:
    m = schema.alert_members
    out: dict[str, list[str]] = {}
    for i in range(0, len(alert_ids), 500):
        q = sa.select(m.c.alert_id, m.c.member_id).where(m.c.alert_id.in_(alert_ids[i:i + 500]))
        for aid, member in conn.execute(q):
            out.setdefault(aid, []).append(member)
    return out


def _looked_up(conn, kind: str, ids: list[str]) -> dict[str, dict]:
    """Records of one kind by id: works, deals and events from the store."""
    if kind == "work":
        t = schema.works
        cols = (t.c.id, t.c.title.label("label"), t.c.publication_year.label("date"),
                t.c.doi, t.c.url, t.c.is_demo.label("demo"))
    elif kind in ("deal", "event"):
        t = schema.deals if kind == "deal" else schema.events
        name = t.c.target if kind == "deal" else t.c.title
        day = t.c.announced_on if kind == "deal" else t.c.date
        cols = (t.c.id, name.label("label"), day.label("date"), t.c.source_url.label("url"),
                t.c.is_demo.label("demo"))
    else:
        return {}
    out = {}
    for i in range(0, len(ids), 500):
        for r in conn.execute(sa.select(*cols).where(t.c.id.in_(ids[i:i + 500]))).mappings():
            out[r["id"]] = {"kind": kind, **dict(r)}
    return out


def full_records(conn, alert: dict, member_ids: list[str]) -> list[dict]:
    """The alert's records: its sample where it has them, the store for the rest."""
    sample = {str(e.get("id")): e for e in alert.get("evidence") or []}
    kinds = Counter(e.get("kind") for e in sample.values() if e.get("kind"))
    kind = kinds.most_common(1)[0][0] if kinds else ""
    missing = [m for m in member_ids if m not in sample]
    found = _looked_up(conn, kind, missing) if missing else {}
    out = [sample.get(m) or found.get(m) or {"kind": kind, "id": m, "label": m}
           for m in member_ids]
    return out or list(sample.values())


def write_evidence(conn, folder: Path, items: list[dict]) -> None:
    """Every alert's full evidence, one CSV each."""
    out = folder / EVIDENCE_DIR
    out.mkdir(parents=True, exist_ok=True)
    every = members(conn, [a["id"] for a in items])
    for a in items:
        records = sorted(full_records(conn, a, sorted(every.get(a["id"], []))),
                         key=lambda e: str(e.get("date") or e.get("year") or
                                           e.get("period") or ""), reverse=True)
        rows = []
        for e in records:
            matched = e.get("matched") or []
            rows.append([
                e.get("kind", ""), e.get("id", ""),
                e.get("date") or e.get("year") or e.get("period") or "",
                e.get("label") or e.get("title") or "",
                record_link(e),
                "; ".join(dict.fromkeys(m.get("org", "") for m in matched)),
                "; ".join(dict.fromkeys(str(m.get("listed_on") or "unknown")
                                        for m in matched)),
                "yes" if e.get("demo") else "",
            ])
        write_csv(out / f"{a['id']}.csv", COLUMNS, rows)  # formula cells neutralised
