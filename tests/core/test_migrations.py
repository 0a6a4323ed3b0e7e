"""The Alembic migrations build exactly the schema in trendline/schema/."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from trendline.core.schema import metadata


def test_migrations_match_schema(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"schema and migrations differ; add a migration: {diff[:5]}"


def test_a_store_from_an_earlier_schema_is_refused_in_one_line(home, tmp_path):
    import sqlalchemy as sa
    from click.testing import CliRunner

    from trendline.cli import main

    home.mkdir(parents=True, exist_ok=True)
    old = sa.create_engine(f"sqlite:///{home / 'trendline.db'}")
    with old.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
    result = CliRunner().invoke(main, ["alerts"])
    assert result.exit_code == 2
    assert "has schema 0001, made by an earlier Trendline" in result.output
    assert "Traceback" not in result.output
