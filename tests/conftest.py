"""Shared fixtures. Tests never touch the network: fake servers listen on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
REQUIRE = os.environ.get("TRENDLINE_REQUIRE_SERVICES") == "1"


def need(available: bool, what: str, how: str) -> None:
    """Skip when a service is missing on a user's machine; fail in CI, where
    TRENDLINE_REQUIRE_SERVICES=1 says it must be there."""
    if available:
        return
    if REQUIRE:
        pytest.fail(f"{what} is required here (TRENDLINE_REQUIRE_SERVICES=1) but missing: {how}")
    pytest.skip(f"{what} not available; to run this test: {how}")


@pytest.fixture
def shared_data() -> Path:
    need(SHARED_DATA.is_dir(), "../shared/data", "check out the project beside its shared/ folder")
    return SHARED_DATA


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh state folder, and no config or secrets leaking in from the environment."""
    for key in list(os.environ):
        if key.startswith(("TRENDLINE_", "OPENALEX_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TRENDLINE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def settings(home):
    from trendline.settings import load_settings

    return load_settings()


@pytest.fixture
def engine(settings):
    from trendline.db import make_engine, migrate

    settings.home.mkdir(parents=True, exist_ok=True)
    eng = make_engine(settings.database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect server for the whole session, for the few flow tests."""
    from prefect.testing.utilities import prefect_test_harness

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=90):
        yield
