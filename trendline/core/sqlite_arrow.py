"""Bulk reads of a SQLite store as Arrow, in a process of their own.

ADBC's SQLite driver hands rows over as Arrow columns (no Python object per value, about
four times faster than the DB-API cursor on a million works), but it carries a second copy
of the SQLite library, and two copies in one process break each other's POSIX locks
(SQLite's "how to corrupt" notes, section 2.2.1). So the driver runs here, in a child
process that holds nothing else open and answers its query with one Arrow IPC stream on
its stdout.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote


def serve(path: str, query: str) -> int:
    """The child: the query's rows as one IPC stream on stdout. The driver's low-level
    API (its DB-API module would import pandas: half a second of start-up)."""
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow as pa

    out = sys.stdout.buffer
    with adbc_driver_sqlite.connect(f"file:{quote(path)}?mode=ro") as db, \
            adbc_driver_manager.AdbcConnection(db) as conn, \
            adbc_driver_manager.AdbcStatement(conn) as stmt:
        stmt.set_options(**{"adbc.sqlite.query.batch_rows": "65536"})
        stmt.set_sql_query(query)
        stream, _ = stmt.execute_query()
        # read whole before writing: a pipe holds 64 KiB, and the parent reads the
        # children one after another, so a child that streamed would wait for its turn
        table = pa.RecordBatchReader.from_stream(stream).read_all()
        with pa.ipc.new_stream(out, table.schema) as writer:
            writer.write_table(table)
    out.flush()
    return 0


class ArrowChild:
    """The parent's side: one child per query, started at once (the queries of a frames
    load run side by side on the cores while the parent reads the small tables)."""

    command = (sys.executable, "-m", "trendline.core.sqlite_arrow")

    def __init__(self, path: str, query: str):
        self.proc = subprocess.Popen(
            [*self.command, path, query],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.taken = False

    def table(self):
        """The query's table; None when the child cannot answer (its driver is missing,
        a type it cannot infer): the caller reads the cursor instead."""
        import pyarrow as pa

        self.taken = True
        try:
            return pa.ipc.open_stream(self.proc.stdout).read_all()
        except (pa.ArrowInvalid, OSError):
            return None

    def close(self) -> str:
        """End the child; what it said on stderr (empty when all went well)."""
        if not self.taken and self.proc.poll() is None:
            self.proc.kill()
        self.proc.stdout.close()
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        self.proc.wait()
        return err.decode(errors="replace").strip() if self.proc.returncode > 0 else ""


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], sys.argv[2]))
