"""The workspace over the demo store, through Starlette's test client (no socket)."""

import pytest


@pytest.fixture
def web_res(demo_store, settings):
    from trendline.core.resources import open_resources

    return open_resources(settings)


@pytest.fixture
def client(web_res):
    from starlette.testclient import TestClient

    from trendline.web.app import create_app

    with TestClient(create_app(web_res), base_url="http://127.0.0.1") as c:
        yield c
