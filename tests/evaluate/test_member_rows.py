"""A member list written a chunk at a time writes what the list holds, whether it waited
in memory or in a mapped temporary file, on SQLite and on PostgreSQL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import make_engine, migrate
from trendline.indicators.stack import coded
from trendline.tasks.evaluate import member_rows, member_spill

# text COPY's CSV and SQLite must both keep as it is
HOSTILE = ["", 'say "no"', "a,b", "two\nlines", "back\\slash", "\\N", "tab\there", "’ünï"]


def _members(n: int = 5_000) -> pd.DataFrame:
    """Pairs in the shape institution_pairs gives: Arrow text as categories (in several
    chunks), periods out of order, a value per row; filtered, so its index has gaps."""
    labels = pa.chunked_array([pa.array([f"RU {i} | CN {i}" for i in range(lo, lo + 1_000)])
                               for lo in range(0, 3_000, 1_000)])
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "period": coded(rng.integers(0, 3, n).astype("int8"), ["2021", "2019", "2020"]),
        "subject": coded(np.zeros(n, dtype="int8"), [""]),
        "kind": coded(np.zeros(n, dtype="int8"), ["pair"]),
        "record_id": coded(rng.integers(0, 3_000, n).astype("int32"),
                           pd.Index(pd.arrays.ArrowExtensionArray(labels))),
        "label": pd.Series([None if i % 3 else HOSTILE[i % 8] + (str(i) if i % 8 else "")
                            for i in range(n)], dtype=object),  # "" itself, not NULL
        "value": rng.integers(1, 40, n).astype("float32"),
        "unit": coded(np.zeros(n, dtype="int8"), ["papers"]),
    })
    return frame[np.arange(n) % 4 != 1]


def _stored(engine) -> set:
    m = schema.evidence_members
    with engine.connect() as conn:
        return set(conn.execute(sa.select(m.c.period, m.c.subject, m.c.kind, m.c.record_id,
                                          m.c.label, m.c.value, m.c.unit)).all())


def _expected(frame: pd.DataFrame) -> set:
    rows = zip(frame["period"].astype(str), frame["subject"].astype(str),
               frame["kind"].astype(str), frame["record_id"].astype(str), frame["label"],
               frame["value"].astype(float), frame["unit"].astype(str), strict=True)
    first = {}
    for row in rows:  # a record listed twice under one key is kept once: the first
        first.setdefault(row[:4], row)
    return set(first.values())


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'members.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("spill", [False, True])
def test_a_list_is_written_whole_from_memory_or_from_its_map(store, monkeypatch, spill):
    monkeypatch.setattr(member_rows, "CHUNK", 700)  # many chunks, one cut inside a period
    frame = _members()
    if spill:
        monkeypatch.setattr(member_spill, "SPILL", 1_000)
        frame = member_spill.spilled(frame, {})
        assert member_spill.is_spilled(frame["record_id"].cat.categories)
        assert not frame["value"].to_numpy().flags.owndata  # a view of the map
    with store.begin() as conn:
        written = member_rows.write(conn, "test.pairs", frame)
    expected = _expected(_members())
    assert written == len(expected)
    assert _stored(store) == expected


def test_lists_that_share_their_text_spill_it_once(monkeypatch):
    monkeypatch.setattr(member_spill, "SPILL", 1_000)
    frame, memo = _members(), {}
    a = member_spill.spilled(frame, memo)
    b = member_spill.spilled(frame.iloc[:100], memo)
    same = [k for k in memo if k[0] == "spilled"]
    assert len(same) == 1  # one file for the labels both lists use
    assert list(b["record_id"].astype(str)) == list(frame["record_id"].iloc[:100].astype(str))
    member_spill.drop_pages()  # pages let go are read again from the file
    assert list(a["record_id"].astype(str)) == list(frame["record_id"].astype(str))


def test_a_small_list_stays_in_memory():
    frame = _members(50)
    out = member_spill.spilled(frame, {})
    assert not member_spill.is_spilled(out["record_id"].cat.categories)
    assert list(out["period"].astype(str)) == list(frame["period"].astype(str))


def test_a_row_without_its_key_is_an_error_not_a_silent_skip(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'members.db'}")
    migrate(engine)
    frame = _members(20)
    frame["period"] = frame["period"].cat.set_categories(["2019", "2020"])  # 2021: missing
    with pytest.raises(ValueError, match="without period"), engine.begin() as conn:
        member_rows.write(conn, "test.pairs", frame)
    engine.dispose()


def test_with_no_temporary_file_a_list_waits_in_memory(monkeypatch):
    monkeypatch.setattr(member_spill, "SPILL", 1_000)

    def no_room(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(member_spill.tempfile, "TemporaryFile", no_room)
    frame = _members()
    out = member_spill.spilled(frame, {})
    assert out is frame
