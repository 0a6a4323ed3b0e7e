"""The Starlette application over one store: pages, static files (vendored, no CDN) and
the signed-in user. Served by uvicorn from `trendline web`."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from trendline.core.resources import Resources
from trendline.web import auth, pages
from trendline.web.render import page

STATIC = Path(__file__).resolve().parent / "static"


async def http_error(request: Request, exc: HTTPException):
    return page(request, "error.html.j2", status_code=exc.status_code,
                status=exc.status_code, detail=exc.detail)


def create_app(res: Resources, read_only: bool = False) -> Starlette:
    """read_only: no action is offered or accepted (served off loopback without users)."""
    routes = [Mount("/static", StaticFiles(directory=STATIC), name="static"),
              *auth.ROUTES, *pages.ROUTES]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.res = res
    app.state.read_only = read_only
    auth.install(app)
    return app
