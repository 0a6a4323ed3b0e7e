"""What every command needs: settings and a migrated store."""

from __future__ import annotations

import click
from sqlalchemy.engine import Engine

from trendline.db import make_engine, migrate
from trendline.locks import store_lock
from trendline.settings import Settings, load_settings


def settings() -> Settings:
    ctx = click.get_current_context(silent=True)
    path = (ctx.find_root().obj or {}).get("config") if ctx else None
    return load_settings(path)


def store(s: Settings) -> Engine:
    s.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(s.database_url)
    migrate(engine)
    return engine


def exclusive(s: Settings, wait: bool = False):
    """One writer of the store at a time (trendline.locks): raises StoreBusy at once, or
    waits with `wait`."""
    return store_lock(s.database_url, wait=wait)
