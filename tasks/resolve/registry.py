"""The organisation registry as the resolve stage sees it: a matcher built once per run
from the stored organisations and watch-list entries, and a digest that says when it
changed (then every affiliation and party is resolved again)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert
from trendline.tasks.resolve.match import Matcher, build

PROVENANCE = ("refresh_run_id", "fetched_at")
COUNTED = ("ror", "alias", "fuzzy", "org_id")  # match rules that count; `review` never does


@dataclass
class Registry:
    matcher: Matcher
    entries: list[dict]
    entry_orgs: dict[str, str]  # watch-list entry id -> organisation id
    countries: dict[str, str]  # organisation id -> ISO country
    digest: str


def load_registry(conn) -> Registry:
    orgs = [dict(r) for r in conn.execute(sa.select(schema.organisations)).mappings()]
    entries = [dict(r) for r in conn.execute(sa.select(schema.watchlist_entries)).mappings()]
    matcher, entry_orgs = build(orgs, entries)
    countries = {o["id"]: o["country"] for o in orgs if o.get("country")}
    for e in entries:
        if e.get("country"):
            countries.setdefault(entry_orgs[e["id"]], e["country"])
    content = [[{k: v for k, v in r.items() if k not in PROVENANCE} for r in rows]
               for rows in (sorted(orgs, key=lambda o: o["id"]),
                            sorted(entries, key=lambda e: e["id"]))]
    blob = json.dumps(content, default=str, sort_keys=True)
    digest = hashlib.sha256(blob.encode()).hexdigest()
    return Registry(matcher, entries, entry_orgs, countries, digest)


def state(conn, name: str) -> str | None:
    t = schema.resolve_state
    return conn.execute(sa.select(t.c.value).where(t.c.name == name)).scalar()


def set_state(conn, name: str, value: str) -> None:
    t = schema.resolve_state
    if conn.execute(sa.select(t.c.name).where(t.c.name == name)).first():
        conn.execute(t.update().where(t.c.name == name).values(value=value))
    else:
        conn.execute(t.insert().values(name=name, value=value))


def sync(conn, table: sa.Table, rows: list[dict], compared: tuple[str, ...]) -> int:
    """Make a resolved table hold exactly `rows`: rows no longer produced are deleted, and
    only rows whose `compared` columns changed are written (so a second resolve writes
    nothing). Returns how many rows were written."""
    keys = [c.name for c in table.primary_key.columns]
    pk = [table.c[k] for k in keys]
    wanted = {tuple(r[k] for k in keys): r for r in rows}
    old = {tuple(getattr(r, k) for k in keys): tuple(getattr(r, c) for c in compared)
           for r in conn.execute(sa.select(*pk, *(table.c[c] for c in compared)))}
    for key in set(old) - set(wanted):
        conn.execute(table.delete().where(*(col == v for col, v in zip(pk, key, strict=True))))
    return upsert(conn, table, [r for key, r in wanted.items()
                                if old.get(key) != tuple(r[c] for c in compared)])
