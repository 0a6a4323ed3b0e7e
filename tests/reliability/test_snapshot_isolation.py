"""Snapshot parts are isolated: a bad record is a reject of its line, a gzip bomb stops at
the line cap, a killed worker fails its own part only, a write the store refuses fails that
part only, and a part replaced by another of the same size is read again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zlib

import sqlalchemy as sa
from isal import igzip

from benchmarks.snapshot_data import write_snapshot
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.tasks.ingest.sources import openalex_snapshot as snap

JOINT = (b'"authorships": [{"countries": ["CN"], "institutions": [{"country_code": "CN"}]},'
         b' {"countries": ["RU"], "institutions": [{"country_code": "RU"}]}]')


def engine_at(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    schema.metadata.create_all(engine)
    return engine


def stored_ids(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(schema.works.c.id)).scalars())


def write_lines(path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with igzip.open(path, "wb") as fh:
        fh.write(b"\n".join(lines) + b"\n")


def test_records_without_an_id_or_with_odd_types_are_rejects_of_their_line(tmp_path):
    part = tmp_path / "works" / "updated_date=2026-01-01" / "part_0000.gz"
    write_lines(part, [
        b'{"id": "https://openalex.org/W1", ' + JOINT + b"}",
        b"{" + JOINT + b"}",  # no id
        b'{"id": "https://openalex.org/W3", "publication_year": "soon", ' + JOINT + b"}",
        b'{"id": 4, ' + JOINT + b"}",
        b'{"id": "https://openalex.org/W5", "citation_normalized_percentile": {"value": "x"}, '
        + JOINT + b"}",
        b'{"id": "https://openalex.org/W6", ' + JOINT + b"}",
    ])
    engine = engine_at(tmp_path)
    for workers in (1, 2):  # in this process and in a worker
        out = snap.ingest(engine_at(tmp_path / str(workers)), tmp_path / "works",
                          workers=workers)
        assert not out.failed and out.kept == 2 and out.errors == 4
        where = {(r.line, r.field) for r in out.rejects}
        assert where == {(2, "id"), (3, "publication_year"), (4, "id"),
                         (5, "citation_normalized_percentile.value")}
        assert all(r.file == str(part.resolve()) for r in out.rejects)
    out = snap.ingest(engine, tmp_path / "works", workers=1)
    assert stored_ids(engine) == {"W1", "W6"}
    with engine.connect() as conn:
        run = conn.execute(sa.select(schema.refresh_runs)).mappings().one()
    assert run["status"] == "succeeded" and run["rows_rejected"] == 4
    assert f"{part.resolve()}:2: id:" in run["message"]


def test_a_gzip_bomb_stops_at_the_line_cap_with_memory_bounded(tmp_path):
    part = tmp_path / "works" / "updated_date=2026-01-01" / "part_0000.gz"
    part.parent.mkdir(parents=True)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip: 1 GiB of one byte, no newline
    block = b"A" * (1 << 20)
    with open(part, "wb") as fh:
        for _ in range(1024):
            fh.write(squeeze.compress(block))
        fh.write(squeeze.flush())
    assert part.stat().st_size < 2 << 20
    # in a fresh process, its peak from /proc (VmHWM): ru_maxrss would carry the forking
    # test session's size into the child
    probe = (
        "import re, sys\n"
        "from trendline.tasks.ingest.sources import openalex_snapshot as snap\n"
        "r = snap.scan_partition(sys.argv[1], ('CN', 'RU'), cap=16 << 20)\n"
        "print(r.failed)\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status)[1])\n")
    done = subprocess.run([sys.executable, "-c", probe, str(part)], capture_output=True,
                          text=True, check=True)
    failed, peak_kib = done.stdout.strip().splitlines()[-2:]
    assert "after line 0: a line passes 16 MiB decompressed without ending" in failed
    assert int(peak_kib) / 1024 < 400  # the 1 GiB line was never held
    good = tmp_path / "works" / "updated_date=2026-01-02" / "part_0000.gz"
    write_lines(good, [b'{"id": "https://openalex.org/W7", ' + JOINT + b"}"])
    engine = engine_at(tmp_path)
    out = snap.ingest(engine, tmp_path / "works", workers=2)
    assert [p for p, _ in out.failed] == [str(part.resolve())] and out.kept == 1


def killing_scan(path, **kwargs):
    """A worker killed while reading one part (as the out-of-memory killer does)."""
    if "2026-01-02" in path:
        os.kill(os.getpid(), signal.SIGKILL)
    return REAL_SCAN(path, **kwargs)


REAL_SCAN = snap.scan_partition


def test_a_killed_worker_fails_its_own_partition_and_the_pool_is_rebuilt(tmp_path,
                                                                         monkeypatch):
    root = tmp_path / "works"
    counts = write_snapshot(root, 900, 6, 0.05, seed=8)  # updated_date=2026-01-01 .. -06-01
    victim = root / "updated_date=2026-01-02" / "part_0000.gz"
    write_lines(victim, [b'{"id": "https://openalex.org/W1", ' + JOINT + b"}"])
    monkeypatch.setattr(snap, "scan_partition", killing_scan)  # workers are forked
    engine = engine_at(tmp_path)
    out = snap.ingest(engine, root, workers=2)
    assert [p for p, _ in out.failed] == [str(victim.resolve())]
    assert "worker process died" in out.failed[0][1]
    assert out.partitions == 6 and out.kept == counts["CN+RU"]
    monkeypatch.setattr(snap, "scan_partition", REAL_SCAN)
    again = snap.ingest(engine, root, workers=2)  # the next ingest retries it
    assert again.partitions == 1 and again.skipped == 6 and not again.failed
    assert "W1" in stored_ids(engine)


def test_a_write_the_store_refuses_fails_that_partition_only(tmp_path):
    root = tmp_path / "works"
    write_lines(root / "updated_date=2026-01-01" / "part_0000.gz",
                [b'{"id": "https://openalex.org/W1", ' + JOINT + b"}"])
    write_lines(root / "updated_date=2026-01-02" / "part_0000.gz",
                [b'{"id": "https://openalex.org/W2", ' + JOINT + b"}"])
    engine = engine_at(tmp_path)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER no_w2 BEFORE INSERT ON works WHEN NEW.id = 'W2' "
                             "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")
    out = snap.ingest(engine, root, workers=1)
    assert len(out.failed) == 1 and "2026-01-02" in out.failed[0][0]
    assert "the store refused its write" in out.failed[0][1]
    assert "refused by a test trigger" in out.failed[0][1] and "\n" not in out.failed[0][1]
    assert stored_ids(engine) == {"W1"}


def test_a_part_replaced_by_another_of_the_same_size_is_read_again(tmp_path):
    part = tmp_path / "works" / "updated_date=2026-01-01" / "part_0000.gz"
    write_lines(part, [b'{"id": "https://openalex.org/W11", ' + JOINT + b"}"])
    engine = engine_at(tmp_path)
    assert snap.ingest(engine, tmp_path / "works", workers=1).kept == 1
    size, mtime = part.stat().st_size, part.stat().st_mtime_ns
    for n in range(12, 100):  # another work whose part compresses to the same size
        write_lines(part, [b'{"id": "https://openalex.org/W%d", ' % n + JOINT + b"}"])
        if part.stat().st_size == size:
            break
    os.utime(part, ns=(mtime, mtime))  # same size, same time: only the bytes differ
    assert part.stat().st_size == size
    out = snap.ingest(engine, tmp_path / "works", workers=1)
    assert out.partitions == 1 and out.skipped == 0
    assert {"W11", f"W{n}"} <= stored_ids(engine)
    assert snap.ingest(engine, tmp_path / "works", workers=1).skipped == 1


def test_line_numbers_hold_across_blocks_blank_lines_and_gzip_members(tmp_path, monkeypatch):
    from trendline.tasks.ingest.parsing import snapshot_lines

    monkeypatch.setattr(snapshot_lines, "CHUNK", 97)  # lines cut across many blocks
    part = tmp_path / "updated_date=2026-01-01" / "part_0000.gz"
    write_lines(part, [b'{"id": "https://openalex.org/W1", ' + JOINT + b"}", b"",
                       b'{"id": "https://openalex.org/W2", "title": "no countries"}'])
    with open(part, "ab") as fh:  # a second gzip member, as concatenated parts have
        fh.write(igzip.compress(b'{"id": "https://openalex.org/W3", "publication_year": '
                                b'"x", ' + JOINT + b"}\n"))
    result = snap.scan_partition(str(part), ("CN", "RU"))
    assert not result.failed and result.read == 3 and result.lines == 4
    assert sorted(result.seen) == [1, 2, 3] and [w["id"] for w in result.works] == ["W1"]
    assert [(r.line, r.field) for r in result.rejects] == [(4, "publication_year")]
