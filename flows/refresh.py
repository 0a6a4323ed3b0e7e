"""Refresh flows, one per source family."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.common import setup
from tasks.refresh import Fetched, fetch, is_transient, store
from tasks.sources import all_sources
from tasks.store import RefreshOutcome
from trendline.db import utcnow


@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[10, 60],
    timeout_seconds=1800,
    retry_condition_fn=lambda _task, _run, state: is_transient(state.data),
)
def refresh_source(name: str, config: str | None, overrides: dict | None) -> RefreshOutcome:
    """Fetch and store one source; a network error is retried, anything else is an outcome."""
    settings, engine = setup(config, overrides)
    source = all_sources()[name]
    return store(engine, source, fetch(settings, source))


@task
def unreachable(
    name: str, message: str, config: str | None, overrides: dict | None
) -> RefreshOutcome:
    _, engine = setup(config, overrides)
    return store(engine, all_sources()[name], Fetched(name, utcnow(), error=message))


def _family(family, config, overrides, only) -> list[RefreshOutcome]:
    names = [n for n, m in all_sources().items() if m.FAMILY == family and (not only or n in only)]
    outcomes = []
    for name in sorted(names):
        state = refresh_source(name, config, overrides, return_state=True)
        if state.is_completed():
            outcomes.append(state.result())
        else:  # still unreachable after the retries
            outcomes.append(unreachable(name, state.message or "failed", config, overrides))
    return outcomes


@flow(name="refresh-watchlists")
def refresh_watchlists(
    config: str | None = None, overrides: dict | None = None, only: list[str] | None = None
):
    return _family("watchlists", config, overrides, only)


@flow(name="refresh-publications")
def refresh_publications(
    config: str | None = None, overrides: dict | None = None, only: list[str] | None = None
):
    return _family("publications", config, overrides, only)


@flow(name="refresh-deals")
def refresh_deals(
    config: str | None = None, overrides: dict | None = None, only: list[str] | None = None
):
    return _family("deals", config, overrides, only)


FAMILIES = {
    "watchlists": refresh_watchlists,
    "publications": refresh_publications,
    "deals": refresh_deals,
}
