"""Golden values: every indicator on the demo gives the values recorded in
tests/fixtures/golden_demo.json (regenerate with `python tests/evaluate/test_golden.py` only when an
issue changes a number on purpose, and say which in the commit). Also: a deal, event or
affiliation that two indicators both look at resolves to the same organisation in both."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import sqlalchemy as sa

FIXTURE = Path(__file__).parents[1] / "fixtures" / "golden_demo.json"
CLOCK = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
SKIP = {"data.freshness"}  # ages depend on when the test runs


def demo_values(engine, settings) -> dict[str, dict[str, float | None]]:
    from helpers import run_pipeline

    from trendline.core import schema

    run_pipeline(engine, settings, clock=lambda: CLOCK)
    t = schema.indicator_values
    out: dict[str, dict[str, float | None]] = {}
    with engine.connect() as conn:
        for r in conn.execute(sa.select(t.c.indicator_id, t.c.subject, t.c.period, t.c.value,
                                        t.c.evidence_count)):
            if r.indicator_id in SKIP:
                continue
            key = f"{r.subject}|{r.period}"
            out.setdefault(r.indicator_id, {})[key] = [r.value, r.evidence_count]
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_demo_values_match_the_golden_file(engine, settings):
    golden = json.loads(FIXTURE.read_text(encoding="utf-8"))
    got = demo_values(engine, settings)
    assert sorted(got) == sorted(golden)
    diffs = [(ind, key, golden[ind].get(key), v) for ind, values in got.items()
             for key, v in values.items()
             if key not in golden[ind] or not same(golden[ind][key][0], v[0])
             or golden[ind][key][1] != v[1]]
    diffs += [(ind, key, v, None) for ind, values in golden.items() for key, v in values.items()
              if key not in got[ind]]
    assert not diffs, diffs[:10]


def test_shared_records_resolve_to_one_organisation(demo_store, settings):
    """Indicators read organisations from the resolved tables only: every organisation an
    indicator's evidence names for a work or a deal is the one the store resolved."""
    from trendline.core import schema
    from trendline.core.db import make_engine

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        values = conn.execute(sa.select(schema.indicator_values)).mappings().all()
        parties = {(r.record_id, r.org_id) for r in conn.execute(sa.select(
            schema.party_matches.c.record_id, schema.party_matches.c.org_id))}
        a, m = schema.authorships, schema.affiliation_matches
        affs = {(r.work_id, r.org_id) for r in conn.execute(
            sa.select(a.c.work_id, m.c.org_id).join(m, m.c.key == a.c.affiliation_key))}
    checked = 0
    for v in values:
        for rec in v["evidence"]:
            for hit in rec.get("matched") or []:
                pool = affs if rec["kind"] == "work" else parties
                assert (rec["id"], hit["org_id"]) in pool, (v["indicator_id"], rec["id"], hit)
                checked += 1
    assert checked >= 10


if __name__ == "__main__":  # regenerate the golden file
    import os
    import tempfile

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from trendline.core.db import make_engine, migrate
    from trendline.core.settings import load_settings

    for key in [k for k in os.environ if k.startswith(("TRENDLINE_", "OPENALEX_"))]:
        del os.environ[key]
    os.environ["TRENDLINE_HOME"] = tempfile.mkdtemp()
    s = load_settings()
    eng = make_engine(s.database_url)
    migrate(eng)
    FIXTURE.write_text(json.dumps(demo_values(eng, s), indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")
    print(f"wrote {FIXTURE}")


def test_a_year_of_undisclosed_deals_shows_no_dollar_value_and_fires_nothing(demo_store):
    """`trendline indicators --format json`: 2014's only China-Russia deal (RCIF in DiDi)
    is undisclosed, so the year has no value, the count of undisclosed deals, no alert."""
    from click.testing import CliRunner

    from trendline.cli import main

    out = CliRunner().invoke(main, ["indicators", "--format", "json"])
    assert out.exit_code == 0, out.output
    flow = next(i for i in json.loads(out.output) if i["id"] == "investment.disclosed_flow")
    year = next(p for p in flow["series"] if p["period"] == "2014")
    assert year["value"] is None and year["detail"]["undisclosed"] == 1
    alerts = CliRunner().invoke(main, ["alerts", "--all", "--format", "json"])
    assert not [a for a in json.loads(alerts.output)
                if a["indicator"] == "investment.disclosed_flow" and a["period"] == "2014"]


def test_synthetic_records_never_link_to_real_sites(demo_store, settings):
    """Every rendered output made from demo rows: no link to openalex.org or doi.org."""
    import re

    from trendline.core.db import make_engine
    from trendline.core.resources import Resources
    from trendline.tasks.publish import weekly

    res = Resources(settings, make_engine(settings.database_url), clock=lambda: CLOCK)
    path = weekly(res)
    for f in path.parent.glob("summary.*"):
        text = f.read_text(encoding="utf-8")
        links = re.findall(r"https?://(?:openalex\.org/W999|doi\.org/10\.5555)\S*", text)
        assert not links, (f.name, links[:3])
        assert "DEMO" in text.upper()
