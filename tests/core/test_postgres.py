"""The same store on a real PostgreSQL server (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

from helpers import run_pipeline

from trendline.core.db import make_engine, migrate, table_counts
from trendline.core.settings import load_settings


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
