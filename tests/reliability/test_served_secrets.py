"""Safe when served, secrets: an Apprise URL is named by its position and tags, never
echoed (a token in its path, a `?token=` in its query, a password), and the OpenAlex key is
redacted by value wherever an error body echoes it; none of them reaches any file of the
state folder (store, reports, logs) or Prefect's database. The OpenAlex base URL must be
https unless it is this machine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from procs_helpers import clean_env, trendline

from trendline.core.db import make_engine

PATH_TOKEN = "PATHTOKEN-7f3a9c1e5b"  # Apprise's privacy URL shows a json:// path in full
QUERY_TOKEN = "tk_QUERYTOKEN-2b8d4f6a"  # ntfy's `?token=`
PASSWORD = "hunter2-SMTP-pw-5e1c"
KEY = "sk-live-ECHOED-KEY-4d2b"


def test_tokens_and_an_echoed_key_reach_no_output_file_or_prefect_database(
    tmp_path, httpserver, demo_template
):
    echo = json.dumps({"error": "bad filter", "message": f"invalid request for key {KEY}"})
    httpserver.expect_request("/works").respond_with_data(echo, 422)
    httpserver.expect_request(f"/hook/{PATH_TOKEN}").respond_with_data("down", 500)
    httpserver.expect_request("/topic").respond_with_data("down", 500)
    home = tmp_path / "state"
    home.mkdir()
    shutil.copy(demo_template, home / "trendline.db")  # one pending alert message
    base = httpserver.url_for("").rstrip("/").removeprefix("http://")
    urls = [f"alerts,weekly=json://{base}/hook/{PATH_TOKEN}",
            f"alerts=ntfy://{base}/topic?token={QUERY_TOKEN}",
            f"ops=json://trendline:{PASSWORD}@{base}/hook/{PATH_TOKEN}"]
    env = clean_env(home, OPENALEX_API_KEY=KEY, OPENALEX_BASE_URL=f"http://{base}",
                    TRENDLINE_SOURCES__PUBLICATIONS="openalex",
                    TRENDLINE_SOURCES__OPENALEX__MAX_RETRIES="0",
                    TRENDLINE_APPRISE_URLS=" ".join(urls), PREFECT_LOGGING_LEVEL="DEBUG")
    outputs = []
    for args in (["run"], ["deliver"], ["deliver"], ["run"]):  # 3 failures: an incident
        result = trendline(args, env, cwd=tmp_path)
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == 1, outputs[-1]
    said = "\n".join(outputs)
    assert "openalex: failed" in said and "invalid request for key ***" in said
    assert "notify url #1 (tag alerts,weekly) did not accept" in said
    assert "notify url #2 (tag alerts) did not accept" in said
    assert any(r.path.startswith("/hook/") for r, _ in httpserver.log), "nothing was sent"
    engine = make_engine(f"sqlite:///{home / 'trendline.db'}")
    with engine.connect() as conn:
        incidents = dict(conn.execute(sa.text("select key, detail from incidents")).all())
        targets = set(conn.execute(sa.text("select target from outbox_deliveries")).scalars())
    engine.dispose()
    assert "***" in incidents["source:openalex"] and "delivery:alerts" in incidents
    assert targets == {"notify url #1 (tag alerts,weekly)", "notify url #2 (tag alerts)",
                       "notify url #3 (tag ops)"}, targets  # the ops notice went out too
    prefect = Path(env["PREFECT_HOME"])
    files = [p for p in [*home.rglob("*"), *prefect.rglob("*")] if p.is_file()]
    assert any(p.name == "prefect.db" for p in files) and any(p.suffix == ".md" for p in files)
    secrets = (PATH_TOKEN, QUERY_TOKEN, PASSWORD, KEY)
    for secret in secrets:
        assert secret not in said, secret
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{secret[:8]}... in {path}"
    shutil.rmtree(home)


def test_an_unusable_url_is_named_by_position_never_echoed(home, tmp_path):
    env = clean_env(home, TRENDLINE_APPRISE_URLS=(
        f"alerts=json://127.0.0.1/x ops=nosuch://me:{PASSWORD}@host/{PATH_TOKEN}"
        f"?token={QUERY_TOKEN}"))
    result = trendline(["run"], env, cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 2 and out.count("\n") == 1, out
    assert "notify url #2 (tag ops)" in out
    assert not [s for s in (PASSWORD, PATH_TOKEN, QUERY_TOKEN, "nosuch") if s in out], out


def test_the_openalex_url_must_be_https_unless_loopback(home, monkeypatch):
    from click.testing import CliRunner

    from trendline.cli import main

    for url, code in (("http://api.example.org", 2), ("ftp://127.0.0.1", 2),
                      ("http://127.0.0.1:9", 0), ("https://api.example.org", 0)):
        monkeypatch.setenv("OPENALEX_BASE_URL", url)
        result = CliRunner().invoke(main, ["alerts"])
        assert result.exit_code == code, (url, result.output)
        if code:
            assert result.output.count("\n") == 1, result.output
            assert "OPENALEX_BASE_URL: must be an https://" in result.output
