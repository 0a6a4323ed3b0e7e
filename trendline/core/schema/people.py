"""Who may act in the workspace: its users (scrypt hashes) and recent failed sign-ins
(kept in the store, so every worker serving it counts the same failures)."""

from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, String, Table

from trendline.core.schema.base import metadata

users = Table(  # `trendline user add|remove`
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("salt", LargeBinary, nullable=False),  # 16 random bytes, one per user
    Column("hash", LargeBinary, nullable=False),  # scrypt(password, salt, n, r, p), 32 bytes
    Column("params", String(64), nullable=False),  # "scrypt:n=16384,r=8,p=1"
    Column("created_at", DateTime(timezone=True), nullable=False),
)

login_failures = Table(  # one row per failed sign-in; rows older than the window are dropped
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),  # the name tried (cut to 64 characters)
    Column("address", String(64), nullable=False),  # the client's address
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_failures_name_at", "name", "at"),
    Index("ix_login_failures_address_at", "address", "at"),
)
