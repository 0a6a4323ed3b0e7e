"""Every read page on the demo store: status, numbers with their units, hostile text
rendered inert, filters that are plain filters, and /api JSON equal to the CLI's."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from trendline.core import schema

ALERT = "85de238bf0c4"  # research.joint_output, 2025: fires on the demo
ORG = "ror:040b32p69"  # Megvii: a deal party and an AI dragon
PAGES = ["/", "/indicators/research.joint_output", "/indicators/investment.disclosed_flow",
         "/alerts", "/alerts?status=all", f"/alerts/{ALERT}", "/organisations",
         f"/organisations/{ORG}", "/changes", "/sources",
         "/indicators/research.joint_output/evidence?period=2019"]
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
JS = "javascript:alert(3)"


def cli_json(*args: str):
    from trendline.cli import main

    out = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_on_the_demo(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    if url not in ("/organisations", f"/organisations/{ORG}", "/changes"):  # real rows only
        assert "DEMO DATA" in r.text  # these pages show demo rows, and say so
    assert 'href="/silences"' in r.text  # the actions engineer's page, linked from every page


def test_overview_groups_as_the_brief_with_values_in_units(client, web_res):
    from trendline.tasks.publish.brief import grouped
    from trendline.tasks.publish.report import overview

    with web_res.engine.connect() as conn:
        groups = grouped(overview(conn), web_res.now().date())
    body = client.get("/").text
    heads = re.findall(r"<h2>([^<]+)</h2>", body)
    assert heads == [g["title"] for g in groups]
    row = next(b for g in groups for b in g["rows"] if b["id"] == "research.joint_output")
    assert row["value"].endswith("papers") and row["value"] in body  # "196 papers"
    assert "<svg class=\"spark\"" in body and "no open incident" in body
    assert "openalex" in body  # the data-health strip names each source


def test_indicator_page_has_chart_series_rules_and_history(client, web_res):
    body = client.get("/indicators/research.joint_output").text
    start = body.index('<svg class="chart"')
    chart = body[start:body.index("</svg>", start)]
    assert "the brief's period 2010-2019" in chart  # shaded window with its tooltip
    # a tooltip per point
    assert re.search(r"<title>joint papers, 2019: [\d,]+ papers</title>", chart)
    this_year = web_res.now().year  # still filling in: a hollow point, said in its tooltip
    assert re.search(rf"<title>joint papers, {this_year}: [\d,]+ papers \(still filling in\)",
                     chart)
    assert re.search(r'<circle cx="[\d.]+" cy="[\d.]+" r="3.5" fill="#fff"', chart)
    assert "<title>fitted: trend</title>" in chart  # the verdict's fitted line
    assert "papers" in body and "Konaev" in body  # units and the citation
    assert "alert when" in body  # each rule in words, with where its threshold comes from
    assert f'href="http://127.0.0.1/alerts/{ALERT}"' in body  # alert history links


def test_unknown_values_are_marked_never_zero(client, web_res):
    """A year whose value is unknown shows "unknown" in the table and a ? on the chart."""
    t = schema.indicator_values
    with web_res.engine.begin() as conn:
        conn.execute(t.update().where(t.c.indicator_id == "research.joint_output",
                                      t.c.subject == "all", t.c.period == "2015")
                     .values(value=None))
    body = client.get("/indicators/research.joint_output").text
    assert "joint papers, 2015: unknown" in body
    row = re.search(r"<tr><td>2015</td><td class=\"num\">([^<]+)</td>", body)
    assert row and row.group(1) == "unknown"


def test_alert_page_shows_members_events_and_the_actions_partial(client, web_res):
    body = client.get(f"/alerts/{ALERT}").text
    with web_res.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.alert_members)
                         .where(schema.alert_members.c.alert_id == ALERT)).scalar()
    assert f"Members: {n}" in body and "W999000" in body
    assert "<td>work</td><td>[synthetic demo] " in body  # each member with its record
    assert "firing" in body and "Events" in body


def test_alert_filters(client):
    crit = client.get("/api/alerts?status=all&severity=critical").json()
    assert crit and all(a["severity"] == "critical" for a in crit)
    one = client.get("/api/alerts?status=all&indicator=research.joint_output").json()
    assert one and {a["indicator"] for a in one} == {"research.joint_output"}
    hist = client.get("/api/alerts?status=history").json()
    assert all(a["state"] == "history" for a in hist)
    assert client.get("/alerts?status=bogus").status_code == 400


def test_organisation_page(client):
    body = client.get(f"/organisations/{ORG}").text
    assert "Megvii" in body and "AI dragons" in body
    assert re.search(r"<h2>Deals: [1-9]", body)
    assert client.get("/organisations/tl:no-such-org").status_code == 404


@pytest.mark.parametrize("value", ["' OR '1'='1", "x'; DROP TABLE alerts; --", "%' --"])
def test_sql_in_a_filter_is_a_plain_filter(client, web_res, value):
    assert client.get("/api/alerts", params={"status": "all", "indicator": value}).json() == []
    r = client.get("/organisations", params={"q": value})
    assert r.status_code == 200 and "0 organisation(s)" in r.text
    with web_res.engine.connect() as conn:  # nothing dropped
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.alerts)).scalar()


def test_api_shapes_equal_the_cli_json(client):
    assert client.get("/api/alerts").json() == cli_json("alerts")
    assert client.get("/api/alerts?status=all").json() == cli_json("alerts", "--all")
    assert client.get("/api/indicators").json() == cli_json("indicators")
    one = client.get("/api/indicators/research.joint_output").json()
    assert one == next(r for r in cli_json("indicators") if r["id"] == "research.joint_output")


def _hostile(engine) -> None:
    """Hostile text wherever outside text reaches a page."""
    with engine.begin() as conn:
        conn.execute(schema.alerts.update().where(schema.alerts.c.id == ALERT).values(
            message=f"{SCRIPT} rose", detail=IMG,
            evidence=[{"kind": "work", "id": "W9990000875", "title": SCRIPT, "year": 2025,
                       "doi": JS, "demo": False}]))
        conn.execute(schema.organisations.update().where(schema.organisations.c.id == ORG)
                     .values(name=IMG, aliases=[SCRIPT], names={"zh": [IMG], "en": [SCRIPT]}))
        conn.execute(schema.org_listings.update().where(schema.org_listings.c.org_id == ORG)
                     .values(source_url=JS, citation=SCRIPT, name=IMG))
        conn.execute(schema.deals.update().values(target=SCRIPT, source_url=JS, is_demo=False))
        conn.execute(schema.watchlist_changes.update().values(name=IMG))
        conn.execute(schema.watchlist_entries.update().values(source_url=JS))
        conn.execute(schema.refresh_runs.update().values(message=SCRIPT))
        conn.execute(schema.works.update().values(title=SCRIPT, doi=JS, is_demo=False))


@pytest.mark.parametrize("url", PAGES)
def test_hostile_text_renders_inert(client, web_res, url):
    _hostile(web_res.engine)
    body = client.get(url).text
    assert "<script>alert" not in body and "<img src=x" not in body
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", body, re.I)
    assert "onerror=\"alert" not in body


def test_hostile_text_is_shown_escaped(client, web_res):
    _hostile(web_res.engine)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/alerts/{ALERT}").text
    assert "&lt;img src=x onerror=" in client.get(f"/organisations/{ORG}").text


EVIDENCE = "/indicators/research.joint_output/evidence"


def test_evidence_page_is_paged_filtered_and_says_why(client, web_res):
    from trendline.tasks.evaluate.evidence import evidence_page

    first = evidence_page(web_res, "research.joint_output", period="2019", limit=50)
    body = client.get(EVIDENCE, params={"period": "2019"}).text
    assert f"{first.total} record(s)" in body
    assert all(str(i) in body for i in first.rows["id"])
    assert "Matched:" in body and "Countries:" in body  # why each paper counts
    size = web_res.settings.web.page_size
    deep = -(-first.total // size)
    last = client.get(EVIDENCE, params={"period": "2019", "page": deep})
    assert last.status_code == 200 and f"page {deep} of {deep}" in last.text
    one = first.rows["id"].iloc[0]
    found = client.get(EVIDENCE, params={"period": "2019", "q": one}).text
    assert "1 record(s)" in found
    api = client.get(f"/api{EVIDENCE}", params={"period": "2019", "page": 1}).json()
    assert api["total"] == first.total and [r["id"] for r in api["rows"]] == \
        [str(i) for i in first.rows["id"]]
    assert client.get(EVIDENCE, params={"sort": "nonsense"}).status_code == 400
    assert client.get("/indicators/nope/evidence").status_code == 404


def test_evidence_deals_show_amounts_or_undisclosed(client):
    body = client.get("/indicators/investment.disclosed_flow/evidence").text
    assert "Amount: $" in body or "Amount: undisclosed" in body


@pytest.mark.parametrize("value", ["' OR '1'='1", "%", "x'; DROP TABLE works; --"])
def test_sql_in_the_evidence_text_filter_is_plain(client, value):
    r = client.get(EVIDENCE, params={"period": "2019", "q": value})
    assert r.status_code == 200 and "0 record(s)" in r.text


def test_evidence_downloads_equal_the_cli(client):
    from trendline.cli import main

    for fmt in ("csv", "json"):
        cli = CliRunner().invoke(main, ["evidence", "research.joint_output", "--period",
                                        "2019", "--format", fmt], catch_exceptions=False)
        assert cli.exit_code == 0, cli.output
        web = client.get(EVIDENCE, params={"period": "2019", "format": fmt})
        assert web.status_code == 200
        assert web.text.strip() == cli.output.strip()
