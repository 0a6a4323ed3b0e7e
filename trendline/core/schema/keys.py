"""Secrets that belong to one store (session signing, keyed hashes of delivery targets):
made once, kept in the store, so every process serving that store agrees on them."""

from sqlalchemy import Column, DateTime, LargeBinary, String, Table

from trendline.core.schema.base import metadata

store_secrets = Table(
    "store_secrets",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
