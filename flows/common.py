"""What every flow starts from: settings from a config path, and the store."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from trendline.db import engine_for
from trendline.settings import Settings, load_settings


def setup(config: str | None, overrides: dict | None = None) -> tuple[Settings, Engine]:
    """Flows take a config path and overrides (plain data, so deployments can pass them)."""
    settings = load_settings(config, **(overrides or {}))
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings, engine_for(settings.database_url)
