"""Safe when served, the store: text longer than a column allows never stops a refresh on
PostgreSQL (free text is unbounded, a malformed code is one rejected row, a write the
database refuses anyway fails that source only); a dropped connection of the PostgreSQL
lock stops the run in one line before its next stage; two first runs migrate one schema."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from procs_helpers import clean_env, no_leftovers, start

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine, migrate
from trendline.core.locks import LockLost, store_lock
from trendline.core.resources import Resources
from trendline.core.settings import load_settings
from trendline.tasks.ingest import run_source
from trendline.tasks.ingest.source import Batch, given
from trendline.tasks.pipeline import pipeline

LONG_TYPE = "学位论文 / Doctoral dissertation (full text, CNKI China Doctoral Dissertations)"
LONG_DOI = "10.5555/" + "x" * 300


def pg_resources(url: str) -> Resources:
    engine = make_engine(url)
    migrate(engine)
    return Resources(load_settings(None, store={"url": url}), engine)


def test_long_outside_text_fits_and_a_malformed_code_is_one_reject(home, pg_url):
    res = pg_resources(pg_url)
    work = {"id": "W9990009999", "source": "openalex", "doi": LONG_DOI, "title": "t",
            "type": LONG_TYPE, "language": "zh-Hans-CN-x-long", "countries": [],
            "is_demo": False}
    auth = {"work_id": "W9990009999", "author_position": 0, "institution_index": 0,
            "author_name": "A" * 400, "institution_name": "x", "country_code": "CHN"}
    batch = Batch(tables={"works": [work], "authorships": [auth]}, read=2, mode="file")
    out = run_source(res, given("import:long-fields"), raw=batch)
    assert out.status == "succeeded", out.message
    (reject,) = out.rejects
    assert reject.field == "country_code" and "longer than the 2 the store keeps" in str(reject)
    with res.engine.connect() as conn:
        row = conn.execute(sa.select(schema.works)).mappings().one()
    assert row["doi"] == LONG_DOI and row["type"] == LONG_TYPE
    res.engine.dispose()


def test_a_cnki_type_and_long_silence_fields_on_postgresql(home, pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRENDLINE_STORE__URL", pg_url)
    export = tmp_path / "long.net"
    export.write_text(f"{{Reference Type}}: {LONG_TYPE}\n{{Title}}: 深度学习的目标检测\n"
                      "{Author}: 作者甲\n{Author Address}: 哈尔滨工业大学\n{Year}: 2024\n"
                      "{Keywords}: 深度学习;人工智能\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-cnki", str(export)])
    assert result.exit_code == 0, result.output
    assert "cnki: succeeded" in result.output
    result = CliRunner().invoke(main, ["silence", "add", "--indicator", "research.*",
                                       "--period", "20[0-9][0-9]" * 10, "--author", "B" * 300,
                                       "--reason", "long fields"])
    assert result.exit_code == 0, result.output
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.works.c.type)).scalar() == LONG_TYPE
        assert len(conn.execute(sa.select(schema.silences.c.author)).scalar()) == 300
    engine.dispose()


def test_a_write_the_database_refuses_fails_that_source_only(home, pg_url):
    res = pg_resources(pg_url)

    def bad_load(conn, batch, run_id, now):  # past the pre-write check: still one source
        conn.execute(schema.organisations.insert().values(
            id="x" * 200, name="n", source="test"))
        return 1

    bad = run_source(res, given("import:bad", load=bad_load), raw=Batch(read=1, mode="file"))
    good = run_source(res, given("import:good"), raw=Batch(read=0, mode="file"))
    assert bad.status == "failed" and good.status == "succeeded"
    assert bad.message.count("\n") == 0 and "the store refused the write" in bad.message
    with res.engine.connect() as conn:
        runs = dict(conn.execute(sa.text("select source, status from refresh_runs")).all())
    assert runs == {"import:bad": "failed", "import:good": "succeeded"}
    res.engine.dispose()


def terminate_lock_session(url: str) -> int:
    database = url.rsplit("/", 1)[1]
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        n = len(conn.execute(sa.text(
            "select pg_terminate_backend(a.pid) from pg_stat_activity a "
            "join pg_locks l on l.pid = a.pid and l.locktype = 'advisory' and l.granted "
            "where a.application_name = 'trendline store lock' and a.datname = :d"),
            {"d": database}).all())
    admin.dispose()
    return n


def test_a_dropped_lock_connection_stops_the_pipeline_before_its_next_stage(home, pg_url):
    res = pg_resources(pg_url)
    ran: list[str] = []

    def step(name, fn):
        ran.append(name)
        if len(ran) == 1:  # during the first refresh: the lock's connection drops
            assert terminate_lock_session(pg_url) == 1
        return fn()

    with pytest.raises(LockLost, match="stopped before resolve"):
        with store_lock(pg_url):  # leaving it after the loss raises nothing else
            pipeline(res, step=step)
    assert "resolve" not in ran and all(n.startswith("refresh-") for n in ran)
    with res.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from indicator_values")).scalar() == 0
    with store_lock(pg_url):  # the lock is free again
        pass
    res.engine.dispose()


def test_trendline_run_whose_lock_connection_drops_exits_1_in_one_line(tmp_path, pg_url):
    home = tmp_path / "state"
    env = clean_env(home, TRENDLINE_STORE__URL=pg_url)
    proc = start(["run"], env)
    deadline = time.monotonic() + 60
    while not terminate_lock_session(pg_url):
        assert time.monotonic() < deadline and proc.poll() is None, "the lock never showed"
        time.sleep(0.1)
    rc, out = proc.wait(timeout=240), proc.stdout.read()
    assert rc == 1, out
    assert out.strip().count("\n") == 0 and "lost the lock on the store postgresql" in out, out
    assert "Traceback" not in out
    assert not no_leftovers(home)


def test_two_first_runs_migrate_one_schema(pg_url):
    barrier, errors = threading.Barrier(2), []

    def first_run():
        engine = make_engine(pg_url)
        try:
            barrier.wait()
            migrate(engine)
        except Exception as exc:  # what the race used to raise: DuplicateTable and such
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=first_run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from alembic_version")).scalar() == 1
        assert conn.execute(sa.text("select count(*) from works")).scalar() == 0
    engine.dispose()
