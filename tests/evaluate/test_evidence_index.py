"""The stored evidence index on the demo store: counts that agree with what `trendline
evidence` lists, bounded pages, filters that stay filters, and one CSV writer."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from trendline.cli import main as cli
from trendline.core import schema
from trendline.core.csvfile import write_frame
from trendline.core.db import make_engine
from trendline.core.resources import Resources
from trendline.core.settings import load_settings
from trendline.tasks.evaluate.evidence import (
    COLUMNS,
    UnknownIndicator,
    evidence_page,
    list_evidence,
)


@pytest.fixture
def res(demo_store):
    settings = load_settings()
    engine = make_engine(settings.database_url)
    yield Resources(settings, engine)
    engine.dispose()


def _cli(*args: str) -> str:
    out = CliRunner().invoke(cli, ["evidence", *args])
    assert out.exit_code == 0, out.output
    return out.output


def _values(res) -> list:
    t = schema.indicator_values
    with res.engine.connect() as conn:
        return conn.execute(sa.select(t.c.indicator_id, t.c.subject, t.c.period,
                                      t.c.evidence_count, t.c.evidence_kind)
                            .where(t.c.period != "")).all()


def test_every_count_equals_the_records_the_cli_lists(res):
    values = _values(res)
    assert len(values) > 100
    by_indicator = {}
    for ind, subject, period, count, kind in values:
        by_indicator.setdefault(ind, []).append((subject, period, count, kind))
    checked = 0
    for ind, rows in by_indicator.items():
        # one CLI run per indicator for a few values, list_evidence for the rest
        for subject, period, count, kind in rows[:2]:
            listed = json.loads(_cli(ind, "--period", period, "--subject", subject,
                                     "--format", "json"))
            assert sum(1 for r in listed if not kind or r["kind"] == kind) == count, (
                ind, subject, period, kind)
            checked += 1
        every = list_evidence(res, ind)
        for subject, period, count, kind in rows:
            mine = every[(every["period"] == period) & (every["subject"] == subject)]
            if kind:
                mine = mine[mine["kind"] == kind]
            assert len(mine) == count, (ind, subject, period, kind)
    assert checked > 20


def test_records_of_other_kinds_are_listed_apart(res):
    """Huawei-Russia: the papers are the count; the partner organisations beside them
    are listed as their own kind, not counted."""
    t = schema.indicator_values
    with res.engine.connect() as conn:
        count, kind = conn.execute(sa.select(t.c.evidence_count, t.c.evidence_kind).where(
            t.c.indicator_id == "research.huawei_ru", t.c.subject == "all",
            t.c.period == "2025")).one()
    page = evidence_page(res, "research.huawei_ru", "2025", "all")
    assert kind == "work" and page.kinds["work"] == count
    assert set(page.kinds) == {"work", "partner"}
    assert page.total == sum(page.kinds.values())


def test_no_none_cells_int_years_and_links(res):
    rows = list_evidence(res, "research.joint_output", "2025")
    assert len(rows) == 196 and list(rows.columns) == COLUMNS
    assert all(type(y) is int for y in rows["year"])
    assert not rows["url"].notna().any()  # demo works never link
    text = _cli("research.joint_output", "--period", "2025")
    assert "None" not in text and "nan" not in text and "2025.0" not in text
    counts = list_evidence(res, "research.joint_share", "2019")
    assert counts["value"].notna().all() and set(counts["unit"]) == {"papers"}
    real = list_evidence(res, "investment.ai_dragons")
    assert real["url"].str.startswith("https://").all()  # a real deal links to its source
    deal = real.iloc[0]
    assert deal["amount"] == "known" and deal["amount_usd"] == 460_000_000.0
    flows = list_evidence(res, "investment.opacity")
    assert set(flows.loc[flows["kind"] == "deal", "amount"]) == {"known", "undisclosed"}
    assert flows.loc[flows["amount"] == "undisclosed", "amount_usd"].isna().all()


def test_why_a_paper_counts(res):
    rows = list_evidence(res, "research.entity_list_collab", "2025")
    works = rows[rows["kind"] == "work"]
    assert works["organisations"].notna().all()
    assert works["listing"].str.contains("U.S. Entity List").all()
    assert works["organisations"].str.contains(r"\((?:ror|alias|fuzzy|review), [01]\.\d\d\)").all()
    assert works["country_rule"].notna().all()


def test_pages_first_deep_and_total(res):
    every = list_evidence(res, "research.joint_output")
    first = evidence_page(res, "research.joint_output", limit=50)
    assert first.total == len(every) and len(first.rows) == 50
    assert list(first.rows["id"]) == sorted(every["id"])[:50]
    deep = evidence_page(res, "research.joint_output", limit=50, offset=len(every) - 10)
    assert list(deep.rows["id"]) == sorted(every["id"])[-10:]
    pages = [evidence_page(res, "research.joint_output", "2025", limit=60, offset=o)
             for o in range(0, 240, 60)]
    ids = [i for p in pages for i in p.rows["id"]]
    assert len(ids) == len(set(ids)) == 196 == pages[0].total


def test_sort_orders(res):
    for sort in ("id", "year", "label", "kind"):
        for descending in (False, True):
            page = evidence_page(res, "research.huawei_ru", sort=sort, descending=descending,
                                 limit=500)
            assert page.total == len(page.rows) > 100
            values = page.rows[sort].tolist()
            known = [v for v in values if v is not None]
            assert known == sorted(known, reverse=descending), (sort, descending)
            assert values[:len(known)] == known  # unknowns last
    newest = evidence_page(res, "research.huawei_ru", sort="year", descending=True, limit=1)
    assert newest.rows["year"].iloc[0] == max(y for y in page.rows["year"] if y is not None)
    with pytest.raises(ValueError, match="sort must be one of"):
        evidence_page(res, "research.huawei_ru", sort="title; drop table works")


def test_text_filter_is_a_plain_filter(res):
    every = list_evidence(res, "research.joint_output", "2025")
    word = every["label"].iloc[0].split()[-1].upper()
    page = evidence_page(res, "research.joint_output", "2025", text=word, limit=1000)
    expect = every[every["label"].str.lower().str.contains(word.lower(), regex=False)]
    assert page.total == len(expect) > 0 and set(page.rows["id"]) == set(expect["id"])
    for hostile in ("' OR '1'='1", "%", "_", "x'); DROP TABLE evidence_members; --"):
        assert evidence_page(res, "research.joint_output", text=hostile).total == 0
    assert evidence_page(res, "research.joint_output", "2025").total == 196
    assert evidence_page(res, "research.joint_output", text="W9990001").total > 0


def test_cli_csv_is_list_evidence_through_the_one_writer(res):
    out = _cli("research.entity_list_collab", "--period", "2025", "--format", "csv")
    buf = io.StringIO()
    write_frame(buf, list_evidence(res, "research.entity_list_collab", "2025"))
    assert out == buf.getvalue() and out.count("\n") > 30


def test_unknown_indicator(res):
    with pytest.raises(UnknownIndicator, match="unknown indicator 'nope'"):
        evidence_page(res, "nope")
    out = CliRunner().invoke(cli, ["evidence", "nope"])
    assert out.exit_code == 2 and "unknown indicator" in out.output


def test_an_unchanged_store_writes_no_evidence_and_a_change_rewrites_its_list(res):
    """A second evaluation of the same store writes no member; a paper removed from the
    store leaves its value's list, and only the lists it was in are written again."""
    from trendline.tasks.evaluate.evaluation import evaluate_store

    m = schema.evidence_members
    with res.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
    assert evaluate_store(res).evidence_rows == 0
    gone = list_evidence(res, "research.joint_output", "2025")["id"].iloc[0]
    with res.engine.begin() as conn:
        for t in (schema.work_facts.c.work_id, schema.authorships.c.work_id, schema.works.c.id):
            conn.execute(t.table.delete().where(t == gone))
    out = evaluate_store(res)
    assert 0 < out.evidence_rows < before / 4
    assert gone not in set(list_evidence(res, "research.joint_output")["id"])
    assert len(list_evidence(res, "research.joint_output", "2025")) == 195
    with res.engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
    assert after < before


def test_the_index_on_postgresql_agrees_with_sqlite(res, pg_url):
    """The COPY path writes the same index the SQLite path writes."""
    from helpers import run_pipeline

    from trendline.core.db import migrate

    engine = make_engine(pg_url)
    migrate(engine)
    settings = load_settings(None, store={"url": pg_url})
    run_pipeline(engine, settings)
    pg = Resources(settings, engine)
    for ind in ("research.joint_output", "research.huawei_ru", "investment.opacity"):
        mine, theirs = evidence_page(res, ind, limit=5), evidence_page(pg, ind, limit=5)
        assert mine.kinds == theirs.kinds and mine.total == theirs.total > 0
        assert list(mine.rows["id"]) == list(theirs.rows["id"])
    hostile = evidence_page(pg, "research.joint_output", text="%' OR 1=1 --")
    assert hostile.total == 0
    engine.dispose()
