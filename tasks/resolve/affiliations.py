"""Affiliations: each distinct (institution name, ROR id) resolved once to an organisation
(rule, score) and a country (and how it was decided). Joint centres are decided per
authorship in tasks/resolve/centres.py."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert
from trendline.tasks.ingest.parsing.names import affiliation_code
from trendline.tasks.resolve.countries import country_of
from trendline.tasks.resolve.registry import COUNTED, Registry, set_state, state


def resolve_affiliations(conn, reg: Registry, now: dt.datetime) -> int:
    """Resolve affiliation keys not resolved yet (all of them when the registry changed);
    returns how many rows were written."""
    a, m = schema.authorships, schema.affiliation_matches
    everything = state(conn, "registry") != reg.digest
    q = (sa.select(a.c.affiliation_key, sa.func.max(a.c.institution_name),
                   sa.func.max(a.c.raw_affiliation), sa.func.max(a.c.ror_id),
                   sa.func.max(a.c.country_code), sa.func.max(a.c.institution_id))
         .where(a.c.affiliation_key.is_not(None)).group_by(a.c.affiliation_key))
    if not everything:
        q = q.where(~sa.exists().where(m.c.key == a.c.affiliation_key))
    todo = conn.execute(q).all()
    cnki = {k for (k,) in conn.execute(
        sa.select(a.c.affiliation_key).distinct().join(
            schema.works, schema.works.c.id == a.c.work_id).where(schema.works.c.source == "cnki"))}
    rows = []
    for key, name, raw, ror, source_country, inst in todo:
        match = reg.matcher.resolve(name, ror)
        counted = match.rule in COUNTED
        country, rule = _country(key in cnki, name or raw or "", source_country,
                                 reg.countries.get(match.org_id or "") if counted else None,
                                 match.org_name)
        rows.append({"key": key, "affiliation": name or raw or "", "ror_id": ror,
                     "org_id": match.org_id, "org_name": match.org_name,
                     "lists": list(match.lists), "score": match.score, "rule": match.rule,
                     "country": country, "country_rule": rule[:80],
                     "code": affiliation_code(key), "inst": inst, "matched_at": now})
    upsert(conn, m, rows)
    set_state(conn, "registry", reg.digest)
    return len(rows)


def _country(is_cnki: bool, text: str, source: str | None, org_country: str | None,
             org_name: str | None) -> tuple[str | None, str]:
    if source:
        return source, "source: institution country"
    if is_cnki:
        return country_of(text)
    if org_country:
        return org_country, f"registry: {org_name}"
    return None, "unknown"
