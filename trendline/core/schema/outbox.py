"""Messages to send and their exactly-once delivery bookkeeping."""

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
)

from trendline.core.schema.base import metadata

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("dedup_key", String(255), nullable=False, unique=True),
    Column("tag", String(32), nullable=False),  # alerts | weekly
    Column("title", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("body_markdown", Text, nullable=False),
    Column("attachments", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("sent_at", DateTime(timezone=True)),
)


# Delivery bookkeeping (exactly-once): a lease claims a message for one deliverer until it
# expires; each (message, target) pair records its own delivery, so a target that succeeded
# is never sent to again when another target of the same tag failed.
outbox_leases = Table(
    "outbox_leases",
    metadata,
    Column("message_id", String(16), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    Column("message_id", String(16), primary_key=True),
    Column("target_id", String(16), primary_key=True),  # HMAC of the full URL (store's key)
    Column("target", Text, nullable=False),  # its label, `notify url #2 (tag ops)`: no URL
    Column("status", String(16), nullable=False),  # sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("sent_at", DateTime(timezone=True)),
)
