"""Safe when served, limits: HTTP bodies are capped (as sent and as they inflate), cursor
paging stops at a page cap or a repeated cursor, each with one line; a screening list cut
to a tenth is held back until confirmed (SQLite and PostgreSQL); reports are written whole
and never through a link; the state folder is private."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from werkzeug import Response

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine, migrate
from trendline.core.resources import Resources
from trendline.core.settings import load_settings
from trendline.tasks.ingest import ingest, run_source
from trendline.tasks.ingest.sources import openalex, screening_list
from trendline.tasks.publish.report import write_report
from trendline.tasks.publish.weekly import build_weekly

FIXTURES = Path(__file__).parents[1] / "fixtures" / "openalex"


def live(monkeypatch, httpserver, **openalex_cfg):
    monkeypatch.setenv("OPENALEX_API_KEY", "key-for-the-limits-test")
    monkeypatch.setenv("OPENALEX_BASE_URL", httpserver.url_for("").rstrip("/"))
    cfg = {"max_retries": 0, "backoff_seconds": 0, **openalex_cfg}
    return load_settings(None, sources={"publications": "openalex", "openalex": cfg})


def counts() -> dict:
    return json.loads((FIXTURES / "group_by_year.json").read_text(encoding="utf-8"))


def refresh_openalex(engine, settings):
    out = run_source(Resources(settings, engine), openalex.SOURCE, sleep=lambda _s: None)
    assert out.status == "failed" and out.message.count("\n") == 0, out
    return out.message


def test_a_response_larger_than_the_cap_fails_the_refresh_in_one_line(
    engine, monkeypatch, httpserver
):
    httpserver.expect_request("/works").respond_with_data("[" + "1," * 40_000 + "1]")
    message = refresh_openalex(engine, live(monkeypatch, httpserver, max_response_mb=0.05))
    assert "larger than 0.05 MB (the limit sources.openalex.max_response_mb)" in message


def test_a_gzip_bomb_is_stopped_as_it_inflates(engine, monkeypatch, httpserver):
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)  # 64 MB in ~64 KB
    assert len(bomb) < 200_000
    httpserver.expect_request("/works").respond_with_response(
        Response(bomb, headers={"Content-Encoding": "gzip",
                                "Content-Type": "application/json"}))
    message = refresh_openalex(engine, live(monkeypatch, httpserver, max_response_mb=1))
    assert "larger than 1 MB" in message


def paging_server(httpserver, next_cursor):
    """Counts answer at once; works pages never end (`next_cursor(n)` names page n+1);
    after 60 pages the server gives up, so a client without limits ends too."""
    served = []

    def works(request):
        if "group_by" in request.args:
            return Response(json.dumps(counts()), content_type="application/json")
        served.append(request.args.get("cursor"))
        results = [] if len(served) > 60 else [
            {"id": f"https://openalex.org/W99900{len(served):05d}", "title": "t",
             "authorships": []}]
        body = {"meta": {"next_cursor": next_cursor(len(served))}, "results": results}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/works").respond_with_handler(works)
    return served


def test_a_repeated_cursor_is_detected(engine, monkeypatch, httpserver):
    served = paging_server(httpserver, lambda n: "c2")
    message = refresh_openalex(engine, live(monkeypatch, httpserver))
    assert "repeated a paging cursor after 2 page(s)" in message and len(served) == 2


def test_paging_stops_at_the_page_cap(engine, monkeypatch, httpserver):
    served = paging_server(httpserver, lambda n: f"c{n + 1}")
    message = refresh_openalex(engine, live(monkeypatch, httpserver, max_pages=5))
    assert "passed 5 pages (the limit sources.openalex.max_pages)" in message
    assert len(served) == 5


def test_a_screening_list_download_larger_than_the_cap_fails_in_one_line(
    engine, monkeypatch, httpserver
):
    httpserver.expect_request("/csl.csv").respond_with_data("x" * 300_000)
    settings = load_settings(None, sources={"watchlists": "live", "screening_list": {
        "url": httpserver.url_for("/csl.csv"), "max_download_mb": 0.1}})
    out = run_source(Resources(settings, engine), screening_list.SOURCE, sleep=lambda _s: None)
    assert out.status == "failed" and "larger than 0.1 MB" in out.message


HEADER = "source,name,addresses,start_date,alt_names,federal_register_notice,source_list_url\n"
LIST = "Entity List (EL) - Bureau of Industry and Security"


def write_list(path: Path, n: int) -> Path:
    rows = [f'"{LIST}","Test Institute {i}","1 Road, Harbin, CN",2020-0{1 + i % 9}-01,,'
            f'"85 FR {i}",https://example.org/el' for i in range(n)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def active(engine) -> tuple[int, int]:
    t, c = schema.watchlist_entries, schema.watchlist_changes
    with engine.connect() as conn:
        live_ = conn.execute(sa.select(sa.func.count()).where(
            t.c.source == "screening_list", t.c.removed_on.is_(None))).scalar_one()
        removed = conn.execute(sa.select(sa.func.count()).where(
            c.c.change == "removed")).scalar_one()
    return live_, removed


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_screening_list_cut_to_a_tenth_is_held_back_until_confirmed(
    home, tmp_path, dialect, request
):
    url = None if dialect == "sqlite" else request.getfixturevalue("pg_url")
    path = tmp_path / "csl.csv"
    settings = load_settings(None, store={"url": url or ""}, sources={
        "watchlists": "live", "screening_list": {"path": str(path)}})
    engine = make_engine(settings.database_url)
    migrate(engine)
    res = Resources(settings, engine)

    def refresh(n: int, confirmed: bool = False):
        write_list(path, n)
        (out,) = ingest(res, ["screening_list"], accept_shrink=confirmed)
        return out

    assert refresh(40).status == "succeeded" and active(engine) == (40, 0)
    assert refresh(36).status == "succeeded" and active(engine) == (36, 4)  # 10%: fine
    cut = refresh(4)
    assert cut.status == "failed" and cut.message.count("\n") == 0
    assert "would remove 32 of the 36 entity_list entries (89%" in cut.message
    assert "--accept-shrink" in cut.message
    assert active(engine) == (36, 4)  # nothing written: no entry marked removed
    assert refresh(4, confirmed=True).status == "succeeded" and active(engine) == (4, 36)
    engine.dispose()


def test_refresh_says_it_held_back_and_accept_shrink_confirms(
    prefect_server, home, tmp_path, monkeypatch
):
    path = tmp_path / "csl.csv"
    monkeypatch.setenv("TRENDLINE_SOURCES__WATCHLISTS", "live")
    monkeypatch.setenv("TRENDLINE_SOURCES__SCREENING_LIST__PATH", str(path))
    write_list(path, 30)
    assert CliRunner().invoke(main, ["refresh", "screening_list"]).exit_code == 0
    write_list(path, 3)
    held = CliRunner().invoke(main, ["refresh", "screening_list"])
    assert held.exit_code == 1 and "held back: this refresh would remove 27 of" in held.output
    done = CliRunner().invoke(main, ["refresh", "screening_list", "--accept-shrink"])
    assert done.exit_code == 0 and "screening_list: succeeded" in done.output, done.output


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_state_folder_is_private_and_the_store_unreadable_to_others(home):
    result = CliRunner().invoke(main, ["alerts"])
    assert result.exit_code == 0, result.output
    assert mode(home) == 0o700
    assert mode(home / "trendline.db") == 0o600
    for extra in ("trendline.db-wal", "trendline.db-shm"):
        if (home / extra).exists():
            assert mode(home / extra) & 0o077 == 0, extra


def test_a_store_left_world_readable_is_made_private(home):
    home.mkdir(parents=True)
    db = home / "trendline.db"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    assert CliRunner().invoke(main, ["alerts"]).exit_code == 0
    assert mode(db) == 0o600


def test_reports_are_written_whole_and_never_through_a_link(demo_store, settings, tmp_path):
    now = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        alert = conn.execute(sa.text("select id from alerts where state = 'firing'")).scalar()
    reports = settings.reports_dir
    planted = [reports / "alerts-2026-11-30.html", reports / "alerts-2026-11-30.md",
               reports / "evidence" / f"{alert}.csv", reports / "weekly-2026-W49" / "summary.md",
               reports / "weekly-2026-W49" / "watchlist-changes.csv"]
    for link in planted:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(victim)
    write_report(engine, settings, now)
    build_weekly(engine, settings, now)
    assert victim.read_text() == "keep me"
    for path in planted:
        assert path.is_file() and not path.is_symlink() and path.stat().st_size > 0, path
    assert not list(reports.rglob(".*.tmp")), "a temporary file was left behind"
    engine.dispose()
