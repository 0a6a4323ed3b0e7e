"""Joint centres (data/research/centres.toml): their parties resolved (an organisation, else
the OpenAlex institution of that name), and the papers each centre signed, decided per
authorship, so one author's "Skoltech-Huawei lab" never files every Huawei paper under it:

- `named`: the authorship's own affiliation text names the centre;
- `both parties`: one author lists both of its parties.

Recomputed when the centres, the registry or the authorships change."""

from __future__ import annotations

import hashlib
import json
import tomllib

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert
from trendline.core.settings import DATA_DIR
from trendline.tasks.ingest.parsing.names import canon
from trendline.tasks.resolve.registry import COUNTED, Registry, set_state, state

CENTRES = DATA_DIR / "research" / "centres.toml"


def centre_list() -> list[dict]:
    return tomllib.loads(CENTRES.read_text(encoding="utf-8"))["centre"]


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.casefold()).strip("-")[:64]


def resolve_centres(conn, reg: Registry) -> int:
    """The centres and the papers they signed; returns how many (centre, paper) rows."""
    rows = [_centre(conn, reg, c) for c in centre_list()]
    upsert(conn, schema.centres, rows)
    a = schema.authorships
    size = conn.execute(sa.select(sa.func.count(), sa.func.max(a.c.work_key))).one()
    digest = hashlib.sha256(json.dumps([rows, list(size), reg.digest], default=str)
                            .encode()).hexdigest()
    if state(conn, "centres") == digest:
        return 0
    works = _named(conn, rows) | _both(conn, rows)
    t = schema.centre_works
    conn.execute(t.delete())
    upsert(conn, t, [{"centre_id": c, "work_id": w, "rule": rule, "matched": what}
                     for (c, w), (rule, what) in sorted(works.items())])
    set_state(conn, "centres", digest)
    return len(works)


def _centre(conn, reg: Registry, c: dict) -> dict:
    row = {"id": slug(c["name"]), "name": c["name"], "founded": c.get("founded"),
           "names": c.get("names", [])}
    for side, party in zip(("a", "b"), (c.get("parties") or ["", ""])[:2], strict=True):
        match = reg.matcher.resolve(party)
        row[f"party_{side}"] = match.org_id if match.rule in COUNTED else None
        row[f"party_{side}_inst"] = None if row[f"party_{side}"] else _institution(conn, party)
    return row


def _institution(conn, name: str) -> str | None:
    """The OpenAlex institution stored under exactly this name (folded), if one is."""
    m = schema.affiliation_matches
    want = canon(name)
    for affiliation, inst in conn.execute(
            sa.select(m.c.affiliation, m.c.inst).where(m.c.inst.is_not(None))
            .where(sa.func.lower(m.c.affiliation) == name.casefold())):
        if canon(affiliation) == want:
            return inst
    return None


def _named(conn, centres: list[dict]) -> dict:
    a = schema.authorships
    out = {}
    for c in centres:
        names = [n.casefold() for n in c["names"] if n]
        if not names:
            continue
        text = sa.func.lower(a.c.raw_affiliation + " " + a.c.institution_name)
        q = (sa.select(a.c.work_id, a.c.raw_affiliation, a.c.institution_name)
             .where(sa.or_(*(text.contains(n, autoescape=True) for n in names))))
        for work, raw, inst in conn.execute(q):
            said = f"{raw} {inst}".casefold()
            hit = next((n for n in names if n in said), None)
            if hit:  # the SQL lower() folds ASCII only: check in Python too
                out.setdefault((c["id"], work), ("named", hit))
    return out


def _both(conn, centres: list[dict]) -> dict:
    """Papers where one author lists both parties (organisation or institution)."""
    a, m = schema.authorships, schema.affiliation_matches
    out = {}
    for c in centres:
        sides = [(c[f"party_{s}"], c[f"party_{s}_inst"]) for s in ("a", "b")]
        if not all(org or inst for org, inst in sides):
            continue
        marks = []
        for k, (org, inst) in enumerate(sides):
            if org:
                marks.append(sa.case((m.c.org_id == org, 1 << k), else_=0))
            else:
                marks.append(sa.case((a.c.institution_id == inst, 1 << k), else_=0))
        q = (sa.select(a.c.work_id)
             .join(m, m.c.key == a.c.affiliation_key)
             .group_by(a.c.work_id, a.c.author_position)
             .having(sa.func.max(marks[0]) + sa.func.max(marks[1]) == 3))
        for (work,) in conn.execute(q):
            out.setdefault((c["id"], work), ("both parties", " and ".join(
                str(org or inst) for org, inst in sides)))
    return out
