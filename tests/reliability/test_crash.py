"""Crash safety: commands killed with SIGKILL at seeded random points. Afterwards the store
equals an uninterrupted run's, nothing they started is left running, and the next run
succeeds the first time.

Trials: 3 x `trendline run`, 8 x `import-deals`, 6 x `ingest-snapshot`, 4 x `deliver` (21;
each test requires all but one or two of its trials to end by SIGKILL, not by finishing)."""

from __future__ import annotations

import random
import shutil
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from mail_helpers import free_port, start_smtp
from procs_helpers import clean_env, kill, no_leftovers, start, trendline

from benchmarks.snapshot_data import write_snapshot
from trendline.core.db import make_engine, table_counts, utcnow
from trendline.core.settings import DATA_DIR
from trendline.tasks.publish import outbox

SEED = 20261129
DEAL_FILES = [*sorted((DATA_DIR / "demo" / "crunchbase").glob("*.csv")),
              DATA_DIR / "curated" / "deals.csv", DATA_DIR / "curated" / "deals.yaml"]


def counts(home) -> dict[str, int]:
    engine = make_engine(f"sqlite:///{home / 'trendline.db'}")
    try:
        return table_counts(engine)
    finally:
        engine.dispose()


def kill_trials(args, env, home, n, rng, low, high, seen, before=None, min_killed=None):
    for i in range(n):
        if before:
            before(i)
        proc = start(args, env)
        at = rng.uniform(low, high)
        deadline = time.monotonic() + at
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        finished = proc.poll() is not None
        if not finished:
            kill(proc)
        seen.append((args[0], round(at, 2), "finished" if finished else "killed"))
        left = no_leftovers(home)
        assert not left, f"trial {i} ({args[0]} killed at {at:.2f} s) left {left}"
    killed = sum(1 for s in seen[-n:] if s[2] == "killed")
    want = n - 1 if min_killed is None else min_killed
    assert killed >= want, f"most trials must end by SIGKILL, not by finishing: {seen}"


def timed(args, env):
    started = time.monotonic()
    done = trendline(args, env)
    assert done.returncode == 0, done.stdout + done.stderr
    return time.monotonic() - started


def test_killed_runs_resume_to_the_uninterrupted_store(tmp_path, demo_template):
    rng = random.Random(SEED)
    home = tmp_path / "state"
    env = clean_env(home)
    seen: list = []
    kill_trials(["run"], env, home, 3, rng, 0.5, 7.0, seen)
    again = trendline(["run"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert counts(home) == counts(demo_template.parent), seen
    assert not no_leftovers(home)
    assert not (home / "errors.log").exists()


def bulk_rounds(path, rows: int) -> Path:
    """A Crunchbase funding-rounds export of `rows` distinct rounds (long enough to be killed
    while it writes)."""
    head, *demo = (DATA_DIR / "demo" / "crunchbase" / "funding_rounds.csv").read_text(
        encoding="utf-8").splitlines()
    out = [head]
    for i in range(rows):
        cells = demo[i % len(demo)].split(",")
        cells[0], cells[3] = str(uuid.UUID(int=i + 1)), f"bulk-{i}"
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_killed_imports_resume_to_the_uninterrupted_store(tmp_path):
    rng = random.Random(SEED + 1)
    args = ["import-deals", str(bulk_rounds(tmp_path / "rounds.csv", 20_000)),
            *map(str, DEAL_FILES)]
    ref = tmp_path / "ref"
    took = timed(args, clean_env(ref))
    home = tmp_path / "state"
    env = clean_env(home)
    seen: list = []
    kill_trials(args, env, home, 8, rng, 0.8, 0.65 * took, seen, min_killed=6)
    again = trendline(args, env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert counts(home) == counts(ref), seen


def test_killed_snapshot_ingests_resume_to_the_uninterrupted_store(tmp_path):
    rng = random.Random(SEED + 2)
    full = tmp_path / "full"
    write_snapshot(full, 36_000, 18, 0.05, seed=5)
    parts = sorted(full.glob("*/*.gz"))
    ref = tmp_path / "ref"
    took = timed(["ingest-snapshot", str(full), "--workers", "2"], clean_env(ref))
    root = tmp_path / "works"  # grows by 3 partitions before each trial: always new work
    args = ["ingest-snapshot", str(root), "--workers", "2"]

    def new_partitions(trial):
        for part in parts[3 * trial: 3 * trial + 3]:
            (root / part.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(part, root / part.parent.name / part.name)

    home = tmp_path / "state"
    env = clean_env(home)
    seen: list = []
    startup = 0.7  # seconds before the command reads its first partition
    kill_trials(args, env, home, 6, rng, startup, startup + 0.8 * (took - startup) / 6, seen,
                before=new_partitions)
    again = trendline(args, env)
    assert again.returncode == 0, again.stdout + again.stderr
    want, got = counts(ref), counts(home)
    # refresh_runs: one row per ingest started (killed ones stay "running"); the data match
    want.pop("refresh_runs"), got.pop("refresh_runs")
    assert got == want, seen


def test_killed_deliveries_lose_nothing_and_repeat_only_with_the_same_message_id(
    tmp_path, demo_template, monkeypatch
):
    rng = random.Random(SEED + 3)
    home = tmp_path / "state"
    home.mkdir()
    shutil.copy(demo_template, home / "trendline.db")
    engine = make_engine(f"sqlite:///{home / 'trendline.db'}")
    bodies = {"txt": "t", "html": "<p>h</p>", "md": "m"}

    def more_mail(trial):
        """Each trial has mail to send: a new message, and the killed one's lease expired."""
        with engine.begin() as conn:
            outbox.enqueue(conn, f"crash:{trial}", "alerts", f"message {trial}", bodies, [],
                           utcnow())
            conn.exec_driver_sql("update outbox_leases set expires_at = '2000-01-01 00:00:00'")

    port = free_port()
    url = f"mailto://127.0.0.1:{port}/?from=t@example.org&to=a@example.org&secure=no"
    env = clean_env(home, TRENDLINE_APPRISE_URLS=f"alerts={url}")
    ctl, inbox = start_smtp(port)
    seen: list = []
    try:
        kill_trials(["deliver"], env, home, 4, rng, 1.5, 6.0, seen, before=more_mail)
        # the killed ones may hold leases: they expire; the next deliver waits for none
        with engine.begin() as conn:
            conn.exec_driver_sql("update outbox_leases set expires_at = '2000-01-01 00:00:00'")
        final = trendline(["deliver"], env)
    finally:
        ctl.stop()
    assert final.returncode == 0, final.stdout + final.stderr
    with engine.connect() as conn:
        assert set(conn.exec_driver_sql("select status from outbox").scalars()) == {"sent"}
        ids = set(conn.exec_driver_sql("select id from outbox").scalars())
    received = [m["Message-ID"] for m in inbox.messages]
    assert {f"<{i}@trendline.invalid>" for i in ids} == set(received), seen
    assert len(received) - len(set(received)) <= 4  # a repeat only after a kill
    engine.dispose()


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])


def test_an_ingest_left_running_is_marked_interrupted_by_the_next(tmp_path):
    from trendline.core import schema
    from trendline.core.db import migrate
    from trendline.tasks.ingest.sources import openalex_snapshot as snap

    root = tmp_path / "works"
    write_snapshot(root, 200, 2, 0.05, seed=9)
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    from trendline.core.db import utcnow
    from trendline.tasks.ingest.runs import start_run

    with engine.begin() as conn:  # as a SIGKILL leaves it
        killed = start_run(conn, snap.NAME, "file", utcnow())
    snap.ingest(engine, root, workers=1)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(schema.refresh_runs.c.id,
                                           schema.refresh_runs.c.status)).all())
    assert rows.pop(killed) == "failed" and set(rows.values()) == {"succeeded"}
    engine.dispose()
