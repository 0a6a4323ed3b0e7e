"""`trendline import-deals`: the real Crunchbase 2015 export (read in place from
../shared/data, tests-only licence, never copied), curated files with bad rows, and the
current organisations + funding-rounds export shape."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from trendline import context, schema
from trendline.commands.import_deals import command
from trendline.db import make_engine
from trendline.settings import DATA_DIR, Settings

ACQUISITIONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "deals" / \
    "crunchbase_2015-12_acquisitions.csv"
DEMO_CB = DATA_DIR / "demo" / "crunchbase"


@pytest.fixture
def store(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'deals.db'}")
    schema.metadata.create_all(engine)
    monkeypatch.setattr(context, "settings", lambda: Settings.model_construct(home=tmp_path))
    monkeypatch.setattr(context, "store", lambda s: engine)
    yield engine
    engine.dispose()


def snapshot(engine) -> dict:
    """Every deal and party row (with its refresh run id) and the number of runs."""
    with engine.connect() as conn:
        out = {t: sorted(map(repr, conn.execute(sa.select(schema.metadata.tables[t])).all()))
               for t in ("deals", "deal_parties")}
        out["runs"] = conn.execute(
            sa.select(sa.func.count()).select_from(schema.refresh_runs)).scalar_one()
    return out


@pytest.mark.skipif(not ACQUISITIONS.exists(), reason="../shared/data deals sample absent")
def test_crunchbase_acquisitions_twice_changes_nothing(store, tmp_path):
    first = CliRunner().invoke(command, [str(ACQUISITIONS)])
    assert first.exit_code == 0, first.output
    assert "18,968 rows, 18,954 accepted, 14 rejected" in first.output
    assert "undisclosed price: 13,945 of accepted (73.6%)" in first.output
    assert "acquired_at: impossible year 3201" in first.output
    assert "acquired_at: impossible year 1201" in first.output
    assert "acquired_at: missing date" in first.output
    rejects = (tmp_path / "rejects" / f"{ACQUISITIONS.name}.rejects.csv").read_text()
    assert rejects.splitlines()[0] == "file,line,field,reason"
    assert len(rejects.splitlines()) == 15
    before = snapshot(store)
    with store.connect() as conn:
        deals = schema.deals
        n, undisclosed, zero = conn.execute(sa.select(
            sa.func.count(), sa.func.sum(sa.case((deals.c.amount_usd.is_(None), 1), else_=0)),
            sa.func.sum(sa.case((deals.c.amount_usd == 0, 1), else_=0)),
        )).one()
        cn_ru = conn.execute(sa.select(deals.c.direction).where(
            deals.c.direction.in_(["CN->RU", "RU->CN"]))).all()
    assert n == 18_903  # 51 rows repeat an acquisition already read
    assert undisclosed > 13_000 and zero < 50  # undisclosed is NULL, not 0
    assert cn_ru == []  # the export has no China-Russia deal (SOURCES.md)
    again = CliRunner().invoke(command, [str(ACQUISITIONS)])
    assert again.exit_code == 0
    assert "unchanged" in again.output
    assert snapshot(store) == before


def test_curated_rows_rejected_with_file_line_field_reason(store, tmp_path):
    bad = tmp_path / "deals.csv"
    bad.write_text(
        "deal_id,announced_on,target,target_country,direction,amount,currency,source_url\n"
        "ok-1,2022-01-05,Good AI,RU,CN->RU,1000000,EUR,https://example.org/1\n"
        "neg,2022-01-05,Bad AI,RU,CN->RU,-5,USD,https://example.org/2\n"
        "nan,2022-01-05,Bad AI,RU,CN->RU,lots,USD,https://example.org/3\n"
        "cur,2022-01-05,Bad AI,RU,CN->RU,5,XYZ,https://example.org/4\n"
        "cty,2022-01-05,Bad AI,ZZZ,CN->RU,5,USD,https://example.org/5\n"
        "old,1201-01-05,Bad AI,RU,CN->RU,5,USD,https://example.org/6\n"
        "und,2022-02-01,Quiet AI,CN,RU->CN,,USD,https://example.org/7\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(command, [str(bad)])
    assert result.exit_code == 0, result.output
    summary = "7 rows, 2 accepted, 5 rejected; undisclosed price: 1 of accepted (50.0%)"
    assert summary in result.output
    for text in ("deals.csv:3: amount: negative amount", "deals.csv:4: amount: not a number",
                 "deals.csv:5: currency: unknown currency 'XYZ'",
                 "deals.csv:6: target_country: unknown country code 'ZZZ'",
                 "deals.csv:7: announced_on: impossible year 1201"):
        assert text in result.output
    with store.connect() as conn:
        rows = dict(conn.execute(sa.select(schema.deals.c.id, schema.deals.c.amount_usd)).all())
    assert rows["und"] is None
    assert rows["ok-1"] == pytest.approx(1.05e6)  # EUR at the 2022 rate in fx_rates.csv


def test_unknown_shape_exits_2_with_one_line(store, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(command, [str(odd)])
    assert result.exit_code == 2
    assert "not a known deals file shape" in result.output
    assert "Traceback" not in result.output


def test_current_export_organisations_and_funding_rounds(store):
    result = CliRunner().invoke(
        command, [str(DEMO_CB / "funding_rounds.csv"), str(DEMO_CB / "organizations.csv")])
    assert result.exit_code == 0, result.output
    assert "[crunchbase organizations]: 8 rows, 8 accepted" in result.output
    assert "[crunchbase funding_rounds]: 11 rows, 11 accepted, 0 rejected" in result.output
    with store.connect() as conn:
        got = dict(conn.execute(sa.select(schema.deals.c.target, schema.deals.c.direction)
                                .where(schema.deals.c.year == 2023)).all())
    assert got["Demo Berlin AI"] == "RU->DE"  # lead investor's country from organizations.csv
    assert got["Demo Vision Cloud (US)"] == "CN->US"
