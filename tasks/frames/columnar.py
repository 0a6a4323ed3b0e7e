"""Reading large frames column-wise: from PostgreSQL through ADBC (Arrow Database
Connectivity: the driver hands over Arrow columns by binary COPY, no Python object per
value) when its driver is installed, else through the DB-API cursor in chunks. Never ADBC
for SQLite: its driver carries a second copy of the SQLite library, and two copies in one
process break each other's file locks (SQLite's "how to corrupt" notes, section 2.2.1)."""

from __future__ import annotations

import logging
from contextlib import suppress

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)
CHUNK = 250_000


def compiled(conn: Connection, query) -> str:
    return str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


class Columnar:
    """One ADBC connection for a frames load (None when no driver fits)."""

    def __init__(self, engine: Engine):
        self.adbc = None
        url = engine.url
        try:
            if url.get_backend_name() == "postgresql":
                import adbc_driver_postgresql.dbapi as driver

                uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
                self.adbc = driver.connect(uri)
        except Exception as exc:  # no driver, or it cannot connect: the DB-API path works
            log.info("column-wise reads off (%s): %s", type(exc).__name__, exc)

    def close(self) -> None:
        if self.adbc is not None:
            with suppress(Exception):
                self.adbc.close()

    def frame(self, conn: Connection, query) -> pd.DataFrame:
        sql = compiled(conn, query)
        table = self._arrow(sql)
        return table.to_pandas() if table is not None else cursor_frame(conn, sql)

    def ints(self, conn: Connection, query) -> dict[str, np.ndarray]:
        """Integer columns (no NULLs) as int64 arrays, without a frame in between."""
        sql = compiled(conn, query)
        table = self._arrow(sql)
        if table is None:
            frame = cursor_frame(conn, sql)
            return {c: frame[c].to_numpy(dtype="int64") for c in frame.columns}
        out = {name: table.column(name).to_numpy().astype("int64", copy=False)
               for name in table.column_names}
        del table
        pa.default_memory_pool().release_unused()
        return out

    def _arrow(self, sql: str):
        if self.adbc is None:
            return None
        try:
            with self.adbc.cursor() as cur:
                cur.execute(sql)
                return cur.fetch_arrow_table()
        except Exception as exc:  # e.g. a type SQLite's driver cannot infer
            log.info("column-wise read fell back to the cursor: %s", exc)
            return None


def cursor_frame(conn: Connection, sql: str) -> pd.DataFrame:
    cursor = conn.exec_driver_sql(sql).cursor
    columns = [d[0] for d in cursor.description]
    parts = []
    while rows := cursor.fetchmany(CHUNK):
        parts.append(pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True))))
    cursor.close()
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
