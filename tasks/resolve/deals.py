"""Deal facts: China-Russia or not, and the amount as known USD (with the currency and
rate behind it) or unknown. An undisclosed amount is unknown, never zero."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from trendline.core import schema
from trendline.tasks.resolve.registry import sync

CN_RU = ("CN->RU", "RU->CN", "JOINT")


def resolve_deals(conn, now: dt.datetime) -> int:
    d, t = schema.deals, schema.deal_facts
    rows = []
    for r in conn.execute(sa.select(d.c.id, d.c.year, d.c.direction, d.c.amount_usd,
                                    d.c.amount_original, d.c.currency, d.c.is_demo)):
        known = r.amount_usd is not None
        if not known:
            rule = "undisclosed: the source gives no amount"
        elif r.currency and r.currency != "USD" and r.amount_original:
            rate = r.amount_usd / r.amount_original
            rule = f"{r.amount_original:,.0f} {r.currency} at {rate:.4g} USD per {r.currency}"
        else:
            rule = "USD as given by the source"
        rows.append({"deal_id": r.id, "year": r.year, "direction": r.direction,
                     "is_cn_ru": r.direction in CN_RU, "amount_usd": r.amount_usd,
                     "amount_status": "known" if known else "undisclosed", "amount_rule": rule,
                     "is_demo": bool(r.is_demo), "resolved_at": now})
    return sync(conn, t, rows, ("year", "direction", "amount_usd", "amount_rule", "is_demo"))
