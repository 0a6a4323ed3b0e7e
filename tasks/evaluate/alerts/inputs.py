"""Which indicators have no data: an indicator that failed, or whose input is missing
(a needed table is empty) or came from a source whose latest refresh failed."""

from __future__ import annotations

import sqlalchemy as sa

from trendline.core import schema

EXPANDS = {"affiliations": ("authorships", "affiliation_matches")}


def data_problems(conn, evaluations, errors: dict[str, str],
                  cache: dict[str, tuple[int, set[str]]] | None = None) -> dict[str, str]:
    """indicator id -> the reason, in plain words. `cache`: table -> (rows, sources), shared
    with `input_sources`."""
    out = {ind: f"the indicator failed ({err})" for ind, err in errors.items()}
    failed = failed_sources(conn)
    cache = {} if cache is None else cache
    for ev in evaluations:
        reasons = []
        for name in ev.indicator.needs:
            for table in EXPANDS.get(name, (name,)):
                if table not in schema.metadata.tables:
                    continue  # derived frames (sources) are not stored
                if table not in cache:
                    cache[table] = _inputs(conn, schema.metadata.tables[table])
                rows, sources = cache[table]
                if rows == 0:
                    reasons.append(f"no {table} in the store")
                reasons += [f"source {s} failed to refresh: {failed[s]}"
                            for s in sorted(sources & set(failed))]
        if reasons:
            out.setdefault(ev.indicator.id, "; ".join(dict.fromkeys(reasons)))
    return out


def input_sources(conn, evaluations, cache: dict[str, tuple[int, set[str]]] | None = None
                  ) -> dict[str, set[str]]:
    """indicator id -> the sources whose refreshes wrote the tables it reads."""
    cache = {} if cache is None else cache
    out: dict[str, set[str]] = {}
    for ev in evaluations:
        names: set[str] = set()
        for name in ev.indicator.needs:
            for table in EXPANDS.get(name, (name,)):
                if table in schema.metadata.tables:
                    if table not in cache:
                        cache[table] = _inputs(conn, schema.metadata.tables[table])
                    names |= cache[table][1]
        out[ev.indicator.id] = names
    return out


def failed_sources(conn) -> dict[str, str]:
    """Sources whose latest refresh failed -> its message."""
    t = schema.refresh_runs
    latest: dict[str, dict] = {}
    for r in conn.execute(sa.select(t.c.source, t.c.status, t.c.message, t.c.started_at)
                          .order_by(t.c.started_at)).mappings():
        latest[r["source"]] = dict(r)
    return {s: (r["message"] or "failed") for s, r in latest.items() if r["status"] == "failed"}


def _inputs(conn, table: sa.Table) -> tuple[int, set[str]]:
    """(1 when the table holds a row, else 0; the sources of the runs that wrote it)."""
    rows = conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).scalar() or 0
    if "refresh_run_id" not in table.c or not rows:
        return rows, set()
    runs = [r for (r,) in conn.execute(distinct_runs(table)) if r is not None]
    q = sa.select(schema.refresh_runs.c.source).where(schema.refresh_runs.c.id.in_(runs))
    return rows, {s for (s,) in conn.execute(q.distinct())}


def distinct_runs(table: sa.Table):
    """The refresh runs that wrote a table, one index seek each (a loose index scan by
    recursive CTE), not a pass over its million rows."""
    col = table.c.refresh_run_id
    first = sa.select(sa.func.min(col).label("run")).cte("runs", recursive=True)
    after = sa.select(sa.func.min(col)).where(col > first.c.run).scalar_subquery()
    runs = first.union_all(sa.select(after).where(first.c.run.is_not(None)))
    return sa.select(runs.c.run)
