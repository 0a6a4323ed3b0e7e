"""Pages from templates/web/: autoescaped Jinja2, numbers worded by indicators/words.py,
every page given the signed-in user, its CSRF token and whether actions are open."""

from __future__ import annotations

from functools import cache

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from trendline.core.settings import TEMPLATES_DIR
from trendline.indicators import words
from trendline.web import auth


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "web"),
        autoescape=True,  # every page: nothing from a record renders live
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = words.amount
    env.filters["figure"] = words.figure
    return env


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    html = environment().get_template(name).render(
        request=request,
        user=auth.user(request),
        csrf_token=auth.csrf_token(request),
        read_only=request.app.state.read_only,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
