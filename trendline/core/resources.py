"""What every stage receives: settings, the store and a clock, in one object, built once
per command (or per served flow run) and handed down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Engine

from trendline.core.db import engine_for, utcnow
from trendline.core.files import private_dir
from trendline.core.settings import Settings


@dataclass(frozen=True)
class Resources:
    settings: Settings
    engine: Engine
    clock: Callable[[], dt.datetime] = field(default=utcnow)

    def now(self) -> dt.datetime:
        return self.clock()

    def publications_from(self, choice: str | None) -> Resources:
        """The same resources with publications from `choice` (`demo` or `openalex`) for
        one run: a typed run option, not a way to change any other setting."""
        if not choice or choice == self.settings.sources.publications:
            return self
        sources = self.settings.sources.model_copy(update={"publications": choice})
        return replace(self, settings=self.settings.model_copy(update={"sources": sources}))


def open_resources(settings: Settings, clock: Callable[[], dt.datetime] = utcnow) -> Resources:
    """The migrated store the settings name (one engine per database per process), in a
    state folder only its owner can read."""
    private_dir(settings.home)
    return Resources(settings, engine_for(settings.database_url), clock)
