"""The live OpenAlex source against a fake OpenAlex on 127.0.0.1 (no internet)."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from werkzeug import Response

from trendline.core.settings import OpenAlexConfig, Settings, SourcesConfig
from trendline.tasks.ingest.clients.openalex_http import LiveClient, redact
from trendline.tasks.ingest.source import SourceError
from trendline.tasks.ingest.sources import openalex

FIXTURES = Path(__file__).parents[1] / "fixtures" / "openalex"
KEY = "sekrit-key-123"


def page_body() -> dict:
    return json.loads((FIXTURES / "works_page.json").read_text(encoding="utf-8"))


def group_body() -> dict:
    return json.loads((FIXTURES / "group_by_year.json").read_text(encoding="utf-8"))


def live_settings(url: str, **cfg) -> Settings:
    oa = OpenAlexConfig(backoff_seconds=0.0, max_retries=3, timeout_seconds=2.0, **cfg)
    return Settings.model_construct(
        sources=SourcesConfig(publications="openalex", openalex=oa),
        openalex_api_key=SecretStr(KEY),
        openalex_base_url=url,
    )


class FakeOpenAlex:
    """Answers group_by counts and two cursor pages; optional scripted faults first."""

    def __init__(self, faults=()):
        self.faults = list(faults)
        self.seen: list[dict] = []

    def __call__(self, request):
        args = request.args.to_dict()
        self.seen.append(args)
        if self.faults:
            return self.faults.pop(0)
        headers = {"X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99000"}
        if "group_by" in args:
            body = group_body()
        else:
            body = page_body()
            if args.get("cursor") == "*":
                body["results"] = body["results"][:2]
                body["meta"]["next_cursor"] = "c2"
            else:
                body["results"] = body["results"][2:]
        return Response(json.dumps(body), 200, headers, content_type="application/json")


@pytest.fixture
def fake(httpserver):
    def install(faults=()):
        handler = FakeOpenAlex(faults)
        httpserver.expect_request("/works").respond_with_handler(handler)
        return handler

    return install


def test_refresh_pages_and_counts(httpserver, fake):
    server = fake()
    settings = live_settings(httpserver.url_for("").rstrip("/"))
    raw = openalex.fetch(settings)
    batch = openalex.normalise(raw)
    assert raw.requests == len(openalex.SERIES) + 2
    assert all(s["api_key"] == KEY for s in server.seen)
    counts = batch.tables["publication_counts"]
    assert {c["series"] for c in counts} == set(openalex.SERIES)
    assert all(KEY not in c["query_url"] and "group_by=publication_year" in c["query_url"]
               for c in counts)
    pages = [s for s in server.seen if "cursor" in s]
    assert [p["cursor"] for p in pages] == ["*", "c2"]
    assert pages[0]["select"] == openalex.SELECT and pages[0]["per_page"] == "100"
    works = {w["id"]: w for w in batch.tables["works"]}
    assert len(works) == 4
    joint = [w for w in works.values() if {"CN", "RU"} <= set(w["countries"])]
    assert len(joint) == 2
    assert works["W2741809807"]["is_top10"] is True and works["W2741809807"]["fwci"] == 76.282
    assert works["W2897157249"]["is_top10"] is True  # from cited_by_percentile_year
    assert any(a["ror_id"] for a in batch.tables["authorships"])
    assert "budget left 99000" in "; ".join(batch.notes)


def test_retries_5xx_timeout_and_per_second_429(httpserver, fake):
    faults = [
        Response("oops", 503),
        Response('{"error":"Rate limit exceeded"}', 429,
                 {"Retry-After": "1", "X-RateLimit-Remaining": "5000"}),
        Response("bad gateway", 502),
    ]
    server = fake(faults)
    slept: list[float] = []
    client = LiveClient(httpserver.url_for(""), KEY, max_retries=3, backoff=0.5,
                        sleep=slept.append)
    body = client.get("/works", {"filter": "x", "group_by": "publication_year"})
    assert body["group_by"][0]["key"] == "2019"
    assert client.requests == 4 and len(server.seen) == 4
    assert slept == [0.5, 1.0, 2.0]  # exponential, Retry-After honoured for the 429


def test_spent_daily_budget_stops_cleanly(httpserver, fake):
    spent = Response('{"error":"Rate limit exceeded","message":"daily credits used"}', 429,
                     {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-30T00:00Z"})
    fake([Response(json.dumps(group_body()), 200, content_type="application/json"), spent])
    settings = live_settings(httpserver.url_for("").rstrip("/"))
    with pytest.raises(SourceError, match="daily budget is spent") as err:
        openalex.fetch(settings)
    assert KEY not in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key(httpserver, fake, status):
    fake([Response('{"error":"Invalid API key"}', status)])
    client = LiveClient(httpserver.url_for(""), KEY, backoff=0)
    with pytest.raises(SourceError, match="refused the API key"):
        client.get("/works", {"filter": "x"})
    assert client.requests == 1


def test_gives_up_after_retries(httpserver, fake):
    fake([Response("down", 500)] * 5)
    client = LiveClient(httpserver.url_for(""), KEY, max_retries=2, backoff=0)
    with pytest.raises(SourceError, match="after 3 attempts"):
        client.get("/works", {})


def test_timeout_is_retried():
    import httpx

    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"results": []})

    client = LiveClient("http://127.0.0.1:9", KEY, backoff=0,
                        transport=httpx.MockTransport(handler))
    assert client.get("/works", {}) == {"results": []}
    assert client.requests == 2


def test_key_never_logged(httpserver, fake, caplog):
    fake()
    caplog.set_level(logging.DEBUG)
    client = LiveClient(httpserver.url_for(""), KEY, backoff=0)
    client.get("/works", {"filter": "x"})
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]
    assert any("api_key=***" in m for m in ours)  # httpx logged the request, masked
    assert not any(KEY in m for m in ours) and KEY not in repr(client)
    assert redact(f"https://x/works?api_key={KEY}&a=1") == "https://x/works?api_key=***&a=1"


def test_without_key_skips():
    settings = Settings.model_construct(sources=SourcesConfig(publications="openalex"))
    with pytest.raises(openalex.Skip, match="OPENALEX_API_KEY"):
        openalex.fetch(settings)


def test_too_few_works_fails(httpserver, fake):
    fake()
    settings = live_settings(httpserver.url_for("").rstrip("/"), min_works=50)
    with pytest.raises(SourceError, match="min_works"):
        openalex.fetch(settings)


def test_demo_replay():
    settings = Settings.model_construct()
    batch = openalex.normalise(openalex.fetch(settings))
    assert batch.mode == "demo" and len(batch.tables["works"]) > 1000
    assert all(w["is_demo"] for w in batch.tables["works"])


def test_work_rows_on_real_record():
    item = copy.deepcopy(page_body()["results"][3])
    work, auths = openalex.work_rows(item)
    assert work["id"] == "W2741809807" and work["topics"][0]["subfield_id"] == "1804"
    assert {a["institution_index"] for a in auths} >= {0}
