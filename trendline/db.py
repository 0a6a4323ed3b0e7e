"""Engine, migrations and the one upsert every source uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from trendline import schema
from trendline.settings import ConfigError, env_name

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url)

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


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (cheap when already there)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def upsert(conn: Connection, table: sa.Table, rows: Iterable[Mapping]) -> int:
    """Insert rows, or update them in place when their primary key exists: one statement
    executed for all rows (the driver batches them). Keyed by the table's natural primary
    key, so loading the same rows twice adds none."""
    rows = list(rows)
    if not rows:
        return 0
    keys = [c.name for c in table.primary_key.columns]
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(conn.dialect.name)
    if insert is None:
        raise RuntimeError(f"unsupported database dialect: {conn.dialect.name}")
    stmt = insert(table)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    if updates:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)
    return len(rows)


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
