"""The same store on a real PostgreSQL server (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from conftest import need
from helpers import run_pipeline

from trendline.core.db import make_engine, migrate, table_counts
from trendline.core.settings import load_settings

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture
def pg_url():
    try:
        admin = sa.create_engine(f"{SERVER}/test", isolation_level="AUTOCOMMIT")
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
    yield f"{SERVER}/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database "{name}" with (force)'))
    admin.dispose()


def test_pipeline_on_postgres_is_idempotent(home, pg_url):
    settings = load_settings(None, store={"url": pg_url})
    engine = make_engine(settings.database_url)
    migrate(engine)
    _, evaluation, _, _ = run_pipeline(engine, settings)
    assert evaluation.fired > 0 and not evaluation.errors
    first = table_counts(engine)
    assert first["works"] >= 1103 and first["alerts"] > 0
    _, again, _, _ = run_pipeline(engine, settings)
    assert table_counts(engine) == first and again.transitions == []
    engine.dispose()
