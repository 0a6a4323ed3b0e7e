"""What every stage receives: settings, the store and a clock, in one object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from trendline.core.db import engine_for, utcnow
from trendline.core.settings import Settings, load_settings


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: Engine
    clock: Callable[[], dt.datetime] = field(default=utcnow)

    def now(self) -> dt.datetime:
        return self.clock()


def open_resources(
    config: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
) -> Resources:
    """Settings from a config path and overrides (plain data, so Prefect deployments can
    pass them), and the migrated store they name."""
    settings = load_settings(config, **dict(overrides or {}))
    settings.home.mkdir(parents=True, exist_ok=True)
    return Resources(settings, engine_for(settings.database_url), clock)
