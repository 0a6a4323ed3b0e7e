"""Shared fixtures. Tests never touch the network: fake servers listen on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from services import REQUIRE, need  # noqa: F401  (the skip helper, for tests to import)

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


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
    from trendline.core.settings import load_settings

    return load_settings()


@pytest.fixture
def engine(settings):
    from trendline.core.db import make_engine, migrate

    settings.home.mkdir(parents=True, exist_ok=True)
    eng = make_engine(settings.database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One temporary Prefect API server for the few flow tests, started the way
    `trendline run` starts it; PREFECT_API_URL points the CLI at it."""
    from trendline.flows.embedded import TemporaryServer, drain_prefect

    mp = pytest.MonkeyPatch()
    mp.setenv("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect")))
    mp.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    mp.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
    # as apply_prefect_environment sets them with a real server: our loggers reach it,
    # and a plain call outside a flow run logs locally without a warning
    mp.setenv("PREFECT_LOGGING_EXTRA_LOGGERS", "trendline")
    mp.setenv("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    server = TemporaryServer()
    try:
        server.wait_ready()
        mp.setenv("PREFECT_API_URL", server.api_url)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server
    finally:
        drain_prefect()
        server.stop()
        mp.undo()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A store the demo pipeline filled once (plain calls, no notification target), for
    tests that only read it or deliver from it."""
    from helpers import run_pipeline

    from trendline.core.db import make_engine, migrate
    from trendline.core.settings import load_settings

    folder = tmp_path_factory.mktemp("demo-template")
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith(("TRENDLINE_", "OPENALEX_"))]:
            mp.delenv(key)
        mp.setenv("TRENDLINE_HOME", str(folder))
        settings = load_settings()
        engine = make_engine(settings.database_url)
        migrate(engine)
        run_pipeline(engine, settings)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    return folder / "trendline.db"


@pytest.fixture
def demo_store(home, demo_template) -> Path:
    """A private copy of the demo-filled store in this test's state folder."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_template, home / "trendline.db")
    return home / "trendline.db"


PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture
def pg_url():
    """A fresh database of its own on the local PostgreSQL server, dropped afterwards."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:  # no driver or no server
        need(
            False,
            "PostgreSQL",
            f"start a server on 127.0.0.1:5432 with trust auth ({exc.__class__.__name__})",
        )
    name = f"trendline_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    yield f"{PG_SERVER}/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database "{name}" with (force)'))
    admin.dispose()
