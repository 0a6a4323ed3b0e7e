"""How a flow run gets its resources. A command that runs a flow in its own process hands
its Resources down (`handed`); a served run (a deployment started by the scheduler or from
the Prefect UI) builds them from the server's own config file and environment. Flow
parameters are typed run options only: nothing a caller of the Prefect API passes can
change a setting (a base URL, a notification target, the store)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from trendline.core.resources import Resources, open_resources
from trendline.core.settings import load_settings

_HANDED: ContextVar[Resources | None] = ContextVar("trendline_resources", default=None)


@contextlib.contextmanager
def handed(res: Resources) -> Iterator[Resources]:
    token = _HANDED.set(res)
    try:
        yield res
    finally:
        _HANDED.reset(token)


def current() -> Resources:
    res = _HANDED.get()
    return res if res is not None else open_resources(load_settings())
