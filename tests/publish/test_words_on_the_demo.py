"""What a reader sees on the demo is right word for word: counts are never money, a value,
its record count and its evidence files count the same records, and each indicator's
evidence holds only what that indicator counts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import sqlalchemy as sa
from click.testing import CliRunner

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine
from trendline.core.settings import load_settings
from trendline.indicators import words
from trendline.indicators.registry import all_indicators
from trendline.tasks.publish.brief import row as brief_row
from trendline.tasks.publish.report import overview, write_report

TODAY = dt.date(2026, 12, 1)
# units whose value counts the very records listed as its evidence (partnerships count
# party sets and student figures are counts of people: their records are events, figures)
RECORD_UNITS = {"papers", "deals", "events", "pairs", "deals_events", "vehicles", "agreements"}


def _count(unit: str) -> bool:
    return words.unit_of(unit).kind == "count"


def cli(*args):
    out = CliRunner().invoke(main, list(args), env={"COLUMNS": "160"})
    assert out.exit_code == 0, out.output
    return out.output


def test_no_count_is_ever_shown_as_money(demo_store):
    alerts = json.loads(cli("alerts", "--all", "--format", "json"))
    counted = [a for a in alerts if _count((a.get("rule_spec") or {}).get("unit", "usd"))]
    assert counted, "the demo has alerts on counts"
    for a in counted:
        assert "$" not in a["message"], a["message"]
    engine = make_engine(load_settings().database_url)
    with engine.connect() as conn:
        rows = overview(conn)
    for r in rows:
        shown = brief_row(r, TODAY)["value"]
        if _count(r["unit"]):
            assert "$" not in shown and (shown == words.UNKNOWN or words.noun(r["unit"])
                                         .split()[-1] in shown or words.noun(r["unit"], 1)
                                         .split()[-1] in shown), (r["id"], shown)
        assert "None" not in shown and "nan" not in shown and "e+" not in shown
    indicators = json.loads(cli("indicators", "--format", "json", "--no-evidence"))
    assert all(set(i["units"]) >= {"value"} for i in indicators)  # a unit for every series


def test_the_records_figure_counts_the_period_of_the_value(demo_store):
    engine = make_engine(load_settings().database_url)
    with engine.connect() as conn:
        rows = overview(conn)
        stored = {(r.indicator_id, r.period): r.evidence_count for r in conn.execute(
            sa.select(schema.indicator_values).where(schema.indicator_values.c.subject == "all"))}
    for r in rows:
        b = brief_row(r, TODAY)
        if b["period"]:
            assert b["evidence_count"] == stored[(r["id"], b["period"])], r["id"]
            value = next(p["value"] for p in r["series"] if p["period"] == b["period"])
            if r["unit"] in RECORD_UNITS and value is not None:
                assert b["evidence_count"] == value, (r["id"], b["period"], value)


def test_every_evidence_file_holds_every_record_of_its_alert(demo_store):
    settings = load_settings()
    engine = make_engine(settings.database_url)
    write_report(engine, settings, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    with engine.connect() as conn:
        alerts = [dict(a) for a in conn.execute(sa.select(schema.alerts)).mappings()]
    checked = 0
    for a in alerts:
        path = settings.reports_dir / "evidence" / f"{a['id']}.csv"
        if not path.exists() or not a["member_count"]:
            continue
        with open(path, encoding="utf-8") as fh:
            ids = [r["id"] for r in csv.DictReader(fh)]
        assert len(ids) == a["member_count"], (a["indicator_id"], a["period"])
        if a["indicator_id"] == "research.institution_pairs":  # the pairs the alert names
            listed = re.sub(r" and \d+ more$", "", a["message"].split(": ", 2)[-1])
            for name in listed.split("; "):
                assert name in ids, (name, a["message"])
        checked += 1
    assert checked >= 10


def test_joint_centres_count_only_the_papers_their_centres_signed(demo_store):
    engine = make_engine(load_settings().database_url)
    with engine.connect() as conn:
        signed = {(c, w) for c, w in conn.execute(
            sa.select(schema.centre_works.c.centre_id, schema.centre_works.c.work_id))}
        centres = dict(conn.execute(sa.select(schema.centres.c.name, schema.centres.c.id)).all())
        values = conn.execute(sa.select(schema.indicator_values).where(
            schema.indicator_values.c.indicator_id == "research.joint_centres")).mappings().all()
        huawei = {r.period: r.value for r in conn.execute(sa.select(
            schema.indicator_values).where(
            schema.indicator_values.c.indicator_id == "research.huawei_ru"))}
    assert values
    for v in values:
        if v["subject"] == "all":
            continue
        for e in v["evidence"]:
            assert (centres[v["subject"]], e["id"]) in signed, (v["subject"], e["id"])
    total = {v["period"]: v["value"] for v in values if v["subject"] == "all"}
    assert total != {p: huawei.get(p) for p in total}, "the centres' papers are not Huawei's"


def test_declared_units_reach_the_json_of_every_indicator(demo_store):
    indicators = {i["id"]: i for i in json.loads(cli("indicators", "--format", "json",
                                                     "--no-evidence"))}
    for ind in all_indicators().values():
        if ind.id in indicators:
            assert indicators[ind.id]["units"]["value"] == ind.unit
