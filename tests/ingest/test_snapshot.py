"""Snapshot ingest on a small generated snapshot in the real record shape."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner
from isal import igzip

from benchmarks.snapshot_data import write_snapshot
from trendline.cli import context
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.core.resources import Resources
from trendline.core.settings import Settings
from trendline.tasks.ingest.sources import openalex_snapshot as snap


def engine_at(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    schema.metadata.create_all(engine)
    return engine


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_ingest_keeps_joint_works_and_resumes(tmp_path):
    root = tmp_path / "works"
    counts = write_snapshot(root, 600, 3, 0.05, seed=3)
    bad = root / "updated_date=2026-09-09" / "part_999.gz"
    bad.parent.mkdir()
    with igzip.open(bad, "wb") as fh:
        fh.write(b'{"id": "W1", "authorships": [{"countries": ["CN", "RU"]\n\n')
    engine = engine_at(tmp_path)
    seen = []
    out = snap.ingest(engine, root, workers=2, progress=seen.append)
    assert out.partitions == 4 == len(seen) and out.read == 601
    assert out.kept == counts["CN+RU"] > 0 and out.errors == 1
    assert count(engine, schema.works) == counts["CN+RU"]
    assert count(engine, schema.snapshot_partitions) == 4
    with engine.connect() as conn:
        sources = set(conn.execute(sa.select(schema.works.c.source)).scalars())
        run = conn.execute(sa.select(schema.refresh_runs)).mappings().one()
    assert sources == {"snapshot"} and run["status"] == "succeeded"
    again = snap.ingest(engine, root, workers=2)
    assert again.partitions == 0 and again.skipped == 4


def test_prefilter_then_precise_check(tmp_path):
    path = tmp_path / "part_000.gz"
    with igzip.open(path, "wb") as fh:
        # mentions "CN" and "RU" but only as text: passes the byte filter, fails the check
        fh.write(b'{"id": "https://openalex.org/W1", "title": "\\"CN\\" vs \\"RU\\"",'
                 b' "authorships": [{"countries": ["US"]}]}\n')
        fh.write(b'{"id": "https://openalex.org/W2", "authorships": [{"countries": ["US"]}]}\n')
        fh.write(b'{"id": "https://openalex.org/W3", "authorships": [{"countries": ["CN"],'
                 b' "institutions": [{"country_code": "CN"}]}, {"countries": ["RU"]}]}\n')
    result = snap.scan_partition(str(path), ("CN", "RU"))
    assert result.read == 3 and [w["id"] for w in result.works] == ["W3"]


def test_ingest_snapshot_command(tmp_path, monkeypatch):
    root = tmp_path / "snap"
    counts = write_snapshot(root, 200, 2, 0.1, seed=5)
    engine = engine_at(tmp_path)
    monkeypatch.setattr(context, "settings", lambda: Settings.model_construct(home=tmp_path))
    monkeypatch.setattr(context, "resources", lambda: Resources(context.settings(), engine))
    from trendline.cli.commands.ingest_snapshot import command

    result = CliRunner().invoke(command, [str(root), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"{counts['CN+RU']} kept" in result.output
    again = CliRunner().invoke(command, [str(root)])
    assert "0 partitions read (2 already done)" in again.output
    assert CliRunner().invoke(command, [str(root), "--countries", "CHN"]).exit_code != 0


def test_ingest_on_a_dask_cluster_by_address(tmp_path):
    from distributed import LocalCluster

    root = tmp_path / "works"
    counts = write_snapshot(root, 300, 3, 0.05, seed=5)
    engine = engine_at(tmp_path)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        out = snap.ingest(engine, root, dask_address=cluster.scheduler_address)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1")
    assert out.partitions == 3 and out.kept == counts["CN+RU"] > 0
    assert count(engine, schema.works) == counts["CN+RU"]


def test_a_truncated_partition_is_named_and_the_others_still_load(tmp_path, monkeypatch):
    root = tmp_path / "works"
    counts = write_snapshot(root, 600, 3, 0.05, seed=4)
    parts = snap.partitions(root)
    data = parts[0].read_bytes()
    parts[0].write_bytes(data[: len(data) // 2])  # truncated mid-stream
    notgz = root / "updated_date=2026-09-10" / "part_000.gz"
    notgz.parent.mkdir()
    notgz.write_bytes(b"this is not gzip at all\n")
    engine = engine_at(tmp_path)
    out = snap.ingest(engine, root, workers=2)
    failed = {p: why for p, why in out.failed}
    assert set(failed) == {str(parts[0].resolve()), str(notgz.resolve())}
    assert "truncated" in failed[str(parts[0].resolve())]
    assert "unreadable" in failed[str(notgz.resolve())]
    assert out.partitions == 2 and count(engine, schema.snapshot_partitions) == 2
    assert 0 < count(engine, schema.works) < counts["CN+RU"]
    with engine.connect() as conn:
        run = conn.execute(sa.select(schema.refresh_runs)).mappings().one()
    assert run["status"] == "failed" and parts[0].name in run["message"]

    monkeypatch.setenv("TRENDLINE_HOME", str(tmp_path / "state"))
    from trendline.cli import main

    result = CliRunner().invoke(main, ["ingest-snapshot", str(root)])
    assert result.exit_code == 1
    assert f"snapshot partition {parts[0].resolve()}: truncated" in result.output
    assert "2 partition(s) failed" in result.output
