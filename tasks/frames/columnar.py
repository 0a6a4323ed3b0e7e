"""Reading large frames column-wise, as Arrow columns with no Python object per value:
from PostgreSQL through ADBC (binary COPY), from SQLite through ADBC in a child process
(trendline/core/sqlite_arrow.py: its driver carries a second copy of the SQLite library,
which must not share a process with ours); else through the DB-API cursor in chunks."""

from __future__ import annotations

import logging
from contextlib import suppress

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from trendline.core.sqlite_arrow import ArrowChild

log = logging.getLogger(__name__)
CHUNK = 250_000


def compiled(bind: Connection | Engine, query) -> str:
    return str(query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))


def _has_sqlite_driver() -> bool:
    from importlib.util import find_spec

    return find_spec("adbc_driver_sqlite") is not None


class Columnar:
    """One ADBC connection for a frames load (None when no driver fits); on SQLite, a
    child process for each of `bulk`, the large queries, started at once, sending the
    `narrow` columns ({name: Arrow integer type}) in fewer bytes."""

    def __init__(self, engine: Engine, bulk: tuple = (), narrow: dict[str, str] | None = None):
        self.adbc, self.children = None, {}
        url = engine.url
        try:
            if url.get_backend_name() == "postgresql":
                import adbc_driver_postgresql.dbapi as driver

                uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
                self.adbc = driver.connect(uri)
            elif url.database and url.database != ":memory:" and bulk and _has_sqlite_driver():
                self.children = {sql: ArrowChild(url.database, sql, narrow)
                                 for sql in (compiled(engine, q) for q in bulk)}
        except Exception as exc:  # no driver, or it cannot connect: the DB-API path works
            log.info("column-wise reads off (%s): %s", type(exc).__name__, exc)

    def close(self) -> None:
        if self.adbc is not None:
            with suppress(Exception):
                self.adbc.close()
        for child in self.children.values():
            if said := child.close():
                log.info("column-wise SQLite reader fell back to the cursor: %s", said[-500:])

    def frame(self, conn: Connection, query) -> pd.DataFrame:
        """The query's rows, in its column order."""
        sql = compiled(conn, query)
        table = self._arrow(sql)
        if table is not None:
            # Arrow strings stay Arrow; buffers freed as columns convert
            return _own_strings(table.to_pandas(types_mapper=_arrow_strings,
                                                split_blocks=True, self_destruct=True))
        return cursor_frame(conn, sql, [_kind(c.type) for c in query.selected_columns])

    def ints(self, conn: Connection, query) -> dict[str, np.ndarray]:
        """Integer columns (no NULLs) as int64 arrays, without a frame in between."""
        sql = compiled(conn, query)
        table = self._arrow(sql)
        if table is None:
            return cursor_ints(conn, sql)
        out = {name: table.column(name).to_numpy().astype("int64", copy=False)
               for name in table.column_names}
        del table
        pa.default_memory_pool().release_unused()
        return out

    def _arrow(self, sql: str):
        child = self.children.get(sql)
        if child is not None and not child.taken:
            return child.table()
        if self.adbc is None:
            return None
        try:
            with self.adbc.cursor() as cur:
                cur.execute(sql)
                return cur.fetch_arrow_table()
        except Exception as exc:  # e.g. a type SQLite's driver cannot infer
            log.info("column-wise read fell back to the cursor: %s", exc)
            return None


def _own_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns copied into buffers of their own: as read from an IPC stream they are
    slices of whole record batches, and would keep every batch's other columns resident
    (a million works: 90 MiB held for 18 MiB of ids)."""
    for name in frame.columns:
        if isinstance(frame[name].array, pd.arrays.ArrowStringArray):
            text = pa.array(frame[name].array)
            chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
            frame[name] = pd.array(pa.concat_arrays(chunks), dtype=frame[name].dtype)
    return frame


def _arrow_strings(kind: pa.DataType):
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.StringDtype("pyarrow")
    return None


def _kind(kind: sa.types.TypeEngine) -> str:
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.Boolean | sa.Float | sa.Numeric):
        return "number"
    if isinstance(kind, sa.String | sa.Text):
        return "text"
    return "object"


def _column(values: tuple, kind: str):
    """One fetched column as a compact array: integers as int64 (float64 when a NULL is
    among them: 63-bit keys never pass through floats), other numbers as float64 (NULL:
    NaN), text as Arrow strings, anything else (dates, JSON) as Python objects."""
    if kind == "integer" and None not in values:
        return np.array(values, dtype="int64")
    if kind in ("integer", "number"):
        return np.array(values, dtype="float64")
    if kind == "text":
        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
    return np.array(values, dtype=object)


def cursor_frame(conn: Connection, sql: str, kinds: list[str] | None = None) -> pd.DataFrame:
    """The rows through the DB-API cursor, converted column by column per chunk."""
    cursor = conn.exec_driver_sql(sql).cursor
    columns = [d[0] for d in cursor.description]
    kinds = kinds or ["object"] * len(columns)
    parts = []
    while rows := cursor.fetchmany(CHUNK):
        cols = zip(*rows, strict=True)
        parts.append(pd.DataFrame({name: _column(values, kind) for name, values, kind
                                   in zip(columns, cols, kinds, strict=True)}))
    cursor.close()
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def cursor_ints(conn: Connection, sql: str) -> dict[str, np.ndarray]:
    """Integer columns (no NULLs) through the cursor, each chunk straight into numpy."""
    cursor = conn.exec_driver_sql(sql).cursor
    columns = [d[0] for d in cursor.description]
    parts = []
    while rows := cursor.fetchmany(CHUNK):
        parts.append(np.array(rows, dtype="int64").reshape(len(rows), len(columns)))
    cursor.close()
    data = np.concatenate(parts) if parts else np.empty((0, len(columns)), dtype="int64")
    return {name: data[:, i] for i, name in enumerate(columns)}
