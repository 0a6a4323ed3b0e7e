"""/ : every indicator with its latest complete value."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.routing import Route

from trendline.core import schema
from trendline.web.render import page


async def overview(request: Request):
    v = schema.verdicts
    with request.app.state.res.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(v.c.indicator_id, v.c.subject, v.c.verdict, v.c.period)
            .order_by(v.c.indicator_id, v.c.subject))]
    return page(request, "overview.html.j2", verdicts=rows)


ROUTES = [Route("/", overview, name="overview")]
