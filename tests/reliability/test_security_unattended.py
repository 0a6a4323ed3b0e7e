"""Security of unattended runs: hostile text in every field that reaches a template is
escaped in every HTML output; spreadsheet formulas are neutralised; secrets (an OpenAlex key
and an Apprise password) reach no log, report, Prefect database or error file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from mail_helpers import free_port
from procs_helpers import clean_env, no_leftovers, trendline

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine, utcnow
from trendline.core.resources import Resources
from trendline.tasks.evaluate.evaluation import evaluate_store
from trendline.tasks.publish.report import write_report
from trendline.tasks.publish.weekly import build_weekly

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
# (table, text column): every free-text field the alert report and the weekly summary show
FIELDS = [("works", "title"), ("deals", "target"), ("events", "title"),
          ("organisations", "name"), ("watchlist_entries", "name")]


def test_hostile_text_in_every_field_is_escaped_in_every_html_output(demo_store, settings):
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        for table, column in FIELDS:
            t = schema.metadata.tables[table]
            conn.execute(t.update().values({column: t.c[column] + " " + HOSTILE}))
        for table in ("deals", "events"):
            t = schema.metadata.tables[table]
            conn.execute(t.update().values(source_url="javascript:alert(3)"))
        conn.execute(schema.works.update().values(url="javascript:alert(4)"))
        conn.execute(schema.outbox.delete())
        for table in ("alert_members", "alert_events", "alerts"):  # all fires again, hostile
            conn.execute(schema.metadata.tables[table].delete())
    evaluate_store(Resources(settings, engine))
    write_report(engine, settings, utcnow())
    build_weekly(engine, settings, utcnow())
    with engine.connect() as conn:
        bodies = list(conn.execute(sa.select(schema.outbox.c.body_html)).scalars())
    files = sorted(settings.reports_dir.rglob("*.html"))
    assert files and bodies
    outputs = {str(p): p.read_text(encoding="utf-8") for p in files}
    outputs.update({f"outbox #{i}": b for i, b in enumerate(bodies)})
    reached = 0
    for where, html in outputs.items():
        for marker in RAW_MARKERS:
            assert marker not in html, f"unescaped hostile text in {where}"
        assert 'href="javascript:' not in html.replace("'", '"'), where
        reached += "&lt;script&gt;alert(1)" in html or "&lt;script&gt;alert(1)".lower() in html
    assert reached, "the hostile text reached no HTML output: the test proves nothing"
    engine.dispose()


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t"])
def test_match_orgs_neutralises_formula_cells(prefix, home, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(f'affiliation\n"{prefix}cmd|\' /C calc\'!A0"\nMIPT\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["match-orgs", str(src)])
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()[1:]
    assert rows[0].lstrip('"').startswith("'" + prefix) and rows[1].startswith("MIPT")
    assert not any(r.lstrip('"').startswith(("=", "+", "-", "@")) for r in rows)


def test_secrets_reach_no_log_report_prefect_database_or_error_file(
    tmp_path, httpserver, demo_template
):
    key, password = "sk-live-OPENALEX-9f3a1c", "hunter2-apprise-pw"
    httpserver.expect_request("/works").respond_with_data("down", 503)
    home = tmp_path / "state"
    home.mkdir()
    shutil.copy(demo_template, home / "trendline.db")  # a store the demo filled, going live
    url = (f"mailtos://trendline:{password}@127.0.0.1:{free_port()}/"
           "?from=t@example.org&to=a@example.org")
    env = clean_env(
        home,
        OPENALEX_API_KEY=key,
        OPENALEX_BASE_URL=httpserver.url_for("").rstrip("/"),
        TRENDLINE_SOURCES__PUBLICATIONS="openalex",
        TRENDLINE_SOURCES__OPENALEX__MAX_RETRIES="1",
        TRENDLINE_SOURCES__OPENALEX__BACKOFF_SECONDS="0",
        TRENDLINE_APPRISE_URLS=f"alerts,weekly={url}",
        PREFECT_LOGGING_LEVEL="DEBUG",
    )
    result = trendline(["run"], env, cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out  # OpenAlex failed and the send failed: both said
    assert "openalex: failed" in out and "Messages: 0 sent, " in out and " failed" in out
    assert httpserver.log, "OpenAlex was never asked: the key was never at risk"
    assert key not in out and password not in out
    prefect = Path(env["PREFECT_HOME"])
    files = [p for p in [*home.rglob("*"), *prefect.rglob("*"), *tmp_path.glob("*.log")]
             if p.is_file()]
    assert any(p.name == "prefect.db" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (key, password):
            assert secret.encode() not in data, f"{secret[:6]}... found in {path}"
    assert not no_leftovers(home)
    shutil.rmtree(home)
