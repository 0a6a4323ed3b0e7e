"""Who may do what in the workspace: every POST needs a signed-in user and the form's CSRF
token, or changes nothing; `next=` stays on the site; failed sign-ins are rate-limited;
users are managed from the CLI; off loopback without users it serves read-only; the
session cookie is HttpOnly, SameSite=Lax and Secure over https."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from starlette.testclient import TestClient

from trendline.cli import main
from trendline.core import schema, users
from trendline.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def alice(web_res):
    with web_res.engine.begin() as conn:
        users.add_user(conn, "alice", PASSWORD, web_res.now())
    return "alice"


@pytest.fixture
def alert_id(web_res):
    with web_res.engine.connect() as conn:
        return conn.execute(sa.text(
            "select id from alerts where state = 'firing' order by id limit 1")).scalar_one()


def token(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, name="alice", password=PASSWORD, nxt="/"):
    return client.post("/login", data={"name": name, "password": password, "next": nxt,
                                        "csrf_token": token(client)}, follow_redirects=False)


def snapshot(res) -> tuple:
    with res.engine.connect() as conn:
        return (sorted(map(tuple, conn.execute(sa.select(
                    schema.alerts.c.id, schema.alerts.c.acked_by, schema.alerts.c.ack_note)))),
                sorted(map(tuple, conn.execute(sa.select(schema.silences)))))


def actions(alert_id: str) -> list[tuple[str, dict]]:
    return [(f"/alerts/{alert_id}/ack", {"note": "seen"}),
            (f"/alerts/{alert_id}/unack", {}),
            (f"/alerts/{alert_id}/silence", {"scope": "labels", "indicator": "*",
                                             "duration": "7d"}),
            ("/silences/any/expire", {})]


def test_a_post_without_a_session_goes_to_sign_in_and_changes_nothing(client, web_res,
                                                                      alice, alert_id):
    before = snapshot(web_res)
    for path, data in actions(alert_id):
        r = client.post(path, data={**data, "csrf_token": token(client)},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2F")
    assert snapshot(web_res) == before


def test_a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(
        client, web_res, alice, alert_id):
    assert sign_in(client).status_code == 303
    good = token(client, "/silences")
    before = snapshot(web_res)
    for path, data in actions(alert_id):
        for extra in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            assert client.post(path, data={**data, **extra}).status_code == 403
        hostile = client.post(path, data={**data, "csrf_token": good},
                              headers={"origin": "https://evil.example.org"})
        assert hostile.status_code == 403
    assert snapshot(web_res) == before


def test_actions_record_the_signed_in_user_and_the_cli_shows_it(client, web_res, alice,
                                                                alert_id):
    sign_in(client)
    t = token(client, "/silences")
    r = client.post(f"/alerts/{alert_id}/ack", data={"note": "checked the papers",
                                                     "csrf_token": t}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/alerts/{alert_id}#actions"
    r = client.post(f"/alerts/{alert_id}/silence", follow_redirects=False, data={
        "scope": "labels", "indicator": "research.*", "subject": "*", "period": "2025",
        "severity": "*", "duration": "30d", "reason": "known", "csrf_token": t})
    assert r.status_code == 303
    shown = json.loads(CliRunner().invoke(main, ["alerts", "--all", "--format", "json"]).output)
    mine = next(a for a in shown if a["id"] == alert_id)
    assert mine["acked_by"] == "alice" and mine["ack_note"] == "checked the papers"
    stored = json.loads(CliRunner().invoke(main, ["silence", "list", "--format", "json"]).output)
    assert [(s["author"], s["indicator"], s["period"], s["reason"]) for s in stored] == [
        ("alice", "research.*", "2025", "known")]
    assert stored[0]["id"] in client.get("/silences").text
    r = client.post(f"/silences/{stored[0]['id']}/expire", data={"csrf_token": t},
                    follow_redirects=False)
    assert r.status_code == 303
    assert json.loads(CliRunner().invoke(main, ["silence", "list", "--format", "json"])
                      .output) == []
    client.post(f"/alerts/{alert_id}/unack", data={"csrf_token": t})
    assert (alert_id, None, None) in snapshot(web_res)[0]


def test_bad_action_input_is_a_clear_error_and_changes_nothing(client, web_res, alice,
                                                               alert_id):
    sign_in(client)
    t = token(client, "/silences")
    before = snapshot(web_res)
    r = client.post(f"/alerts/{alert_id}/ack", data={"note": "  ", "csrf_token": t})
    assert r.status_code == 400 and "note" in r.text
    r = client.post(f"/alerts/{alert_id}/silence", data={"scope": "labels", "csrf_token": t})
    assert r.status_code == 400 and "matcher" in r.text
    r = client.post("/alerts/nosuch/ack", data={"note": "x", "csrf_token": t})
    assert r.status_code == 404 and "no alert nosuch" in r.text
    r = client.post(f"/alerts/{alert_id}/silence", data={"duration": "forever",
                                                         "csrf_token": t})
    assert r.status_code == 400
    assert snapshot(web_res) == before


@pytest.mark.parametrize("hostile", [
    "https://example.org", "//example.org", "/\\example.org", "javascript:alert(1)",
    "https:/example.org", "\t//example.org", " //example.org"])
def test_next_never_leaves_the_site(client, alice, hostile):
    r = sign_in(client, nxt=hostile)
    assert r.status_code == 303 and r.headers["location"] == "/"
    page = client.get("/login", params={"next": hostile}).text
    assert "example.org" not in page


def test_next_keeps_a_path_on_the_site(client, alice):
    assert sign_in(client, nxt="/silences?all=1").headers["location"] == "/silences?all=1"


def test_wrong_password_then_rate_limited_per_name_and_per_address(web_res, alice):
    now = [dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)]
    res = dataclasses.replace(web_res, clock=lambda: now[0])
    with TestClient(create_app(res), base_url="http://127.0.0.1") as client:
        for _ in range(5):
            r = sign_in(client, password="wrong password")
            assert r.status_code == 401 and "Wrong name or password" in r.text
        r = sign_in(client)  # the right password, but too soon
        assert r.status_code == 429 and "Too many failed sign-ins" in r.text
        now[0] += dt.timedelta(minutes=16)
        assert sign_in(client).status_code == 303
        for i in range(5):  # five names from one address
            assert sign_in(client, name=f"guess{i}", password="x" * 9).status_code == 401
        now[0] += dt.timedelta(minutes=1)
        assert sign_in(client).status_code == 429
    with res.engine.connect() as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(schema.login_failures))
        assert kept.scalar_one() == 5  # failures older than the window were dropped


def test_user_add_and_remove_from_the_cli(web_res):
    run = CliRunner().invoke
    r = run(main, ["user", "add", "bob"], input="s3cret-enough\n")
    assert r.exit_code == 0 and "User bob added" in r.output
    with web_res.engine.connect() as conn:
        row = conn.execute(sa.select(schema.users)).mappings().one()
        assert row["params"] == "scrypt:n=32768,r=8,p=1" and len(row["salt"]) == 16
        assert b"s3cret" not in bytes(row["hash"])
        assert users.verify(conn, "bob", "s3cret-enough")
        assert not users.verify(conn, "bob", "s3cret-enougH")
    r = run(main, ["user", "add", "bob"], input="another-one\n")
    assert r.exit_code == 0 and "new password" in r.output
    assert run(main, ["user", "list"]).output == "bob\n"
    r = run(main, ["user", "add", "carol"], input="short\n")
    assert r.exit_code == 1 and "at least 8 characters" in r.output
    r = run(main, ["user", "add", "../x"], input="long enough\n")
    assert r.exit_code == 1 and "user name '../x'" in r.output
    assert run(main, ["user", "remove", "bob"]).exit_code == 0
    r = run(main, ["user", "remove", "bob"])
    assert r.exit_code == 1 and "no user 'bob'" in r.output


def test_a_removed_user_can_act_no_more(client, web_res, alice, alert_id):
    sign_in(client)
    t = token(client, "/silences")
    with web_res.engine.begin() as conn:
        users.remove_user(conn, "alice")
    before = snapshot(web_res)
    r = client.post(f"/alerts/{alert_id}/ack", data={"note": "x", "csrf_token": t},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert snapshot(web_res) == before


@pytest.mark.parametrize("host,with_user,read_only", [
    ("0.0.0.0", False, True), ("192.0.2.7", False, True), ("0.0.0.0", True, False),
    ("127.0.0.1", False, False), ("::1", False, False), ("localhost", False, False)])
def test_off_loopback_without_users_it_serves_read_only_and_says_so(
        web_res, monkeypatch, host, with_user, read_only):
    import uvicorn

    if with_user:
        with web_res.engine.begin() as conn:
            users.add_user(conn, "alice", PASSWORD, web_res.now())
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    r = CliRunner().invoke(main, ["web", "--host", host, "--port", "8123"])
    assert r.exit_code == 0, r.output
    assert served["app"].state.read_only is read_only and served["host"] == host
    assert ("read-only" in r.output) is read_only


def test_a_read_only_workspace_hides_and_refuses_every_action(web_res, alice, alert_id):
    from trendline.web.render import environment

    with TestClient(create_app(web_res), base_url="http://127.0.0.1") as open_client:
        sign_in(open_client)  # a session signed by the same store's key, and its token
        good, cookies = token(open_client, "/silences"), dict(open_client.cookies)
    with TestClient(create_app(web_res, read_only=True), base_url="http://127.0.0.1",
                    cookies=cookies) as c:
        assert "<form" not in c.get("/login").text
        r = c.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": good})
        assert r.status_code == 403
        before = snapshot(web_res)
        for path, data in actions(alert_id):
            assert c.post(path, data={**data, "csrf_token": good}).status_code == 403
        assert snapshot(web_res) == before
        assert "read-only" in c.get("/").text and "Sign out" not in c.get("/").text
    with web_res.engine.connect() as conn:
        alert = dict(conn.execute(sa.select(schema.alerts).where(
            schema.alerts.c.id == alert_id)).mappings().one())
    partial = environment().get_template("_alert_actions.html.j2")
    common = {"alert": alert, "csrf_token": "t0ken"}
    closed = partial.render(read_only=True, user="alice", **common)
    assert "<form" not in closed and "read-only" in closed
    anonymous = partial.render(read_only=False, user=None, **common)
    assert "<form" not in anonymous and f"/login?next=/alerts/{alert_id}" in anonymous
    open_ = partial.render(read_only=False, user="alice", **common)
    assert open_.count('value="t0ken"') == 2 and f'value="{alert["indicator_id"]}"' in open_


@pytest.mark.parametrize("scheme,secure", [("https", True), ("http", False)])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(web_res, scheme, secure):
    with TestClient(create_app(web_res), base_url=f"{scheme}://127.0.0.1") as c:
        cookie = c.get("/login").headers["set-cookie"].lower()
    assert cookie.startswith("trendline_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert ("; secure" in cookie) is secure


def test_a_https_base_url_marks_the_cookie_secure_behind_a_proxy(web_res):
    web = web_res.settings.web.model_copy(update={"base_url": "https://trendline.example.org"})
    res = dataclasses.replace(web_res, settings=web_res.settings.model_copy(update={"web": web}))
    with TestClient(create_app(res), base_url="http://127.0.0.1") as c:
        assert "; secure" in c.get("/login").headers["set-cookie"].lower()


def test_sign_out_needs_the_token_and_ends_the_session(client, alice, alert_id):
    sign_in(client)
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert "Sign out" in client.get("/silences").text
    r = client.post("/logout", data={"csrf_token": token(client, "/silences")},
                    follow_redirects=False)
    assert r.status_code == 303 and "Sign out" not in client.get("/silences").text
    r = client.post(f"/alerts/{alert_id}/ack", data={"note": "x", "csrf_token": token(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_users_and_failed_sign_ins_on_postgresql(pg_url):
    from trendline.core.db import make_engine, migrate
    from trendline.web.auth import record_failure, throttled

    engine = make_engine(pg_url)
    migrate(engine)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            assert users.add_user(conn, "alice", PASSWORD, now)
            for _ in range(5):
                record_failure(conn, "alice", "192.0.2.1", now)
        with engine.connect() as conn:
            assert users.verify(conn, "alice", PASSWORD)
            assert not users.verify(conn, "alice", PASSWORD + "!")
            assert not users.verify(conn, "nobody", PASSWORD)
            assert throttled(conn, "alice", "198.51.100.1", now)
            assert throttled(conn, "bob", "192.0.2.1", now)
            assert not throttled(conn, "alice", "192.0.2.1", now + dt.timedelta(minutes=15))
    finally:
        engine.dispose()
