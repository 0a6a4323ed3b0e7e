"""Curated events: the brief's formal ties ship, with sources; bad records are rejected."""

from __future__ import annotations

from trendline.core.settings import Settings
from trendline.tasks.ingest.sources import events

BRIEF_EVENTS = {
    "cas-ras-agreement-2018", "cas-ras-agreement-2019", "hdu-itmo-joint-institute-2018",
    "nsfc-hdu-itmo-232-2020", "nsfc-hdu-itmo-234-2020", "beihang-mai-ma-2020",
    "dahua-ntechlab-2019", "fitsco-cognitive-pilot-2020", "ubtech-lanit-2019",
    "promobot-fn-holdings-2019", "vinci-jovi-2019", "skoltech-huawei-lab-2018",
    "mipt-huawei-lab-2020", "rcif-founding-2012",
}


def test_brief_events_ship_with_sources():
    batch = events.normalise(events.fetch(Settings()))
    assert batch.rejects == []
    rows = {e["id"]: e for e in batch.tables["events"]}
    assert BRIEF_EVENTS <= set(rows)
    for event_id in BRIEF_EVENTS:
        row = rows[event_id]
        assert not row["is_demo"] and row["source_url"].startswith("https://")
        assert row["countries"] == ["CN", "RU"]
    assert rows["dahua-ntechlab-2019"]["concern_areas"] == ["facial_recognition"]
    assert rows["fitsco-cognitive-pilot-2020"]["type"] == "corporate_partnership"
    assert rows["rcif-founding-2012"]["year"] == 2012
    demo = [e for e in rows.values() if e["is_demo"]]
    assert demo and all("synthetic demo record" in e["note"] for e in demo)


def test_bad_events_are_rejected_with_reasons():
    text = """events:
  - {id: ok, date: "2024-01-02", type: joint_centre, title: A lab,
     parties: [{name: A, country: CN}, {name: B, country: RU}], source_url: "https://x.org/1"}
  - {id: t, date: "2024", type: picnic, title: X, parties: [A, B], source_url: "https://x.org"}
  - {id: p, date: "2024", type: joint_centre, title: X, parties: [A], source_url: "https://x.org"}
  - {id: u, date: "2024", type: joint_centre, title: X, parties: [A, B]}
  - {id: d, date: "3201", type: joint_centre, title: X, parties: [A, B], source_url: "https://x"}
"""
    batch = events.normalise({"files": [("ev.yaml", text, False)], "mode": "file"})
    assert [e["id"] for e in batch.tables["events"]] == ["ok"]
    assert [(r.line, r.field) for r in batch.rejects] == [
        (2, "type"), (3, "parties"), (4, "source_url"), (5, "date")]


def test_event_party_errors_name_the_party():
    """The field path of a nested error says which party is wrong (pydantic's path form)."""
    text = """events:
  - {id: a, date: "2024", type: joint_centre, title: X, source_url: "https://x.org",
     parties: [{name: A, country: CN}, {name: B, country: Narnia}]}
  - {id: b, date: "2024", type: joint_centre, title: X, source_url: "https://x.org",
     parties: [{name: A, country: CN}, {country: RU}]}
  - {id: c, date: "2024", type: joint_centre, title: X, source_url: "https://x.org",
     parties: [A, B], amount_usd: lots}
  - {id: d, date: "2024", type: joint_centre, title: X, source_url: "https://x.org",
     parties: [A, B], amount_usd: 5000000}
"""
    batch = events.normalise({"files": [("ev.yaml", text, False)], "mode": "file"})
    assert [str(r) for r in batch.rejects] == [
        "ev.yaml:1: parties.1.country: unknown country code 'NARNIA'",
        "ev.yaml:2: parties.1.name: a party without a name",
        "ev.yaml:3: amount_usd: not a number: 'lots'",
    ]
    assert [(e["id"], e["amount_usd"]) for e in batch.tables["events"]] == [("d", 5e6)]
