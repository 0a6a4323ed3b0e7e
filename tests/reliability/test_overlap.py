"""Overlap: two pipelines and two deliverers started together, on SQLite and PostgreSQL.
One pipeline proceeds and the other says in one line that the store is held; the store
equals a single run's; every message arrives exactly once at a local SMTP server."""

from __future__ import annotations

import shutil
import threading

import pytest
import sqlalchemy as sa
from mail_helpers import free_port, start_smtp
from procs_helpers import clean_env, no_leftovers, start

from trendline.core.db import make_engine, table_counts, utcnow
from trendline.tasks.publish import outbox


def together(args_list, envs):
    procs = [None] * len(args_list)
    barrier = threading.Barrier(len(args_list))

    def go(i):
        barrier.wait()
        procs[i] = start(args_list[i], envs[i])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(args_list))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [(p.wait(timeout=240), p.stdout.read()) for p in procs]


def refresh_records(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.text(
            "select source, status, rows_read, rows_written from refresh_runs")).all())


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_two_pipelines_at_once_one_proceeds(tmp_path, dialect, request, demo_template):
    home = tmp_path / "state"
    extra = {}
    if dialect == "postgresql":
        extra["TRENDLINE_STORE__URL"] = request.getfixturevalue("pg_url")
    env = clean_env(home, **extra)
    (rc1, out1), (rc2, out2) = together([["run"], ["run"]], [env, env])
    assert sorted([rc1, rc2]) == [0, 1], out1 + out2
    loser = out1 if rc1 else out2
    assert loser.strip().count("\n") == 0 and "another run holds the store" in loser
    url = extra.get("TRENDLINE_STORE__URL") or f"sqlite:///{home / 'trendline.db'}"
    engine = make_engine(url)
    ref = make_engine(f"sqlite:///{demo_template}")
    try:
        assert table_counts(engine) == table_counts(ref)
        assert refresh_records(engine) == refresh_records(ref)
    finally:
        engine.dispose()
        ref.dispose()
    assert not no_leftovers(home)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_two_deliverers_at_once_send_every_message_exactly_once(
    tmp_path, dialect, request, demo_template
):
    home = tmp_path / "state"
    home.mkdir()
    if dialect == "sqlite":
        shutil.copy(demo_template, home / "trendline.db")
        url = f"sqlite:///{home / 'trendline.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        copy_store(f"sqlite:///{demo_template}", url)
    engine = make_engine(url)
    bodies = {"txt": "t", "html": "<p>h</p>", "md": "m"}
    with engine.begin() as conn:
        for i in range(3):
            outbox.enqueue(conn, f"overlap:{i}", "alerts", f"message {i}", bodies, [], utcnow())
        ids = set(conn.execute(sa.text("select id from outbox")).scalars())
    port = free_port()
    target = f"mailto://127.0.0.1:{port}/?from=t@example.org&to=a@example.org&secure=no"
    env = clean_env(home, TRENDLINE_APPRISE_URLS=f"alerts={target}", TRENDLINE_STORE__URL=url)
    ctl, inbox = start_smtp(port)
    try:
        results = together([["deliver"], ["deliver"]], [env, env])
    finally:
        ctl.stop()
    assert [rc for rc, _ in results] == [0, 0], results
    received = sorted(m["Message-ID"] for m in inbox.messages)
    assert received == sorted(f"<{i}@trendline.invalid>" for i in ids), results
    with engine.connect() as conn:
        assert set(conn.execute(sa.text("select status from outbox")).scalars()) == {"sent"}
    engine.dispose()


def copy_store(src_url: str, dst_url: str) -> None:
    """The demo store's rows into a migrated PostgreSQL database."""
    from trendline.core import schema
    from trendline.core.db import migrate

    src, dst = make_engine(src_url), make_engine(dst_url)
    migrate(dst)
    with src.connect() as a, dst.begin() as b:
        for table in schema.metadata.sorted_tables:
            rows = [dict(r) for r in a.execute(sa.select(table)).mappings()]
            if rows:
                b.execute(table.insert(), rows)
    src.dispose()
    dst.dispose()
