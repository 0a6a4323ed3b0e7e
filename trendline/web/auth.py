"""Who is signed in, and the CSRF token every form carries. Sessions are signed cookies
(HttpOnly, SameSite=Lax, Secure over https) keyed by a secret kept in the store; they last
12 hours. Failed sign-ins are counted in the store (so every worker serving it agrees): 5
for one name, or from one client address, within 15 minutes and sign-in waits."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from trendline.core import schema, users
from trendline.core.secrets import store_secret

FAILURES = 5  # failed sign-ins allowed per name, and per client address ...
WINDOW = dt.timedelta(minutes=15)  # ... within this long
SESSION_SECONDS = 12 * 3600
COOKIE = "trendline_session"


class Sessions:
    """Starlette's signed-cookie sessions, the cookie marked Secure when the request came
    over https (or base_url says people reach it over https, behind a proxy)."""

    def __init__(self, app, key: str, always_secure: bool):
        opts = {"secret_key": key, "session_cookie": COOKIE, "same_site": "lax",
                "max_age": SESSION_SECONDS}
        self.plain = SessionMiddleware(app, https_only=False, **opts)
        self.secure = SessionMiddleware(app, https_only=True, **opts)
        self.always_secure = always_secure

    async def __call__(self, scope, receive, send):
        https = self.always_secure or scope.get("scheme") in ("https", "wss")
        await (self.secure if https else self.plain)(scope, receive, send)


def install(app: Starlette) -> None:
    key = store_secret(app.state.res.engine, "web-session").hex()
    https = app.state.res.settings.web.base_url.startswith("https://")
    app.add_middleware(Sessions, key=key, always_secure=https)


def user(request: Request) -> str | None:
    return request.session.get("user")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def safe_next(value: str | None) -> str:
    """A same-site path to go to after signing in; anything else (another host, a
    scheme, `//host`, a backslash, a control character) is the overview."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def login_url(path: str) -> str:
    return "/login?" + urlencode({"next": safe_next(path)})


def _same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, names this site."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def checked_form(request: Request, back: str):
    """The form of a POST that changes state, with the signed-in user. Refused (403)
    when the workspace is read-only, or the CSRF token or origin is wrong; a request
    without a user (or whose user was removed) goes to the sign-in page instead."""
    if request.app.state.read_only:
        raise HTTPException(403, "This workspace is read-only: no action is accepted.")
    who = user(request)
    if who:
        with request.app.state.res.engine.connect() as conn:
            if not users.exists(conn, who):
                request.session.clear()
                who = None
    if not who:
        return None, RedirectResponse(login_url(back), status_code=303)
    form = await request.form()
    expected = request.session.get("csrf") or ""
    given = str(form.get("csrf_token") or "")
    if not expected or not secrets.compare_digest(given, expected) or not _same_origin(request):
        raise HTTPException(403, "The form's security token is missing or out of date: "
                                 "reload the page and try again.")
    return (who, form), None


def _client(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]


def throttled(conn, name: str, address: str, now: dt.datetime) -> bool:
    t = schema.login_failures
    since = now - WINDOW
    for col, value in ((t.c.name, name), (t.c.address, address)):
        n = conn.execute(sa.select(sa.func.count()).select_from(t)
                         .where(col == value, t.c.at > since)).scalar_one()
        if n >= FAILURES:
            return True
    return False


def record_failure(conn, name: str, address: str, now: dt.datetime) -> None:
    t = schema.login_failures
    conn.execute(t.delete().where(t.c.at <= now - WINDOW))
    conn.execute(t.insert().values(name=name, address=address, at=now))


def login_form(request: Request, nxt: str, error: str = "", status: int = 200):
    from trendline.web.render import page

    with request.app.state.res.engine.connect() as conn:
        anyone = bool(users.user_names(conn))
    return page(request, "login.html.j2", status_code=status, next=safe_next(nxt),
                error=error, no_users=not anyone)


async def login(request: Request):
    if request.app.state.read_only:
        raise HTTPException(403, "This workspace is read-only: no one signs in.")
    form = await request.form()
    expected = request.session.get("csrf") or ""
    if not expected or not secrets.compare_digest(str(form.get("csrf_token") or ""), expected):
        raise HTTPException(403, "The form's security token is missing or out of date: "
                                 "reload the page and try again.")
    name = str(form.get("name") or "").strip()[:64]
    password = str(form.get("password") or "")
    nxt = safe_next(str(form.get("next") or ""))
    res = request.app.state.res
    now, address = res.now(), _client(request)
    with res.engine.begin() as conn:
        if throttled(conn, name, address, now):
            return login_form(request, nxt, f"Too many failed sign-ins: wait "
                                    f"{int(WINDOW.total_seconds() // 60)} minutes.", 429)
        ok = verify_quietly(conn, name, password)
        if not ok:
            record_failure(conn, name, address, now)
    if not ok:
        return login_form(request, nxt, "Wrong name or password.", 401)
    request.session.clear()  # a new session for the new user, with a new token
    request.session["user"] = name
    csrf_token(request)
    return RedirectResponse(nxt, status_code=303)


def verify_quietly(conn, name: str, password: str) -> bool:
    try:
        return bool(name) and users.verify(conn, name, password)
    except users.UserError:  # a hash in a format this version does not know
        return False


async def logout(request: Request):
    form = await request.form()
    expected = request.session.get("csrf") or ""
    if expected and secrets.compare_digest(str(form.get("csrf_token") or ""), expected):
        request.session.clear()
        return RedirectResponse("/", status_code=303)
    raise HTTPException(403, "The form's security token is missing or out of date.")


async def login_page(request: Request):
    if request.method == "POST":
        return await login(request)
    return login_form(request, request.query_params.get("next") or "/")


ROUTES: list = [Route("/login", login_page, methods=["GET", "POST"], name="login"),
                Route("/logout", logout, methods=["POST"], name="logout")]
