"""What every command needs: settings and a migrated store."""

from __future__ import annotations

import click
from sqlalchemy.engine import Engine

from trendline.core.db import make_engine, migrate, require_store_url
from trendline.core.locks import store_lock
from trendline.core.settings import ConfigError, Settings, load_settings


def settings() -> Settings:
    ctx = click.get_current_context(silent=True)
    path = (ctx.find_root().obj or {}).get("config") if ctx else None
    s = load_settings(path)
    require_store_url(s.database_url)
    check_indicator_ids(s)
    return s


def check_indicator_ids(s: Settings) -> None:
    """`indicators."<id>"` in config must name an indicator that exists (a typo would
    otherwise silently configure nothing)."""
    if not s.indicators:
        return
    from trendline.indicators.registry import all_indicators

    known = all_indicators()
    unknown = sorted(set(s.indicators) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown indicator id(s) in config: {', '.join(unknown)} "
            f"(see `trendline indicators`; e.g. {next(iter(known))})"
        )


class FileProblem(Exception):
    """A file named on the command line that cannot be read: one line, exit 2."""


def require(path, what: str = "", folder_ok: bool = False) -> None:
    """The one style of every missing-file error: `cannot read PATH: REASON`."""
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        raise FileProblem(f"cannot read {what}{p}: No such file or directory")
    if p.is_dir() and not folder_ok:
        raise FileProblem(f"cannot read {what}{p}: Is a directory")


def store(s: Settings) -> Engine:
    s.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(s.database_url)
    migrate(engine)
    return engine


def exclusive(s: Settings, wait: bool = False):
    """One writer of the store at a time (trendline.core.locks): raises StoreBusy at once, or
    waits with `wait`."""
    return store_lock(s.database_url, wait=wait)
