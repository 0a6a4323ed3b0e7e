"""What every command needs, built once per command: the settings, the resources (the
migrated store and the clock), the store lock; and the one style of file errors."""

from __future__ import annotations

from pathlib import Path

import click

from trendline.cli.indicator_ids import check_indicator_ids
from trendline.core.db import require_store_url
from trendline.core.locks import store_lock
from trendline.core.resources import Resources, open_resources
from trendline.core.settings import Settings, load_settings


def _cache() -> dict:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    return root.obj


def config_path() -> str | None:
    return _cache().get("config")


def settings() -> Settings:
    cache = _cache()
    if "settings" not in cache:
        s = load_settings(cache.get("config"))
        require_store_url(s.database_url)
        check_indicator_ids(s)
        cache["settings"] = s
    return cache["settings"]


def resources() -> Resources:
    cache = _cache()
    if "resources" not in cache:
        cache["resources"] = open_resources(settings())
    return cache["resources"]


class FileProblem(Exception):
    """A file named on the command line that cannot be read: one line, exit 2."""


def require(path, what: str = "", folder_ok: bool = False) -> None:
    """The one style of every missing-file error: `cannot read PATH: REASON`."""
    p = Path(path)
    if not p.exists():
        raise FileProblem(f"cannot read {what}{p}: No such file or directory")
    if p.is_dir() and not folder_ok:
        raise FileProblem(f"cannot read {what}{p}: Is a directory")


def exclusive(wait: bool = False):
    """One writer of the store at a time (trendline.core.locks): raises StoreBusy at once,
    or waits with `wait`."""
    return store_lock(settings().database_url, wait=wait)
