"""Engine, migrations and the one upsert every source uses."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from trendline.core import schema
from trendline.core.files import private_dir, private_file
from trendline.core.settings import ConfigError, env_name

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock key of migrations (a signed 64-bit number from the name)
MIGRATE_KEY = int.from_bytes(hashlib.sha1(b"trendline.migrate").digest()[:8], "big", signed=True)
BUSY_SECONDS = 30  # SQLite: how long a writer waits for another's transaction to end


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def require_store_url(url: str) -> None:
    """ConfigError (exit 2) naming `store.url` and where it was set, when unusable."""
    try:
        check_store_url(url)
    except ValueError as exc:
        var = env_name("store.url")
        where = f"environment variable {var}" if var else "config"
        raise ConfigError(f"{where}: bad value for 'store.url': {exc}") from None


def make_engine(url: str) -> Engine:
    require_store_url(url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.name != ":memory:":
            private_dir(path.parent)
            private_file(path)  # 0600: SQLite gives its -wal and -shm files the same mode
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_SECONDS})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL: readers never block the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


DRIVER_EXTRAS = {"postgresql": "pip install 'trendline[postgres]'"}


def check_store_url(url: str) -> None:
    """A SQLAlchemy URL of a database Trendline supports, whose driver is installed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("not a database URL (e.g. postgresql+psycopg://user@host/db)") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    if parsed.get_driver_name() in ("asyncpg", "aiosqlite", "psycopg_async"):
        raise ValueError(f"async driver {parsed.get_driver_name()!r} not supported here; "
                         "use postgresql+psycopg://")
    try:
        parsed.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError):
        how = DRIVER_EXTRAS.get(backend, "install its driver")
        raise ValueError(
            f"the {backend} driver {parsed.get_driver_name()!r} is not installed: {how}"
        ) from None


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class StoreError(Exception):
    """The store cannot be used as it is; the message says why, in one line."""


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (cheap when already there)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    scripts = ScriptDirectory.from_config(cfg)
    head = scripts.get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return
    if current is not None and current not in {s.revision for s in scripts.walk_revisions()}:
        raise StoreError(
            f"the store {engine.url.render_as_string(hide_password=True)} has schema {current}, "
            f"made by an earlier Trendline; this one needs {head}: start a new store "
            "(another TRENDLINE_HOME or store.url) and run `trendline run` to fill it")
    with engine.connect() as conn:  # DDL in one transaction: a kill leaves no half,
        if conn.dialect.name == "sqlite":  # and a second migrator waits here
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # an advisory lock held until this transaction ends
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_KEY})
        if MigrationContext.configure(conn).get_current_revision() == head:
            conn.rollback()  # the other migrator did it
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def upsert(conn: Connection, table: sa.Table, rows: Iterable[Mapping],
           newer: str | None = None, ignore: bool = False) -> int:
    """Insert rows, or update them in place when their primary key exists. Keyed by the
    table's natural primary key, so loading the same rows twice adds none. One statement,
    executed for every row by the driver (executemany); on SQLite the values go straight
    to the driver, converted as SQLAlchemy would store them (JSON through orjson), which
    keeps a million-row write in seconds. Rows with different columns go in groups. With
    `newer` (a version column), a stored row is replaced only by a version at least as new;
    with `ignore`, a stored row is kept as it is (insert-or-ignore: racing inserts agree)."""
    rows = list(rows)
    groups: dict[tuple[str, ...], list[Mapping]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for cols, group in groups.items():
        _upsert(conn, table, list(cols), group, newer, ignore)
    return len(rows)


def insert_new(conn: Connection, table: sa.Table, row: Mapping,
               replace_where: sa.ColumnElement | None = None) -> bool:
    """Insert one row unless its primary key is taken (ON CONFLICT DO NOTHING), or, with
    `replace_where`, replace the stored row only where that holds: True when this call
    wrote it. Two processes racing on the same key agree on one winner."""
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[conn.dialect.name]
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table).values(**row)
    if replace_where is None:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    else:
        updates = {c: stmt.excluded[c] for c in row if c not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates,
                                          where=replace_where)
    first_key = table.primary_key.columns[0]
    return conn.execute(stmt.returning(first_key)).first() is not None


def _upsert(conn: Connection, table: sa.Table, cols: list[str], rows: list[Mapping],
            newer: str | None = None, ignore: bool = False) -> None:
    if conn.dialect.name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"unsupported database dialect: {conn.dialect.name}")
    if conn.dialect.name != "sqlite":
        conn.execute(_statement(conn.dialect.name, table, tuple(cols), newer, ignore), rows)
        return
    sql, order, convert, missing = _sqlite_plan(conn.dialect, table, tuple(cols), newer, ignore)
    params = [tuple(f(row[name] if name in row else missing[name]())
                    for f, name in zip(convert, order, strict=True)) for row in rows]
    conn.exec_driver_sql(sql, params)


def _statement(dialect: str, table: sa.Table, cols: tuple[str, ...], newer: str | None,
               ignore: bool):
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table)
    updates = {} if ignore else {c: stmt.excluded[c] for c in cols if c not in keys}
    where = None
    if newer:
        old = table.c[newer]
        where = sa.or_(old.is_(None), old <= stmt.excluded[newer])
    return (stmt.on_conflict_do_update(index_elements=keys, set_=updates, where=where)
            if updates else stmt.on_conflict_do_nothing(index_elements=keys))


@lru_cache(maxsize=256)  # one compile per statement shape and engine (a snapshot: per part)
def _sqlite_plan(dialect, table: sa.Table, cols: tuple[str, ...], newer: str | None,
                 ignore: bool) -> tuple[str, list[str], list[Callable], dict[str, Callable]]:
    """The SQL text, its parameter order, each value's converter and the defaults of
    columns the rows leave out."""
    compiled = _statement("sqlite", table, cols, newer, ignore).compile(
        dialect=dialect, column_keys=list(cols))
    order = list(compiled.positiontup or [])
    convert = [_sqlite_value(table.c[name].type) for name in order]
    missing = {name: _default(table.c[name]) for name in order if name not in cols}
    return compiled.string, order, convert, missing


def _default(column: sa.Column) -> Callable[[], Any]:
    """A column's Python-side default, which SQLAlchemy adds to every insert."""
    d = column.default
    if d is None:
        return lambda: None
    return (lambda: d.arg) if d.is_scalar else (lambda: d.arg(None))


def _sqlite_value(kind: sa.types.TypeEngine) -> Callable[[Any], Any]:
    """How SQLAlchemy stores a Python value in SQLite, for the column types we use."""
    if isinstance(kind, sa.JSON):
        return lambda v: None if v is None else orjson.dumps(
            v, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS).decode()
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else v.replace(tzinfo=None).isoformat(
            " ", "microseconds")
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else (
            v.date() if isinstance(v, dt.datetime) else v).isoformat()
    if isinstance(kind, sa.Boolean):
        return lambda v: None if v is None else int(bool(v))
    return lambda v: v


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for name, t in schema.metadata.tables.items()
        }


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One migrated engine per database URL per process."""
    if url not in _ENGINES:
        engine = make_engine(url)
        migrate(engine)
        _ENGINES[url] = engine
    return _ENGINES[url]
