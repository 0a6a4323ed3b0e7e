"""Rows that fit the store: a text value longer than its column allows (an ISO code of
three letters, an id past its length) would make PostgreSQL refuse the whole write, where
SQLite would keep it. Such rows are taken out of the batch before the write, each as one
rejected row naming its table, key and field; the rest of the batch is written. Columns
that take free text from the outside are unbounded (Text), so this only catches what is
malformed."""

from __future__ import annotations

import sqlalchemy as sa

from trendline.core import schema
from trendline.tasks.ingest.source import Batch, Reject


def limits(table: sa.Table) -> dict[str, int]:
    """Column -> the longest text it holds, for the bounded text columns of `table`."""
    return {c.name: c.type.length for c in table.columns
            if isinstance(c.type, sa.String) and c.type.length}


def too_long(batch: Batch, where: str) -> list[Reject]:
    """Remove the rows with an over-long value from `batch`; one Reject for each."""
    rejects: list[Reject] = []
    for name, rows in batch.tables.items():
        table = schema.metadata.tables.get(name)
        bounded = limits(table) if table is not None else {}
        if not bounded or not rows:
            continue
        keys = [c.name for c in table.primary_key.columns]
        kept = []
        for i, row in enumerate(rows, start=1):
            over = next(((col, n) for col, n in bounded.items()
                         if isinstance(row.get(col), str) and len(row[col]) > n), None)
            if over is None:
                kept.append(row)
                continue
            col, n = over
            key = "/".join(str(row.get(k, ""))[:40] for k in keys)
            rejects.append(Reject(f"{where} ({name} {key})", i, col,
                                  f"{len(row[col])} characters, longer than the "
                                  f"{n} the store keeps; row not written"))
        if len(kept) != len(rows):
            batch.tables[name] = kept
    return rejects
