"""The frames read from SQLite by the ADBC children equal the frames the cursor reads, a
child that cannot answer leaves the cursor to do it, and the evaluation that reads them
writes nothing new to the evidence index of an unchanged store."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from trendline.core.db import make_engine
from trendline.core.resources import Resources
from trendline.core.sqlite_arrow import ArrowChild
from trendline.tasks import frames as frames_stage

NEEDS = ("works", "affiliations", "orgs", "listings")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame by value: text for categories, rows in id order."""
    out = frame.astype({c: str for c in frame.columns if frame[c].dtype == "category"})
    key = ["id"] if "id" in out else list(out.columns)
    return out.sort_values(key).reset_index(drop=True).astype(object).where(out.notna(), None)


def _load(settings, monkeypatch, threshold: int) -> dict[str, pd.DataFrame]:
    monkeypatch.setattr(frames_stage, "CHILD_READS_FROM", threshold)
    engine = make_engine(settings.database_url)
    try:
        return frames_stage.load_frames(Resources(settings, engine), NEEDS)
    finally:
        engine.dispose()


def test_the_children_read_what_the_cursor_reads(demo_store, settings, monkeypatch):
    started = []
    real = ArrowChild.__init__

    def spy(self, path, query, narrow=None):
        started.append(query)
        real(self, path, query, narrow)

    monkeypatch.setattr(ArrowChild, "__init__", spy)
    by_children = _load(settings, monkeypatch, threshold=1)
    assert len(started) == 2, "the works with their facts, and the authorships: a child each"
    started.clear()
    by_cursor = _load(settings, monkeypatch, threshold=10**9)
    assert not started
    assert len(by_children["works"]) > 50 and len(by_children["affiliations"]) > 100
    for name in NEEDS:
        pd.testing.assert_frame_equal(_plain(by_children[name]), _plain(by_cursor[name]),
                                      check_dtype=False)
    works = by_children["works"]
    assert works["id"].cat.ordered and list(works["id"].astype(str)) == sorted(
        works["id"].astype(str)), "works in id order, their codes in text order"
    assert works["id"].cat.categories is by_children["affiliations"]["work_id"].cat.categories


def test_a_child_that_cannot_answer_leaves_the_rows_to_the_cursor(demo_store, settings,
                                                                  monkeypatch, caplog):
    expected = _load(settings, monkeypatch, threshold=10**9)
    monkeypatch.setattr(ArrowChild, "command",
                        ("python3", "-c", "raise SystemExit('no ADBC driver here')"))
    with caplog.at_level(logging.INFO, logger="trendline.tasks.frames.columnar"):
        got = _load(settings, monkeypatch, threshold=1)
    for name in NEEDS:
        pd.testing.assert_frame_equal(_plain(got[name]), _plain(expected[name]),
                                      check_dtype=False)
    assert "no ADBC driver here" in caplog.text


@pytest.mark.parametrize("threshold", [1, 10**9])
def test_a_repeat_evaluation_writes_no_member_rows(demo_store, settings, monkeypatch,
                                                    threshold):
    from trendline.tasks.evaluate.evaluation import evaluate_store

    monkeypatch.setattr(frames_stage, "CHILD_READS_FROM", threshold)
    engine = make_engine(settings.database_url)
    try:
        res = Resources(settings, engine)
        evaluate_store(res)
        again = evaluate_store(res)
    finally:
        engine.dispose()
    assert again.evidence_rows == 0 and not again.errors


def test_a_narrowed_column_that_overflows_in_a_later_batch_sends_no_rows(tmp_path):
    import sqlite3

    pytest.importorskip("adbc_driver_sqlite")
    path = tmp_path / "wide.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(1,)] * 70_000 + [(300,)])
    child = ArrowChild(str(path), "SELECT v FROM t", {"v": "int8"})
    assert child.table() is None, "the first batch fitted; the rows after it did not"
    said = child.close()
    assert "300" in said or "overflow" in said.lower(), said
    whole = ArrowChild(str(path), "SELECT v FROM t", {"v": "int16"})
    table = whole.table()
    assert whole.close() == ""
    assert table.num_rows == 70_001 and str(table.schema.field("v").type) == "int16"
