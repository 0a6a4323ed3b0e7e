"""One pipeline at a time per store.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a dedicated
connection; SQLite: an exclusive `flock` on a lock file beside the database. Both vanish with
the process that holds them (a killed run leaves no lock behind). Taking the lock again in
the process that holds it is a no-op, so the CLI and the flow it runs can both ask for it.

The PostgreSQL session sits idle while the pipeline works, so it sends TCP keepalives (a
dead peer is noticed within about a minute), and `check_held(url)` asks it, before each
stage, whether it still holds the lock: a dropped connection took the lock with it, and
the run stops with LockLost (one line, exit 1) instead of going on beside another run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite stores go unlocked
    fcntl = None

NAME = "trendline.pipeline"
# Advisory lock keys are per database: one signed 64-bit key derived from our name.
PG_KEY = int.from_bytes(hashlib.sha1(NAME.encode()).digest()[:8], "big", signed=True)
POLL_SECONDS = 0.5
SESSION = {  # libpq options of the lock's connection
    "application_name": "trendline store lock",
    "keepalives": 1, "keepalives_idle": 20, "keepalives_interval": 10, "keepalives_count": 3,
}
HELD_QUERY = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND pid = pg_backend_pid() AND objid = (:k & 4294967295)")

_held: dict[str, int] = {}
_sessions: dict[str, tuple[Connection, threading.Lock]] = {}  # url -> the lock's connection
_guard = threading.Lock()


class StoreBusy(Exception):
    """Another run holds the store."""


class LockLost(Exception):
    """The store lock this process held is gone (its database session ended)."""


def check_held(url: str, before: str = "") -> None:
    """Raise LockLost when this process holds the store's PostgreSQL lock no more: its
    session does not answer, or answers without the lock. Nothing to check when this
    process does not hold it, or holds a file lock (which only its death releases)."""
    session = _sessions.get(url)
    if session is None:
        return
    conn, busy = session
    try:
        with busy:
            held = conn.execute(HELD_QUERY, {"k": PG_KEY}).scalar()
    except sa.exc.SQLAlchemyError:  # the connection is gone
        held = 0
    if not held:
        stage = f" before {before}" if before else ""
        raise LockLost(f"lost the lock on the store {_describe(url)}: its database "
                       f"session ended; stopped{stage} (run it again)")


def _describe(url: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"sqlite {u.database}"
    return f"{u.get_backend_name()} {u.host or 'localhost'}/{u.database}"


@contextlib.contextmanager
def store_lock(url: str, wait: bool = False, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's pipeline lock for the block. Without `wait`, raise StoreBusy at
    once when another process holds it; with `wait`, poll until it is free (or `timeout`
    seconds pass)."""
    with _guard:
        if url in _held:
            _held[url] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[url] -= 1
        return
    backend = make_url(url).get_backend_name()
    take = _pg_lock if backend == "postgresql" else _file_lock
    with take(url, wait, timeout):
        with _guard:
            _held[url] = 1
        try:
            yield
        finally:
            with _guard:
                _held.pop(url, None)


def _deadline(wait: bool, timeout: float | None) -> float:
    if not wait:
        return 0.0
    return time.monotonic() + (timeout if timeout is not None else float("inf"))


def _busy(url: str, holder: str = "") -> StoreBusy:
    who = f" ({holder})" if holder else ""
    return StoreBusy(f"another run holds the store {_describe(url)}{who}")


@contextlib.contextmanager
def _file_lock(url: str, wait: bool, timeout: float | None) -> Iterator[None]:
    database = make_url(url).database
    if fcntl is None or not database or database == ":memory:":
        yield
        return
    path = Path(database + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        until = _deadline(wait, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= until:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                    raise _busy(url, f"pid {holder}" if holder else "") from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _pg_lock(url: str, wait: bool, timeout: float | None) -> Iterator[None]:
    engine = sa.create_engine(url, poolclass=NullPool, connect_args=SESSION)
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        until = _deadline(wait, timeout)
        take = sa.text("SELECT pg_try_advisory_lock(:k)")
        while not conn.execute(take, {"k": PG_KEY}).scalar():
            if time.monotonic() >= until:
                holder = conn.execute(
                    sa.text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
                            "AND granted AND objid = (:k & 4294967295) LIMIT 1"),
                    {"k": PG_KEY},
                ).scalar()
                raise _busy(url, f"database backend pid {holder}" if holder else "")
            time.sleep(POLL_SECONDS)
        _sessions[url] = (conn, threading.Lock())
        try:
            yield
        finally:
            _sessions.pop(url, None)
            with contextlib.suppress(sa.exc.SQLAlchemyError):  # a lost session took the lock
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": PG_KEY})
    finally:
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            conn.close()
        engine.dispose()
