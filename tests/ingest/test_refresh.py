"""Refresh bookkeeping: bad input loses nothing, a broken source writes nothing."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.core.settings import DATA_DIR, load_settings
from trendline.tasks.ingest.retry import is_transient
from trendline.tasks.ingest.runner import fetch, run_source
from trendline.tasks.ingest.source import Batch, Source
from trendline.tasks.ingest.sources import screening_list

CSL = screening_list.SOURCE


def refresh_one(engine, settings, source):
    return run_source(Resources(settings, engine), source, sleep=lambda _s: None)


def entries(engine, removed=False):
    t = schema.watchlist_entries
    q = sa.select(sa.func.count()).where(t.c.source == "screening_list")
    q = q.where(t.c.removed_on.is_not(None) if removed else t.c.removed_on.is_(None))
    with engine.connect() as conn:
        return conn.execute(q).scalar_one()


def csl_settings(path, **extra):
    return load_settings(
        None, sources={"watchlists": "live", "screening_list": {"path": str(path), **extra}}
    )


def test_a_short_row_is_rejected_and_the_rest_load(engine, home, tmp_path):
    lines = (DATA_DIR / "demo" / "screening_list.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(3, '"x","Entity List (EL) - Bureau of Industry and Security","short row"')
    path = tmp_path / "csl.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = refresh_one(engine, csl_settings(path), CSL)
    assert out.status == "succeeded" and entries(engine) == 8
    assert [str(r) for r in out.rejects] == [f"{path}:4: row: columns do not match the header"]


def test_a_changed_format_fails_instead_of_emptying_the_list(engine, home, tmp_path):
    good = DATA_DIR / "demo" / "screening_list.csv"
    assert refresh_one(engine, csl_settings(good), CSL).status == "succeeded"
    drifted = tmp_path / "drifted.csv"  # the list names changed: no row is recognised
    drifted.write_text(
        good.read_text(encoding="utf-8").replace("Entity List (EL)", "EL"), encoding="utf-8"
    )
    out = refresh_one(engine, csl_settings(drifted, min_rows=5), CSL)
    assert out.status == "failed" and "minimum of 5" in out.message
    assert entries(engine) == 8 and entries(engine, removed=True) == 0


def test_an_unexpected_error_is_an_outcome_not_a_crash(engine, settings):
    def normalise(raw):
        raise KeyError("surprise")

    broken = Source("broken", fetch=lambda s: {}, normalise=normalise, family="deals")
    out = refresh_one(engine, settings, broken)
    assert out.status == "failed" and "KeyError" in out.message and "nothing written" in out.message
    with engine.connect() as conn:
        run = conn.execute(sa.select(schema.refresh_runs)).mappings().one()
    assert run["status"] == "failed" and run["source"] == "broken"


def test_network_errors_propagate_for_the_flow_to_retry(settings):
    def fetch_down(_settings):
        raise httpx.ConnectError("connection refused")

    flaky = Source("flaky", fetch=fetch_down, normalise=lambda r: Batch(), family="deals")
    with pytest.raises(httpx.ConnectError):
        fetch(settings, flaky, None)
    assert is_transient(httpx.ReadTimeout("slow")) and not is_transient(ValueError("bad"))


def test_going_live_removes_the_demo_rows_and_the_demo_will_not_mix_back(engine, home, tmp_path):
    demo = load_settings()
    assert refresh_one(engine, demo, CSL).status == "succeeded"
    assert entries(engine) == 8
    live_file = tmp_path / "csl.csv"
    lines = (DATA_DIR / "demo" / "screening_list.csv").read_text(encoding="utf-8").splitlines()
    live_file.write_text("\n".join(lines[:1] + lines[-3:]) + "\n", encoding="utf-8")  # 3 entries
    live = refresh_one(engine, csl_settings(live_file), CSL)
    assert live.status == "succeeded" and entries(engine) == 3
    back = refresh_one(engine, demo, CSL)
    assert back.status == "skipped" and "another TRENDLINE_HOME" in back.message
    assert entries(engine) == 3
