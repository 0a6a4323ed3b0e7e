"""Who is signed in, and the CSRF token every form carries. Sessions are signed cookies
(HttpOnly, SameSite=Lax, Secure over https) keyed by a secret kept in the store."""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from trendline.core.secrets import store_secret

ROUTES: list = []  # /login, /logout


def install(app: Starlette) -> None:
    key = store_secret(app.state.res.engine, "web-session").hex()
    https = app.state.res.settings.web.base_url.startswith("https://")
    app.add_middleware(SessionMiddleware, secret_key=key, session_cookie="trendline_session",
                       same_site="lax", https_only=https)


def user(request: Request) -> str | None:
    return request.session.get("user")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token
