"""Meta-tests that keep the indicator registry honest."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from trendline.core.settings import ROOT
from trendline.indicators.registry import all_indicators
from trendline.indicators.registry import evaluate_indicator as evaluate

INDICATORS = all_indicators()
WATCH_LIST = [  # every row of the watch-list (../shared/INDICATORS.md) is in scope
    "research.joint_output",
    "research.joint_share",
    "research.dyad_comparison",
    "research.field_mix",
    "research.institution_pairs",
    "research.citation_impact",
    "research.entity_list_collab",
    "research.defence_ru_collab",
    "research.huawei_ru",
    "research.joint_centres",
    "research.chinese_language",
    "research.formalization",
    "investment.disclosed_flow",
    "investment.dyad_comparison",
    "investment.portfolio_share",
    "investment.new_vehicles",
    "investment.opacity",
    "investment.concern_areas",
    "investment.rcif_portfolio",
    "investment.ai_dragons",
    "investment.defence_soe",
    "investment.partnerships",
    "investment.data_agreements",
    "talent.student_flows",
    "data.freshness",
]
TESTS = "\n".join(  # the other test files: this one names every id already
    p.read_text(encoding="utf-8")
    for p in (ROOT / "tests").rglob("test_*.py")
    if p.name != "test_registry.py"
)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_watch_list_indicator_is_registered():
    assert sorted(INDICATORS) == sorted(WATCH_LIST)


@pytest.mark.parametrize("ind_id", sorted(INDICATORS))
def test_indicator_is_declared_documented_and_tested(ind_id):
    ind = INDICATORS[ind_id]
    assert ind.title and ind.description, "needs a title and a docstring"
    assert ind.baseline.summary and ind.baseline.citation
    assert ind.rules, "needs default rules"
    assert set(ind.needs), "must declare the frames it reads"
    assert f"`{ind_id}`" in README, "README's indicator table must list it"
    if ind_id != "data.freshness":  # tested below
        assert ind_id in TESTS, "needs a test that names it"


def test_freshness_flags_a_stale_source_once_per_episode():
    runs = pd.DataFrame(
        [
            {
                "source": "openalex",
                "status": "succeeded",
                "finished_at": pd.Timestamp("2026-11-20"),
                "checked_at": pd.Timestamp("2026-11-21"),
            },
            {
                "source": "screening_list",
                "status": "succeeded",
                "finished_at": pd.Timestamp("2026-11-29"),
                "checked_at": None,
            },
            {
                "source": "events",
                "status": "failed",
                "finished_at": pd.Timestamp("2026-11-29"),
                "checked_at": None,
            },
            {  # a one-off import: no schedule, never stale
                "source": "import:old.csv",
                "status": "succeeded",
                "finished_at": pd.Timestamp("2025-01-01"),
                "checked_at": None,
            },
        ]
    )
    frames = {"refresh_runs": runs, "sources": pd.DataFrame({"name": ["openalex", "events"]})}
    ev = evaluate(INDICATORS["data.freshness"], frames, dt.date(2026, 11, 29))
    assert ev.results[0].series["openalex"] == {"2026-11-29": 8.0}
    assert "import:old.csv" not in ev.results[0].series
    assert [(f.subject, f.period, f.severity) for f in ev.findings] == [
        ("publications", "2026", "info"),
        ("openalex", "2026-11-21", "warning"),
    ]
