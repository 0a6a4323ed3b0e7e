"""The one MetaData every table joins, and the column every data row carries."""

from sqlalchemy import Column, MetaData, String

metadata = MetaData()


def run_id_column() -> Column:
    """`refresh_run_id`: the refresh that last wrote the row."""
    return Column("refresh_run_id", String(36), nullable=False, index=True)
