"""`trendline import-deals`: the real Crunchbase 2015 export (read in place from
../shared/data, tests-only licence, never copied), curated files with bad rows, and the
current organisations + funding-rounds export shape."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from trendline.cli import context
from trendline.cli.commands.import_deals import command
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.core.resources import Resources
from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.sources import crunchbase

ACQUISITIONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "deals" / \
    "crunchbase_2015-12_acquisitions.csv"
DEMO_CB = DATA_DIR / "demo" / "crunchbase"


@pytest.fixture
def store(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'deals.db'}")
    schema.metadata.create_all(engine)
    monkeypatch.setattr(context, "settings", lambda: Settings.model_construct(home=tmp_path))
    monkeypatch.setattr(context, "resources", lambda: Resources(context.settings(), engine))
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
    assert ("; 18,903 deals stored (82 rows merged: same company, acquirer and date; the rows "
            "of 7 of these deals disagree on the amount, the first row's is kept)") in first.output
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
    assert summary + "; 2 deals stored\n" in result.output
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
    assert "11 deals stored\n" in result.output
    with store.connect() as conn:
        got = dict(conn.execute(sa.select(schema.deals.c.target, schema.deals.c.direction)
                                .where(schema.deals.c.year == 2023)).all())
    assert got["Demo Berlin AI"] == "RU->DE"  # lead investor's country from organizations.csv
    assert got["Demo Vision Cloud (US)"] == "CN->US"


# The 2013 Crunchbase investments export: one row per (round, investor), no round permalink
# and no round code (columns as in that export; the companies and investors are synthetic).
INVESTMENTS_2013 = (
    "company_permalink,company_name,company_category_code,company_country_code,"
    "company_state_code,company_region,company_city,investor_permalink,investor_name,"
    "investor_category_code,investor_country_code,investor_state_code,investor_region,"
    "investor_city,funding_round_type,funded_at,funded_month,funded_quarter,funded_year,"
    "raised_amount_usd\n"
    "/company/neuro-ru,Neuro RU,software,RUS,,Moscow,Moscow,/financial-organization/dragon-vc,"
    "Dragon VC,,CHN,,Beijing,Beijing,series-a,2013-05-01,2013-05,2013-Q2,2013,10000000\n"
    "/company/neuro-ru,Neuro RU,software,RUS,,Moscow,Moscow,/financial-organization/panda-cap,"
    "Panda Capital,,CHN,,Shanghai,Shanghai,series-a,2013-05-01,2013-05,2013-Q2,2013,10000000\n"
    "/company/neuro-ru,Neuro RU,software,RUS,,Moscow,Moscow,/financial-organization/bay-vc,"
    "Bay VC,,USA,CA,SF Bay,San Francisco,series-a,2013-05-01,2013-05,2013-Q2,2013,10000000\n"
    "/company/neuro-ru,Neuro RU,software,RUS,,Moscow,Moscow,/financial-organization/dragon-vc,"
    "Dragon VC,,CHN,,Beijing,Beijing,series-b,2014-02-03,2014-02,2014-Q1,2014,30000000\n"
    "/company/vision-spb,Vision SPb,software,RUS,,St Petersburg,St Petersburg,"
    "/financial-organization/dragon-vc,Dragon VC,,CHN,,Beijing,Beijing,angel,2012-01-10,"
    "2012-01,2012-Q1,2012,\n"
    "/company/vision-spb,Vision SPb,software,RUS,,St Petersburg,St Petersburg,"
    "/financial-organization/panda-cap,Panda Capital,,CHN,,Shanghai,Shanghai,venture,"
    "2013-07-01,2013-07,2013-Q3,2013,5000000\n"
)


def test_2013_investments_export_keeps_distinct_rounds_apart(store, tmp_path):
    """Issue #9: without a round permalink every round with the same investor country was one
    deal (6 accepted rows -> 2 deals). A round is its company, type and date there; two
    investors of one country in one round are one deal with both as parties."""
    path = tmp_path / "investments.csv"
    path.write_text(INVESTMENTS_2013, encoding="utf-8")
    result = CliRunner().invoke(command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "investments.csv [crunchbase investments]: 6 rows, 6 accepted, 0 rejected" in \
        result.output
    assert "; 5 deals stored (2 rows merged: same company, round, date and investor country)" \
        in result.output
    with store.connect() as conn:
        deals = conn.execute(sa.select(
            schema.deals.c.id, schema.deals.c.target, schema.deals.c.announced_on,
            schema.deals.c.direction, schema.deals.c.deal_type, schema.deals.c.amount_usd,
            schema.deals.c.sectors)).all()
        parties = conn.execute(sa.select(schema.deal_parties.c.deal_id,
                                         schema.deal_parties.c.name)).all()
    assert len(deals) == 5
    got = sorted((d.target, str(d.announced_on), d.direction, d.deal_type, d.amount_usd)
                 for d in deals)
    assert got == [
        ("Neuro RU", "2013-05-01", "CN->RU", "series-a", 10e6),
        ("Neuro RU", "2013-05-01", "US->RU", "series-a", 10e6),
        ("Neuro RU", "2014-02-03", "CN->RU", "series-b", 30e6),
        ("Vision SPb", "2012-01-10", "CN->RU", "angel", None),
        ("Vision SPb", "2013-07-01", "CN->RU", "venture", 5e6),
    ]
    assert all(d.sectors == ["software"] for d in deals)  # company_category_code in 2013
    merged = next(d.id for d in deals if d.deal_type == "series-a" and d.direction == "CN->RU")
    assert sorted(n for i, n in parties if i == merged) == ["Dragon VC", "Neuro RU",
                                                            "Panda Capital"]
    # A scheduled refresh of the same export records the merge with its run.
    batch = crunchbase.normalise({"files": [(str(path), INVESTMENTS_2013)], "mode": "live"})
    assert len(batch.tables["deals"]) == 5
    assert batch.notes == ["investments.csv: 6 rows -> 5 deals (2 rows merged: same company, "
                           "round, date and investor country)"]


def test_investments_export_without_identity_columns_is_refused(store, tmp_path):
    """An export that has neither a round permalink nor the round's type cannot tell its
    deals apart: refused in one line, nothing stored (never collapsed into one deal)."""
    header = INVESTMENTS_2013.splitlines()[0].replace("funding_round_type", "round_kind")
    path = tmp_path / "investments.csv"
    path.write_text("\n".join([header, *INVESTMENTS_2013.splitlines()[1:]]) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(command, [str(path)])
    assert result.exit_code != 0
    assert "no columns to tell deals apart" in result.output
    assert "Traceback" not in result.output
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.deals)).scalar() == 0


def test_2015_investments_export_row_without_round_permalink_rejected(store, tmp_path):
    """2014-2015 exports name the round by its permalink: rows of one round and investor
    country are one deal; a row without a permalink is rejected, not merged into others."""
    path = tmp_path / "investments.csv"
    path.write_text(
        "company_permalink,company_name,company_category_list,company_country_code,"
        "investor_permalink,investor_name,investor_country_code,funding_round_permalink,"
        "funding_round_type,funding_round_code,funded_at,raised_amount_usd\n"
        "/organization/a,A AI,Software,RUS,/organization/x,X,CHN,/funding-round/1,venture,A,"
        "2015-02-10,4000000\n"
        "/organization/a,A AI,Software,RUS,/organization/y,Y,CHN,/funding-round/1,venture,A,"
        "2015-02-10,4000000\n"
        "/organization/a,A AI,Software,RUS,/organization/x,X,CHN,/funding-round/2,venture,B,"
        "2015-09-10,9000000\n"
        "/organization/b,B AI,Software,RUS,/organization/x,X,CHN,,seed,,2015-03-01,100000\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "4 rows, 3 accepted, 1 rejected;" in result.output
    assert "; 2 deals stored (2 rows merged: same round and investor country)" in result.output
    assert "investments.csv:5: funding_round_permalink: missing" in result.output
