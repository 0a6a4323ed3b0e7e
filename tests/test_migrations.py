"""The Alembic migrations build exactly the schema in trendline/schema.py."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from trendline.schema import metadata


def test_migrations_match_schema(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"schema and migrations differ; add a migration: {diff[:5]}"
