"""Revisions are not trends, end to end: a fake OpenAlex on 127.0.0.1 is refreshed twice,
the second time with 2018 and 2019 revised by +12% (as the Walden rewrite shifted
volumes). One data-health notice in the report and the weekly summary, no growth alert
for those years, the verdict says its series was revised, and the vintages are stored;
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from werkzeug import Response

from trendline.cli import main
from trendline.core import schema
from trendline.core.db import make_engine, migrate
from trendline.core.resources import Resources
from trendline.core.settings import load_settings
from trendline.tasks.evaluate import evaluate
from trendline.tasks.ingest import ingest
from trendline.tasks.publish.report import write_report
from trendline.tasks.publish.weekly import build_weekly
from trendline.tasks.resolve import resolve

FIXTURES = Path(__file__).parents[1] / "fixtures" / "openalex"
IND = "research.joint_output"
JOINT = {2010: 6, 2011: 9, 2012: 12, 2013: 15, 2014: 20, 2015: 30, 2016: 44, 2017: 70,
         2018: 77, 2019: 84, 2020: 88, 2021: 85, 2022: 87, 2023: 89, 2024: 86, 2025: 88}
OTHERS = {("US", "CN"): 8000, ("US", "RU"): 150, ("CN",): 100_000, ("RU",): 5_000,
          ("US",): 40_000}
FIRST = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
SECOND = FIRST + dt.timedelta(days=1)


class FakeOpenAlex:
    """group_by counts per series (from the filter's countries) and one page of works;
    `revise` scales the CN+RU counts of some years."""

    def __init__(self):
        self.revise: dict[int, float] = {}

    def __call__(self, request):
        args = request.args.to_dict()
        if "group_by" in args:
            countries = tuple(c.split(":")[1] for c in args["filter"].split(",")
                              if c.startswith("authorships.countries:"))
            if set(countries) == {"CN", "RU"}:
                counts = {y: round(n * self.revise.get(y, 1.0)) for y, n in JOINT.items()}
            else:
                counts = {y: OTHERS[countries] for y in JOINT}
            body = {"meta": {"count": sum(counts.values()), "groups_count": len(counts)},
                    "results": [], "group_by": [{"key": str(y), "key_display_name": str(y),
                                                 "count": n} for y, n in counts.items()]}
        else:
            body = json.loads((FIXTURES / "works_page.json").read_text(encoding="utf-8"))
            body["meta"]["next_cursor"] = None
        return Response(json.dumps(body), 200, content_type="application/json")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, home, monkeypatch, httpserver):
    fake = FakeOpenAlex()
    httpserver.expect_request("/works").respond_with_handler(fake)
    monkeypatch.setenv("OPENALEX_API_KEY", "key-for-the-revisions-test")
    monkeypatch.setenv("OPENALEX_BASE_URL", httpserver.url_for("").rstrip("/"))
    store_cfg = {}
    if request.param == "postgresql":
        store_cfg = {"url": request.getfixturevalue("pg_url")}
    rules = [{"kind": "absolute", "severity": "warning", "op": ">=", "threshold": 90},
             {"kind": "yoy", "severity": "warning", "threshold": 0.3, "min_base": 3}]
    settings = load_settings(
        None, store=store_cfg,
        sources={"publications": "openalex",
                 "openalex": {"max_retries": 0, "backoff_seconds": 0}},
        indicators={IND: {"since": 2015, "rules": rules}})
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate(engine)
    yield settings, engine, fake
    engine.dispose()


def refresh_and_evaluate(settings, engine, now, status="succeeded"):
    res = Resources(settings, engine, lambda: now)
    [out] = ingest(res, only=["openalex"])
    assert out.status == status, out
    resolve(res)
    return res, evaluate(res)


def test_a_revision_of_past_years_is_a_notice_not_a_growth_alert(store):
    settings, engine, fake = store
    refresh_and_evaluate(settings, engine, FIRST)
    build_weekly(engine, settings, FIRST + dt.timedelta(minutes=5))  # the last summary
    with engine.connect() as conn:
        events_before = conn.execute(sa.select(sa.func.count()).select_from(
            schema.alert_events)).scalar_one()

    fake.revise = {2018: 1.12, 2019: 1.12}  # 77 -> 86, 84 -> 94 papers
    res, outcome = refresh_and_evaluate(settings, engine, SECOND)
    assert outcome.revisions >= 2

    v = schema.series_vintages
    with engine.connect() as conn:
        rows = conn.execute(sa.select(v).where(v.c.indicator_id == IND, v.c.series == "value",
                                               v.c.period.in_(("2018", "2019")))
                            .order_by(v.c.period, v.c.id)).mappings().all()
        all_vintages = conn.execute(sa.select(sa.func.count()).select_from(v)).scalar_one()
        a = schema.alerts
        joint = conn.execute(sa.select(a).where(a.c.indicator_id == IND)).mappings().all()
        events = conn.execute(sa.select(schema.alert_events)).mappings().all()
        verdict = conn.execute(sa.select(schema.verdicts.c.revised).where(
            schema.verdicts.c.indicator_id == IND, schema.verdicts.c.subject == "all")
        ).scalar_one()
    # the vintages: the first values and the revised ones, with who wrote them
    assert [(r["period"], r["previous"], r["value"], r["revision"]) for r in rows] == [
        ("2018", None, 77.0, False), ("2018", 77.0, 86.0, True),
        ("2019", None, 84.0, False), ("2019", 84.0, 94.0, True)]
    assert all(r["source"] == "openalex" and r["refresh_run_id"] for r in rows)
    assert all_vintages < 2 * 400  # a change is a row; the same value is no copy
    # no growth alert for those years: 2019 now passes the alert level of 90 papers only
    # because OpenAlex revised it; it is recorded, never announced
    by_period = {r["period"]: r for r in joint}
    assert by_period["2019"]["state"] == "history"
    assert by_period["2019"]["detail"].startswith("Not announced")
    assert by_period["2019"]["rule_spec"]["held_back"] == "source revision"
    assert "2018" not in by_period
    assert [e for e in events[events_before:] if e["alert_id"] == by_period["2019"]["id"]] == []
    assert verdict.startswith("OpenAlex revised 2019 from 84 to 94 papers (+12%), 2018 from "
                              "77 to 86 papers (+12%) on 2026-12-01")

    # one data-health notice, in the report and in the weekly summary
    report = write_report(engine, settings, SECOND).read_text(encoding="utf-8")
    line = ("OpenAlex revised Joint China-Russia AI papers per year: 2019 from 84 to 94 "
            "papers (+12%), 2018 from 77 to 86 papers (+12%)")
    assert report.count("Data health: source revisions") == 1 and line in report
    folder = build_weekly(engine, settings, SECOND + dt.timedelta(days=7))[0].parent
    for fmt in ("html", "txt", "md"):
        text = (folder / f"summary.{fmt}").read_text(encoding="utf-8")
        assert text.lower().count("data health: source revisions") == 1, fmt
        assert "Source revisions found on 2026-12-01" in text, fmt
        assert "0 opened" in text and "1 held back, owed only to a source revising an " \
            "earlier year" in " ".join(text.split()), fmt
        assert "revised since the last summary: OpenAlex revised 2019" in text.replace(
            "Revised since", "revised since"), fmt

    if settings.database_url.startswith("sqlite"):  # the CLI reads the same state folder
        shown = CliRunner().invoke(main, ["indicators"])
        assert shown.exit_code == 0, shown.output
        flat = " ".join(shown.output.split())
        assert "[revised since the last summary: OpenAlex revised 2019 from 84 to 94" in flat
        listed = json.loads(CliRunner().invoke(main, ["indicators", "--format", "json",
                                                      "--no-evidence"]).output)
        assert [i["verdict"]["revised"] for i in listed if i["id"] == IND][0] == verdict

    # a third refresh with nothing new: no new vintage, no notice in its report
    refresh_and_evaluate(settings, engine, SECOND + dt.timedelta(days=1), "unchanged")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(v)).scalar_one() \
            == all_vintages
    report = write_report(engine, settings, SECOND + dt.timedelta(days=1))
    assert "source revisions" not in report.read_text(encoding="utf-8").lower()
