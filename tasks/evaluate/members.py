"""The stored evidence index: every record behind every value, written to
`evidence_members` in the transaction that writes the values, so that `trendline
evidence` and the web pages read one indexed table instead of evaluating again."""

from __future__ import annotations

import pandas as pd

from trendline.core import schema
from trendline.indicators.common import DESCRIBED, described
from trendline.indicators.registry import Evaluation

KEY = ("period", "subject", "kind", "record_id")
CHUNK = 20_000  # rows per executemany


def member_frame(ev: Evaluation) -> pd.DataFrame:
    """Every (period, subject, kind, record) of one evaluation, once each, with what
    hand-built records say of themselves (label, year, url, demo, value, unit)."""
    parts = []
    for r in ev.results:
        m = r.members
        if m is None or not len(m):  # small hand-built evidence: the records themselves
            rows = [(p, rec.get("kind", ""), str(rec.get("id")), *described(p, rec))
                    for p, recs in r.evidence.items() for rec in recs]
            m = pd.DataFrame(rows, columns=["period", "kind", "id", *DESCRIBED])
        if len(m):
            parts.append(m.rename(columns={"id": "record_id"}).assign(subject=r.subject))
    if not parts:
        return pd.DataFrame(columns=list(KEY))
    if len(parts) == 1:
        out = parts[0]
    else:  # different categories per subject: concatenate as text
        out = pd.concat([p.astype({c: "object" for c in ("period", "record_id")}) for p in parts],
                        ignore_index=True)
    cols = [c for c in (*KEY, *DESCRIBED) if c in out]
    return out[cols].drop_duplicates(list(KEY))


def save_members(conn, ev: Evaluation) -> int:
    """Replace one indicator's members (same transaction as its values); rows written."""
    t = schema.evidence_members
    ind = ev.indicator.id
    conn.execute(t.delete().where(t.c.indicator_id == ind))
    frame = member_frame(ev)
    for r in ev.results:  # written: the evaluation keeps counts and samples only
        r.members = None
    if not len(frame):
        return 0
    cols = ["indicator_id", *frame.columns]
    values = [_column(frame[c]) for c in frame.columns]
    rows = zip([ind] * len(frame), *values, strict=True)
    if conn.dialect.name == "postgresql":
        _copy(conn, cols, rows)
    else:
        marks = ", ".join("?" for _ in cols)
        sql = f"INSERT INTO evidence_members ({', '.join(cols)}) VALUES ({marks})"
        cur = conn.connection.driver_connection.cursor()
        try:
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == CHUNK:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
        finally:
            cur.close()
    return len(frame)


def _column(s: pd.Series) -> list:
    """A column as plain Python values, missing ones None (never NaN or "nan")."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories.astype(str).tolist()
        return [cats[c] if c >= 0 else None for c in s.cat.codes.tolist()]
    if s.name == "year":
        return [None if pd.isna(v) else int(v) for v in s.tolist()]
    if s.name == "demo":
        return [None if v is None or (isinstance(v, float) and v != v) else bool(v)
                for v in s.tolist()]
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in s.tolist()]


def _copy(conn, cols: list[str], rows) -> None:
    """PostgreSQL: COPY ... FROM STDIN through psycopg, the fastest bulk path."""
    cur = conn.connection.driver_connection.cursor()
    with cur.copy(f"COPY evidence_members ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
