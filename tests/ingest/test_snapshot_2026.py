"""The 2026 snapshot layout on a generated bucket (data/jsonl and data/parquet, several parts
per partition, manifests, XPAC traps) and two quarterly copies."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.snapshot_data import _part_of, quarter_records, truth, write_2026
from trendline.cli import context
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.core.resources import Resources
from trendline.core.settings import OpenAlexConfig, Settings, SourcesConfig
from trendline.tasks.ingest.sources import openalex as api
from trendline.tasks.ingest.sources import openalex_snapshot as snap

DATES = ["2026-03-01", "2026-04-01", "2026-05-01"]


def engine_at(path):
    engine = make_engine(f"sqlite:///{path}")
    schema.metadata.create_all(engine)
    return engine


def per_year(engine) -> dict[int, int]:
    w = schema.works
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(w.c.publication_year, sa.func.count())
                                 .group_by(w.c.publication_year)).all())


def ids(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(schema.works.c.id)).scalars())


@pytest.fixture(scope="module")
def bucket(tmp_path_factory):
    root = tmp_path_factory.mktemp("bucket")
    records = quarter_records(1500, DATES, 0.06, seed=21, xpac_share=0.25)
    write_2026(root, records)
    return root, records


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_both_formats_count_the_generators_truth_without_xpac(bucket, tmp_path, fmt):
    root, records = bucket
    engine = engine_at(tmp_path / "store.db")
    out = snap.ingest(engine, root / "data", workers=2, fmt=fmt)
    assert out.layout.format == fmt and out.partitions == 6 and not out.failed
    xpac = sum(1 for rows in records.values() for k, *_r, x in rows if x)
    assert xpac > 0 and out.xpac == xpac
    assert per_year(engine) == truth(records)
    with engine.connect() as conn:
        run = conn.execute(sa.select(schema.refresh_runs)).mappings().one()
    assert f"({fmt} XPAC excluded)" in run["message"]


@pytest.mark.parametrize("path", ["data/parquet", "data/parquet/works", "."])
def test_path_may_be_the_bucket_a_format_prefix_or_the_works_folder(bucket, tmp_path, path):
    root, records = bucket
    out = snap.ingest(engine_at(tmp_path / "s.db"), root / path, workers=1)
    assert out.layout.format == "parquet" and out.kept == sum(truth(records).values())


def test_xpac_is_counted_only_when_the_setting_says_so(bucket, tmp_path):
    root, records = bucket
    out = snap.ingest(engine_at(tmp_path / "s.db"), root / "data", workers=1, fmt="jsonl",
                      include_xpac=True)
    joint = sum(1 for rows in records.values() for k, *_r in rows if k == "CN+RU")
    assert out.xpac == 0 and out.kept == joint and "XPAC included" in out.line()
    included = OpenAlexConfig(include_xpac=True)
    assert api.works_params("x", 10, "*", include_xpac=included.include_xpac)[
        "include_xpac"] == "true"
    assert "include_xpac" not in api.count_params(("CN",), "x")  # the API's default
    assert "include_xpac=false" in api.query_url("https://a", "/works",
                                                 api.count_params(("CN",), "x"))
    assert SourcesConfig().openalex.include_xpac is False


def test_a_second_quarterly_copy_loads_only_its_new_parts_and_full_removes(bucket, tmp_path):
    root, records = bucket
    first = tmp_path / "2026-06"
    shutil.copytree(root, first)
    engine = engine_at(tmp_path / "s.db")
    assert snap.ingest(engine, first / "data", workers=2, fmt="jsonl").partitions == 6
    # the next quarter: a new partition, one part rewritten without one joint work, the
    # rest the same bytes in a fresh download (new paths, new times)
    gone_n = next(n for k, _t, n, x in records[DATES[1]]
                  if _part_of(n, 2) == 1 and k == "CN+RU" and not x)
    later = dict(records)
    later[DATES[1]] = [r for r in records[DATES[1]] if r[2] != gone_n]
    later["2026-08-01"] = quarter_records(200, ["2026-08-01"], 0.1, seed=5,
                                          xpac_share=0, first_id=90_000)["2026-08-01"]
    second = tmp_path / "2026-09"
    write_2026(second, later, formats=("jsonl",))
    out = snap.ingest(engine, second / "data", workers=2)
    loaded = sorted(f"{p.split('/')[-2]}/{p.split('/')[-1]}" for p in _paths(engine, out))
    assert loaded == ["updated_date=2026-04-01/part_0001.gz",
                      "updated_date=2026-08-01/part_0000.gz",
                      "updated_date=2026-08-01/part_0001.gz"]
    gone = f"W8{gone_n:09d}"
    assert gone in ids(engine)  # not --full: a work missing from a part is not inferred
    full = snap.ingest(engine, second / "data", workers=2, full=True)
    assert full.partitions == 0 and full.gone == [gone] and "--full removed 1" in full.line()
    assert per_year(engine) == truth(later)


def _paths(engine, out) -> list[str]:
    t = schema.snapshot_partitions
    with engine.connect() as conn:
        return [p for p, r in conn.execute(sa.select(t.c.path, t.c.finished_at)).all()
                if "2026-09" in p]


def test_the_manifest_lists_parts_and_a_change_during_the_ingest_fails_it(bucket, tmp_path):
    root, _records = bucket
    copy = tmp_path / "copy"
    shutil.copytree(root / "data" / "jsonl", copy)
    manifest = copy / "manifest.json"
    body = json.loads(manifest.read_text())
    lost = body["entries"][0]["url"].split("/works/")[1]
    (copy / "works" / lost).unlink()  # listed, not downloaded
    (copy / "works" / "updated_date=2026-03-01" / "part_0009.gz").write_bytes(b"x")  # unlisted
    engine = engine_at(tmp_path / "s.db")

    def touch(_result):
        manifest.write_text(json.dumps({**body, "meta": {"changed": True}}))

    out = snap.ingest(engine, copy, workers=1, progress=touch)
    why = dict(out.failed)
    assert why[str(copy / "works" / lost)] == "listed in manifest.json but not on disk"
    assert "changed during the ingest" in why[str(manifest)]
    assert out.partitions == 5 and out.layout.unlisted == 1


def test_the_command_reads_the_bucket_with_a_format(bucket, tmp_path, monkeypatch):
    root, records = bucket
    engine = engine_at(tmp_path / "s.db")
    monkeypatch.setattr(context, "settings", lambda: Settings.model_construct(home=tmp_path))
    monkeypatch.setattr(context, "resources", lambda: Resources(context.settings(), engine))
    from trendline.cli.commands.ingest_snapshot import command

    result = CliRunner().invoke(command, [str(root), "--format", "jsonl", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"{sum(truth(records).values())} kept" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = CliRunner().invoke(command, [str(empty)])
    assert isinstance(bad.exception, context.FileProblem)  # main prints it, exits 2
    assert "no snapshot parts" in str(bad.exception)


def test_merged_ids_under_legacy_data_apply_to_the_2026_layout(bucket, tmp_path):
    import gzip

    root, records = bucket
    copy = tmp_path / "bucket"
    shutil.copytree(root / "data" / "jsonl", copy / "data" / "jsonl")
    merged = copy / "legacy-data" / "merged_ids" / "works"
    merged.mkdir(parents=True)
    joint = next(n for rows in records.values() for k, _t, n, x in rows
                 if k == "CN+RU" and not x)
    with gzip.open(merged / "2026-06-01.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(f"merge_date,id,merged_into_id\n2026-06-01,W8{joint:09d},W1\n")
    engine = engine_at(tmp_path / "s.db")
    out = snap.ingest(engine, copy, workers=1)
    assert out.removed == 1 and f"W8{joint:09d}" not in ids(engine)
    assert len(ids(engine)) == sum(truth(records).values()) - 1


def test_parquet_on_a_dask_cluster_one_task_per_part(bucket, tmp_path):
    from distributed import LocalCluster

    root, records = bucket
    engine = engine_at(tmp_path / "s.db")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        out = snap.ingest(engine, root / "data", fmt="parquet",
                          dask_address=cluster.scheduler_address)
    assert out.partitions == 6 and not out.failed
    assert per_year(engine) == truth(records)


def test_a_parquet_part_reads_the_same_on_one_thread_as_on_a_pool(bucket):
    from trendline.tasks.ingest.parsing.snapshot_parquet import scan_parquet, threads_per_part

    part = str(snap.partitions(bucket[0] / "data", "parquet")[0])
    one, pool = (scan_parquet(part, ("CN", "RU"), threads=n) for n in (1, 3))
    assert one.works and not one.failed and not pool.failed
    assert (one.works, one.authorships, one.seen, one.read, one.xpac) == (
        pool.works, pool.authorships, pool.seen, pool.read, pool.xpac)
    assert threads_per_part(2, 8) == max(1, (os.cpu_count() or 1) // 2)
    assert threads_per_part(None, 1) == (os.cpu_count() or 1)


def test_a_row_group_of_only_xpac_candidates_is_not_decoded_further(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from trendline.tasks.ingest.parsing.snapshot_parquet import scan_parquet

    records = quarter_records(300, DATES[:1], 0.1, seed=5, xpac_share=1.0)
    write_2026(tmp_path, records, parts=1, formats=("parquet",))
    part = str(snap.partitions(tmp_path / "data", "parquet")[0])
    asked = []
    real = pq.ParquetFile.read_row_group
    monkeypatch.setattr(pq.ParquetFile, "read_row_group", lambda self, g, columns=None, **kw:
                        asked.append(columns) or real(self, g, columns=columns, **kw))
    out = scan_parquet(part, ("CN", "RU"), threads=1)
    joint = sum(1 for rows in records.values() for kind, *_r in rows if kind == "CN+RU")
    assert joint and out.xpac == joint and not out.works and out.read == 300
    assert asked and all("title" not in cols for cols in asked)  # the filter leaves only
    with_xpac = scan_parquet(part, ("CN", "RU"), include_xpac=True, threads=1)
    assert len(with_xpac.works) == joint and with_xpac.xpac == 0


@pytest.mark.parametrize("dictionary_rows", [1, 10**9])  # vocabularies as dictionaries or not
def test_a_parquet_part_gives_the_same_rows_as_its_json_lines_twin(bucket, monkeypatch,
                                                                   dictionary_rows):
    from trendline.tasks.ingest.parsing import snapshot_parquet
    from trendline.tasks.ingest.parsing.snapshot_parquet import scan_parquet

    monkeypatch.setattr(snapshot_parquet, "DICTIONARY_ROWS", dictionary_rows)

    root = bucket[0] / "data"
    pairs = list(zip(snap.partitions(root, "jsonl"), snap.partitions(root, "parquet"),
                     strict=True))
    for gz, part in pairs:
        j = snap.scan_partition(str(gz), ("CN", "RU"))
        p = scan_parquet(str(part), ("CN", "RU"), threads=1)
        assert j.works and (j.read, j.xpac, sorted(j.seen)) == (p.read, p.xpac, sorted(p.seen))
        plain = [{k: v for k, v in w.items() if k != "snapshot_part"} for w in j.works]
        assert plain == [{k: v for k, v in w.items() if k != "snapshot_part"}
                         for w in p.works]
        assert j.authorships == p.authorships
