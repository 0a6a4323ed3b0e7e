"""One retry policy per source (trendline.tasks.ingest.retry, tenacity), against fake servers on
127.0.0.1: transient faults are retried with backoff, permanent ones are not."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from werkzeug import Response

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.core.settings import DATA_DIR, load_settings
from trendline.tasks.ingest.clients.openalex_http import LiveClient
from trendline.tasks.ingest.retry import Policy, Transient
from trendline.tasks.ingest.runner import run_source
from trendline.tasks.ingest.source import SourceError
from trendline.tasks.ingest.sources import all_sources, screening_list

GOOD = (DATA_DIR / "demo" / "screening_list.csv").read_text(encoding="utf-8")


class Script:
    """Answers with the scripted responses in turn, then the good list."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen = 0

    def __call__(self, request):
        self.seen += 1
        return self.answers.pop(0) if self.answers else Response(GOOD, 200)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def csl(home, httpserver, monkeypatch):
    def install(answers=(), url=None):
        script = Script(answers)
        httpserver.expect_request("/csl.csv").respond_with_handler(script)
        monkeypatch.setenv("TRENDLINE_SOURCES__WATCHLISTS", "live")
        monkeypatch.setenv("TRENDLINE_SOURCES__SCREENING_LIST__URL",
                           url or httpserver.url_for("/csl.csv"))
        return script, load_settings()

    return install


def refresh(engine, settings):
    slept: list[float] = []
    out = run_source(Resources(settings, engine), screening_list.SOURCE, sleep=slept.append)
    return out, slept


@pytest.mark.parametrize("fault", [
    Response("down", 503),
    Response("bad gateway", 502),
    Response("slow down", 429),
])
def test_screening_list_retries_5xx_and_429_with_backoff(csl, engine, fault):
    script, settings = csl([fault, fault])
    out, slept = refresh(engine, settings)
    assert out.status == "succeeded" and script.seen == 3
    assert slept == [2.0, 4.0]


def test_screening_list_honours_retry_after(csl, engine):
    script, settings = csl([Response("slow down", 429, {"Retry-After": "7"})])
    out, slept = refresh(engine, settings)
    assert out.status == "succeeded" and slept == [7.0]


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_screening_list_does_not_retry_a_permanent_error(csl, engine, status):
    script, settings = csl([Response("no", status)])
    out, slept = refresh(engine, settings)
    assert out.status == "failed" and script.seen == 1 and slept == []
    assert f"HTTP {status}" in out.message


def test_screening_list_gives_up_after_its_attempts_and_writes_nothing(csl, engine):
    script, settings = csl([Response("down", 503)] * 10)
    out, slept = refresh(engine, settings)
    assert out.status == "failed" and script.seen == 4 and len(slept) == 3
    assert "HTTP 503" in out.message and "after 4 attempt(s)" in out.message
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            schema.watchlist_entries)).scalar_one() == 0


def test_screening_list_retries_a_refused_connection(csl, engine):
    _, settings = csl(url=f"http://127.0.0.1:{closed_port()}/csl.csv")
    out, slept = refresh(engine, settings)
    assert out.status == "failed" and len(slept) == 3 and "ConnectError" in out.message


def test_openalex_retries_a_refused_connection_then_fails_with_one_line():
    slept: list[float] = []
    client = LiveClient(f"http://127.0.0.1:{closed_port()}", "k3y", max_retries=2, backoff=0.25,
                        sleep=slept.append)
    with pytest.raises(SourceError, match="after 3 attempts.*unreachable") as err:
        client.get("/works", {})
    assert client.requests == 3 and slept == [0.25, 0.5] and "k3y" not in str(err.value)


@pytest.mark.parametrize("status", [400, 404, 422])
def test_openalex_does_not_retry_a_client_error(httpserver, status):
    httpserver.expect_request("/works").respond_with_data('{"error": "bad filter"}', status)
    client = LiveClient(httpserver.url_for(""), "k3y", max_retries=3, backoff=0)
    with pytest.raises(SourceError, match=f"HTTP {status}"):
        client.get("/works", {})
    assert client.requests == 1


def test_the_policies_come_from_settings_and_files_are_not_retried(home):
    settings = load_settings()
    client = LiveClient.from_settings(settings)  # OpenAlex retries each request itself
    assert client.policy.attempts == settings.sources.openalex.max_retries + 1
    client.close()
    sources = all_sources()
    assert sources["openalex"].retry(settings) == (1, 0.0)
    assert sources["screening_list"].retry(settings) == (4, 2.0)
    assert sources["cnki"].retry(settings)[0] == 1
    calls = []

    def flaky():
        calls.append(1)
        raise Transient("blip")

    with pytest.raises(Transient):
        Policy(3, 0, sleep=lambda s: None).call(flaky)
    assert len(calls) == 3
