"""Watch-list sources: the screening list's change feed, its JSON form, curated lists."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from trendline.core import schema
from trendline.tasks.ingest.sources import curated_lists
from trendline.tasks.ingest.sources import screening_list as csl

SHARED = Path(__file__).parents[3] / "shared" / "data" / "entity_list"


@pytest.fixture
def conn():
    engine = sa.create_engine("sqlite://")
    schema.metadata.create_all(engine)
    with engine.begin() as c:
        yield c


def refresh(conn, module, raw, run_id: str, day: dt.datetime):
    return module.load(conn, module.normalise(raw), run_id, day)


def feed(conn, run_id):
    t = schema.watchlist_changes
    rows = conn.execute(sa.select(t).where(t.c.refresh_run_id == run_id)).mappings()
    return {(r["change"], r["name"]) for r in rows}


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not beside the clone")
def test_screening_list_2019_then_2025_feed(conn):
    t1, t2 = dt.datetime(2019, 12, 3, tzinfo=dt.UTC), dt.datetime(2025, 6, 25, tzinfo=dt.UTC)
    for year, run, when in (("2019", "r1", t1), ("2025", "r2", t2)):
        path = SHARED / f"watchman_csl_sample_{year}.csv"
        refresh(conn, csl, (str(path), path.read_text(encoding="utf-8-sig"), "file"), run, when)
    first, second = feed(conn, "r1"), feed(conn, "r2")
    assert ("added", "54th Research Institute of China") in first
    assert ("removed", "54th Research Institute of China") in second
    added = {n for c, n in second if c == "added"}
    assert any("13th Research Institute" in n for n in added)
    assert any(n.startswith("Academy of Aerospace Solid Propulsion") for n in added)
    t = schema.watchlist_entries
    cetc13 = conn.execute(sa.select(t).where(t.c.name.like("%13th Research%"))).mappings().one()
    assert cetc13["listed_on"] == dt.date(2018, 8, 1) and "83 FR 37423" in cetc13["citation"]
    assert "CETC Research Institute 13" in cetc13["aliases"]  # leading "and " dropped


def test_screening_list_json_form_uses_address_countries():
    doc = {"results": [
        {"source": "Entity List (EL) - Bureau of Industry and Security", "name": "Foo Institute",
         "alt_names": ["Foo", "and Bar"], "start_date": "2020-06-05",
         "federal_register_notice": "85 FR 34495",
         "addresses": [{"address": "1 Road", "city": "Harbin", "country": "CN"}]},
        {"source": "Entity List (EL) - Bureau of Industry and Security", "name": "Elsewhere",
         "addresses": [{"country": "DE"}]},
    ]}
    batch = csl.normalise(("x.json", json.dumps(doc), "file"))
    (entry,) = batch.tables["watchlist_entries"]
    assert entry["country"] == "CN" and entry["aliases"] == ["Foo", "Bar"]
    assert entry["listed_on"] == dt.date(2020, 6, 5) and entry["citation"] == "85 FR 34495"


def test_curated_lists_load_is_stable_and_cited(conn):
    raw = curated_lists.fetch(None)
    batch = curated_lists.normalise(raw)
    entries = batch.tables["watchlist_entries"]
    lists = {e["list_name"] for e in entries}
    assert lists == {"seven_sons", "ru_defence", "nro_canada", "ai_dragons", "defence_soe",
                     "huawei", "entity_list", "joint_vehicles"}
    assert all(e["source_url"] and e["org_id"] for e in entries)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    curated_lists.load(conn, batch, "c1", now)
    curated_lists.load(conn, curated_lists.normalise(raw), "c2", now)
    assert feed(conn, "c2") == set()  # a second identical refresh changes nothing
    n = conn.execute(sa.select(sa.func.count()).select_from(schema.watchlist_entries)).scalar()
    assert n == len(entries)
