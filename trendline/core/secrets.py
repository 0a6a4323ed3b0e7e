"""A store's own secrets: `store_secret(engine, "session")` returns 32 random bytes made the
first time it is asked for (two processes asking at once agree: insert-or-ignore, then
read)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline.core import schema
from trendline.core.db import upsert, utcnow


def store_secret(engine: Engine, name: str) -> bytes:
    t = schema.store_secrets
    with engine.begin() as conn:
        found = conn.execute(sa.select(t.c.value).where(t.c.name == name)).scalar()
        if found is not None:
            return bytes(found)
        upsert(conn, t, [{"name": name, "value": secrets.token_bytes(32),
                          "created_at": utcnow()}], ignore=True)
        return bytes(conn.execute(sa.select(t.c.value).where(t.c.name == name)).scalar_one())
