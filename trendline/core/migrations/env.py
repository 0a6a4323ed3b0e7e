"""Alembic environment: runs on the connection trendline.core.db.migrate passes in."""

from alembic import context
from sqlalchemy import create_engine

from trendline.core.schema import metadata

config = context.config


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:
        with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
            _migrate(conn)
    else:
        _migrate(conn)


def _migrate(conn) -> None:
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
