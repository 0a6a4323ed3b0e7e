"""Bulk reads of a SQLite store as Arrow, in a process of their own.

ADBC's SQLite driver hands rows over as Arrow columns (no Python object per value, about
four times faster than the DB-API cursor on a million works), but it carries a second copy
of the SQLite library, and two copies in one process break each other's POSIX locks
(SQLite's "how to corrupt" notes, section 2.2.1). So the driver runs here, in a child
process that holds nothing else open and answers its query with one Arrow IPC stream on
its stdout, written a batch at a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from itertools import chain
from urllib.parse import quote


def serve(path: str, query: str, narrow: str = "{}") -> int:
    """The child: the query's rows as one IPC stream on stdout, a batch at a time as the
    driver reads them (the parent reads every child at once). The driver's low-level
    API (its DB-API module would import pandas: half a second of start-up). `narrow`:
    JSON {column: Arrow integer type} for columns sent narrower than SQLite's 64 bits (a
    value that does not fit fails the read, and the parent reads the cursor instead)."""
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())  # freed batches go back at once
    kinds = {name: getattr(pa, kind)() for name, kind in json.loads(narrow).items()}
    out = sys.stdout.buffer
    with adbc_driver_sqlite.connect(f"file:{quote(path)}?mode=ro") as db, \
            adbc_driver_manager.AdbcConnection(db) as conn, \
            adbc_driver_manager.AdbcStatement(conn) as stmt:
        stmt.set_options(**{"adbc.sqlite.query.batch_rows": "65536"})
        stmt.set_sql_query(query)
        stream, _ = stmt.execute_query()
        reader = pa.RecordBatchReader.from_stream(stream)
        first = next(iter(reader), None)
        coded = repeated(first) if first is not None else []
        schema = reader.schema if first is None else shaped(first, coded, kinds).schema
        with pa.ipc.new_stream(out, schema) as writer:
            for batch in chain([] if first is None else [first], reader):
                writer.write_batch(shaped(batch, coded, kinds))
    out.flush()
    return 0


def repeated(batch) -> list[int]:
    """The text columns of a batch whose values repeat (half as many distinct values as
    rows, or fewer): sent as dictionaries, each distinct string once a batch, and read
    by pandas as categoricals without hashing the text again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return [i for i, field in enumerate(batch.schema)
            if (pa.types.is_string(field.type) or pa.types.is_large_string(field.type))
            and pc.count_distinct(batch.column(i)).as_py() * 2 <= batch.num_rows]


def shaped(batch, columns: list[int], kinds: dict | None = None):
    """The batch as sent: `columns` as dictionaries, the `kinds` columns cast narrower."""
    import pyarrow as pa

    arrays = list(batch.columns)
    for i in columns:
        arrays[i] = arrays[i].dictionary_encode()
    for i, name in enumerate(batch.schema.names):
        if name in (kinds or {}):
            arrays[i] = arrays[i].cast(kinds[name])  # safe: overflow raises
    return pa.record_batch(arrays, names=batch.schema.names)


class ArrowChild:
    """The parent's side: one child per query, started at once, each read by a thread of
    its own as it writes (the queries of a frames load run side by side on the cores
    while the parent reads the small tables)."""

    command = (sys.executable, "-m", "trendline.core.sqlite_arrow")

    def __init__(self, path: str, query: str, narrow: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            [*self.command, path, query, json.dumps(narrow or {})],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.taken = False
        self._got: list = [None]
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        import pyarrow as pa

        try:
            self._got[0] = pa.ipc.open_stream(self.proc.stdout).read_all()
        except (pa.ArrowInvalid, OSError):  # no driver, or a type it cannot infer
            self._got[0] = None

    def table(self):
        """The query's table; None when the child cannot answer (its driver is missing,
        a type it cannot infer): the caller reads the cursor instead."""
        self.taken = True
        self._reader.join()
        table, self._got[0] = self._got[0], None
        # a child that failed mid-stream sent part of the rows: none of them are used
        return table if self.proc.wait() == 0 else None

    def close(self) -> str:
        """End the child; what it said on stderr (empty when all went well)."""
        if not self.taken and self.proc.poll() is None:
            self.proc.kill()
        self._reader.join()
        self.proc.stdout.close()
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        self.proc.wait()
        return err.decode(errors="replace").strip() if self.proc.returncode > 0 else ""


if __name__ == "__main__":
    sys.exit(serve(*sys.argv[1:4]))
