"""Safe when served, commands side by side: `evaluate`, `summary`, `deliver` and `ack` started
while a pipeline runs, on SQLite and PostgreSQL. Each waits its turn or shares the queue;
all succeed; every message reaches the local SMTP server exactly once; the acknowledgement
is kept."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from mail_helpers import free_port, start_smtp
from procs_helpers import clean_env, no_leftovers, start, trendline
from test_overlap import copy_store

from trendline.core.db import make_engine


def wait_until_held(url: str, proc, within: float = 120) -> None:
    """Until the process holds the store lock (its pid in SQLite's lock file, or the
    PostgreSQL lock's session open)."""
    engine = None if url.startswith("sqlite") else sa.create_engine(url)
    lock_file = Path(url.removeprefix("sqlite:///") + ".lock")
    deadline = time.monotonic() + within
    try:
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "never took the lock"
            if engine is None:
                if lock_file.is_file() and lock_file.read_text().strip() == str(proc.pid):
                    return
            else:
                with engine.connect() as conn:
                    if conn.execute(sa.text(
                            "select count(*) from pg_stat_activity "
                            "where application_name = 'trendline store lock' "
                            "and datname = current_database()")).scalar():
                        return
            time.sleep(0.1)
    finally:
        if engine is not None:
            engine.dispose()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_evaluate_summary_deliver_and_ack_beside_a_running_pipeline(
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
    with engine.connect() as conn:
        alert = conn.execute(sa.text(
            "select id from alerts where state = 'firing' order by id limit 1")).scalar_one()
    port = free_port()
    target = f"mailto://127.0.0.1:{port}/?from=t@example.org&to=a@example.org&secure=no"
    env = clean_env(home, TRENDLINE_APPRISE_URLS=f"alerts,weekly={target}",
                    TRENDLINE_STORE__URL=url)
    ctl, inbox = start_smtp(port)
    try:
        pipeline = start(["run"], env)
        wait_until_held(url, pipeline)  # the others start beside a running pipeline
        others = [start(args, env) for args in (
            ["evaluate", "--wait"], ["summary", "--wait"], ["deliver"],
            ["ack", alert, "--note", "seen while a run ran", "--author", "tester"])]
        done = [(p.args[1:], p.wait(timeout=300), p.stdout.read()) for p in [pipeline, *others]]
        assert all(rc == 0 for _, rc, _ in done), done
        final = trendline(["deliver"], env)  # whatever is left (nothing, if all went out)
        assert final.returncode == 0, final.stdout + final.stderr
    finally:
        ctl.stop()
    with engine.connect() as conn:
        sent = set(conn.execute(sa.text("select id from outbox where status = 'sent'"))
                   .scalars())
        pending = conn.execute(sa.text("select count(*) from outbox where status != 'sent'"))
        assert pending.scalar() == 0
        acked = conn.execute(sa.text("select acked_by from alerts where id = :a"),
                             {"a": alert}).scalar()
        weekly = conn.execute(sa.text("select count(*) from outbox where tag = 'weekly'"))
        assert weekly.scalar() == 1
    engine.dispose()
    received = Counter(m["Message-ID"] for m in inbox.messages)
    assert received and max(received.values()) == 1, received  # none twice
    assert set(received) == {f"<{mid}@trendline.invalid>" for mid in sent}  # none lost
    assert acked == "tester"
    assert not no_leftovers(home)
