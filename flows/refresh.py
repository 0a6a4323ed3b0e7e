"""Refresh flows, one per source family."""

from __future__ import annotations

from prefect import flow, task

from flows.common import setup
from tasks.refresh import refresh_one
from tasks.sources import all_sources
from tasks.store import RefreshOutcome


@task(retries=2, retry_delay_seconds=[10, 60], timeout_seconds=1800)
def refresh_source(name: str, config: str | None, overrides: dict | None) -> RefreshOutcome:
    settings, engine = setup(config, overrides)
    return refresh_one(engine, settings, all_sources()[name])


def _family(family, config, overrides, only) -> list[RefreshOutcome]:
    names = [n for n, m in all_sources().items() if m.FAMILY == family and (not only or n in only)]
    return [refresh_source(name, config, overrides) for name in sorted(names)]


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
