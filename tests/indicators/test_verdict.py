"""Headline or trend line: verdicts on a labelled synthetic set, the batched estimators
against the libraries they mirror, and the `trendline verdict` command."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from verdict_labelled import SEED, accuracy, labelled_set, name, noisy, write_csv

from trendline.cli import main
from trendline.indicators.verdict import (
    LABELS,
    Verdict,
    change_points,
    contradiction,
    reference_change_points,
    reference_fit,
    verdict_for,
    verdicts,
)
from trendline.indicators.verdict_words import meanings, word

# --------------------------------------------------------------------------- labelled set


def test_labelled_set_accuracy_with_the_command(tmp_path):
    """`trendline verdict` on the labelled set (verdict_labelled.py, fixed seed): accuracy
    >= 0.9 overall and >= 0.85 for each of the six labels."""
    cases = labelled_set()
    assert len(cases) >= 250 and {c["label"] for c in cases} == set(LABELS)
    path = tmp_path / "labelled.csv"
    write_csv(path, cases)
    result = CliRunner().invoke(main, ["verdict", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    got = {r["series"]: r["verdict"] for r in json.loads(result.stdout)}
    overall, per, text = accuracy(cases, [got[name(i, c)] for i, c in enumerate(cases)])
    print(f"\nverdict accuracy on the labelled set (seed {SEED})\n{text}")
    assert overall >= 0.9, text
    for label, acc in per.items():
        assert acc >= 0.85, f"{label}: {acc:.3f}\n{text}"


def test_no_verdict_of_the_labelled_set_contradicts_its_interval():
    cases = labelled_set()
    for c in cases:
        v = verdict_for(c["periods"], c["values"], kind=c["kind"])
        assert contradiction(v.verdict, v.growth, v.growth_low, v.growth_high) is None, v
        assert v.explanation.startswith(f"{word(v.verdict)}: "), v.explanation
        assert "trend line" not in v.explanation and "insufficient" not in v.explanation


def test_many_series_at_once_match_one_at_a_time():
    cases = labelled_set()
    frame = pd.DataFrame(
        [
            {"series": f"s{i}", "period": p, "value": v}
            for i, c in enumerate(cases)
            for p, v in zip(c["periods"], c["values"], strict=True)
        ]
    )
    table = verdicts(frame)
    assert list(table["series"]) == [f"s{i}" for i in range(len(cases))]
    for row in table.itertuples():
        case = cases[int(row.series[1:])]
        kind = "count" if case["kind"] == "count" else "amount"  # auto-detected
        assert row.kind == kind
        one = verdict_for(case["periods"], case["values"], kind=row.kind, series=row.series)
        assert row.verdict == one.verdict
        assert row.explanation == one.explanation


# --------------------------------------------------------------------------- estimators


def _sample(seed: int, size: int):
    rng = np.random.default_rng(seed)
    for i in range(size):
        n = int(rng.integers(5, 21))
        periods = list(range(2005, 2005 + n))
        mean = rng.uniform(3, 400) * (1 + rng.uniform(-0.3, 0.6)) ** np.arange(n)
        if i % 5 == 0:
            mean[rng.integers(n)] *= rng.uniform(2, 6)
        values: list[float | None] = [float(v) for v in noisy(rng, mean, "count")]
        if i % 3 == 0:
            values[int(rng.integers(n))] = None
        yield periods, values


@pytest.mark.parametrize("kind", ["count", "amount"])
def test_batched_fits_agree_with_the_libraries(kind):
    """The batched IRLS (quasi-Poisson) and Theil-Sen give statsmodels' and scipy's growth
    and 95% CI per series, to 1e-6 relative."""
    import trendline.indicators.verdict as V
    from trendline.indicators.verdict_fits import fit

    sample = list(_sample(7, 150))
    frame = pd.DataFrame(
        [
            {"series": str(i), "period": p, "value": v}
            for i, (ps, vs) in enumerate(sample)
            for p, v in zip(ps, vs, strict=True)
        ]
    )
    names = [str(i) for i in range(len(sample))]
    x, y, known = V._dense(frame, names)
    f = fit("count" if kind == "count" else "amount", x, y, known)
    for i, (ps, vs) in enumerate(sample):
        ref = reference_fit(ps, vs, kind)
        ours = (f.growth[i], f.low[i], f.high[i])
        for a, b in zip(ours, ref, strict=True):
            assert a == pytest.approx(b, rel=1e-6, abs=1e-9), (i, ours, ref)


@pytest.mark.parametrize("kind", ["count", "amount"])
def test_change_points_agree_with_ruptures_pelt(kind):
    import trendline.indicators.verdict as V

    sample = list(_sample(11, 120))
    # add some clear regime changes
    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(10, 21))
        k = int(rng.integers(3, n - 3))
        mean = np.r_[np.full(k, 50.0), 50.0 * 1.3 ** np.arange(1, n - k + 1)]
        sample.append((list(range(2000, 2000 + n)), [float(v) for v in noisy(rng, mean, "count")]))
    frame = pd.DataFrame(
        [
            {"series": str(i), "period": p, "value": v}
            for i, (ps, vs) in enumerate(sample)
            for p, v in zip(ps, vs, strict=True)
        ]
    )
    x, y, known = V._dense(frame, [str(i) for i in range(len(sample))])
    ours = change_points("count" if kind == "count" else "amount", x, y, known)
    found = 0
    for i, (ps, vs) in enumerate(sample):
        assert ours[i] == reference_change_points(ps, vs, kind), i
        found += bool(ours[i])
    assert found >= 10  # the comparison is not vacuous


# --------------------------------------------------------------------------- behaviour


def same(a: Verdict, b: Verdict) -> bool:
    """Equal up to float rounding (padding changes the order of sums)."""
    da, db = a.as_dict(), b.as_dict()
    return da.keys() == db.keys() and all(
        da[k] == pytest.approx(db[k], rel=1e-12) if isinstance(da[k], float) else da[k] == db[k]
        for k in da
    )


def test_unknown_values_are_dropped_not_zero():
    periods = list(range(2012, 2024))
    values = [40, 45, None, 60, 66, None, 90, 101, 118, None, 150, 170]
    with_none = verdict_for(periods, values, kind="count")
    kept = [(p, v) for p, v in zip(periods, values, strict=True) if v is not None]
    dropped = verdict_for([p for p, _ in kept], [v for _, v in kept], kind="count")
    as_zero = verdict_for(periods, [v or 0 for v in values], kind="count")
    assert same(with_none, dropped)
    assert with_none.verdict == "trend" and with_none.n_periods == 9
    assert as_zero.as_dict() != with_none.as_dict()
    nan = verdict_for(periods, [math.nan if v is None else v for v in values], kind="count")
    assert same(nan, with_none)


def test_too_few_known_periods_is_insufficient():
    v = verdict_for([2020, 2021, 2022, 2023, 2024, 2025], [3, None, None, 5, None, 9])
    assert v.verdict == "insufficient" and v.growth is None and v.n_periods == 3
    assert v.explanation == "too short to judge: 3 known years in 2020-2025 (need 5)"


def test_window_and_brief_comparison_in_the_explanation():
    periods = list(range(2010, 2026))
    values = [20 * 1.34**i for i in range(10)] + [260 * 1.18**i for i in range(6)]
    v = verdict_for(
        periods, [round(x) for x in values], window=(2020, 2025), brief_window=(2010, 2019)
    )
    assert isinstance(v, Verdict) and v.verdict == "trend" and v.n_periods == 6
    assert v.growth == pytest.approx(0.18, abs=0.01)
    assert v.brief_growth == pytest.approx(0.34, abs=0.01)
    assert v.explanation.startswith("trend: +18% a year (95% CI ")
    assert v.explanation.endswith("over 2020-2025, still rising without its top two years; "
                                  "against +34% a year in 2010-2019")
    full = verdict_for(periods, [round(x) for x in values])
    assert 2020 in full.change_points or 2019 in full.change_points or 2021 in full.change_points


def test_no_brief_rate_from_a_count_that_was_zero_until_the_brief_ended():
    """research.entity_list_collab is zero until its organisations were listed (2019):
    the brief's window has no growth rate to quote (it read "+209% a year in 2010-2020")."""
    periods = list(range(2008, 2026))
    values = [0] * 11 + [11, 12, 13, 19, 19, 19, 37]
    v = verdict_for(periods, values, window=(2021, 2025), brief_window=(2010, 2020))
    assert v.brief_growth is None
    assert v.explanation.endswith("; too few years above zero in 2010-2020 to compare")
    grown = verdict_for(periods, [3, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 19, 19, 19, 37, 30],
                        window=(2021, 2025), brief_window=(2010, 2020))
    assert grown.brief_growth is not None and "against +" in grown.explanation


def test_spike_in_the_latest_period_is_a_headline():
    v = verdict_for(list(range(2015, 2026)), [30, 28, 33, 31, 29, 32, 30, 34, 31, 29, 140])
    assert v.verdict == "headline"
    assert "spike in 2025" in v.explanation and "without a sustained rise" in v.explanation
    amounts = verdict_for(
        list(range(2015, 2026)),
        [3.1, 2.9, 3.3, 3.0, 3.2, 2.8, 3.1, 3.0, 12.5, 3.2, 14.0],
        kind="amount",
    )
    assert amounts.verdict == "headline" and "spikes in 2023 and 2025" in amounts.explanation


def test_flat_is_evidence_of_no_change_within_the_band():
    """flat needs the 95% CI within +-flat_band; the same data with a narrower band, or
    too few to pin the rate down, is unclear, never flat."""
    periods = list(range(2012, 2026))
    steady = [200, 204, 197, 203, 199, 202, 198, 201, 205, 196, 200, 203, 199, 201]
    v = verdict_for(periods, steady)
    assert v.verdict == "flat" and -0.10 <= v.growth_low <= 0 <= v.growth_high <= 0.10
    assert v.explanation.startswith("flat: 0% a year (95% CI ")
    assert "within ±10% a year: no change" in v.explanation
    narrow = verdict_for(periods, steady, flat_band=0.001)
    assert narrow.verdict == "unclear" and "flat within ±0.1%" in narrow.explanation
    few = verdict_for(periods[:5], [3, 5, 2, 4, 3])  # a handful a year over five years
    assert few.verdict == "unclear"
    assert few.explanation.startswith("unclear: too noisy to tell: ")
    assert "a trend needs the CI above zero, flat within ±10%" in few.explanation
    with pytest.raises(ValueError, match="flat_band"):
        verdict_for(periods, steady, flat_band=1.5)


def test_unclear_says_what_would_decide_it():
    """A rise whose CI is above zero but that rests on its last year is unclear, and the
    explanation names the year and the fit without it (research.huawei_ru's shape)."""
    periods = list(range(2020, 2026))
    rests = verdict_for(periods, [79, 80, 80, 95, 92, 98], window=(2020, 2025))
    assert rests.verdict == "unclear" and rests.growth_low > 0
    assert re.fullmatch(r"unclear: \+5% a year \(95% CI 2-8%\) over 2020-2025, but the rise "
                        r"rests on 2025 alone: without it, \+\d+% a year \(95% CI -\d+% to "
                        r"\+\d+%\)", rests.explanation), rests.explanation
    noisy_amounts = verdict_for(periods, [3.1, 0.8, 6.0, 1.2, 4.9, 2.2], kind="amount")
    assert noisy_amounts.verdict == "unclear"
    assert re.search(r"too noisy to tell: .*\(95% CI -\d+% to \+\d+%\)",
                     noisy_amounts.explanation)


def test_too_short_to_judge_in_words():
    """insufficient is always "too short to judge", and says why: too few known years in
    the window, none at all since the brief, or only one year above zero."""
    none = verdict_for(range(2017, 2026), [1, 0, 0, 0, 0, 0, 0, 0, 0], window=(2021, 2025),
                       unit="deals")
    assert none.verdict == "insufficient" and none.growth is None
    assert none.explanation == "too short to judge: no deals in 2021-2025 (the last in 2017)"
    one = verdict_for(range(2022, 2026), [0, 1, 0, 0], window=(2022, 2025))
    assert one.explanation == ("too short to judge: only 2023 is above zero in 2022-2025; "
                               "a rate needs two years")
    # a requirement the window cannot meet is capped at the window's length ...
    four = verdict_for(range(2022, 2026), [40, 52, 66, 87], window=(2022, 2025))
    assert four.verdict != "insufficient" and "need" not in four.explanation
    gaps = verdict_for(range(2022, 2026), [40, None, 66, 87], window=(2022, 2025))
    assert gaps.explanation == "too short to judge: 3 known years in 2022-2025 (need 4)"
    # ... but never below four known periods
    three = verdict_for(range(2023, 2026), [40, 52, 66], window=(2023, 2025))
    assert three.explanation == "too short to judge: 2023-2025 has 3 years (need 4 known)"


def test_direction_words_say_what_a_fall_means():
    ratio = [96.9, 91.1, 87.7, 80.8, 79.4, 61.7]  # US-China over China-Russia joint papers
    v = verdict_for(range(2020, 2026), ratio, kind="share",
                    up="the gap to US-China widens", down="the gap to US-China narrows")
    assert v.verdict == "decline"
    assert v.explanation.startswith("decline: -6% a year (95% CI -11% to -4%) over 2020-2025")
    assert v.explanation.endswith(": the gap to US-China narrows")
    rising = verdict_for(range(2020, 2026), ratio[::-1], kind="share",
                         up="the gap to US-China widens", down="the gap to US-China narrows")
    assert rising.verdict == "trend" and rising.explanation.endswith("the gap to US-China widens")
    assert "gap" not in verdict_for(range(2020, 2026), ratio, kind="share").explanation


@pytest.mark.parametrize(
    ("label", "rate", "why"),
    [
        ("trend", (0.2, -0.01, 0.4), "lower bound"),
        ("decline", (-0.2, -0.4, 0.01), "upper bound"),
        ("flat", (0.01, -0.05, 0.12), "not around zero"),
        ("flat", (0.04, 0.01, 0.08), "not around zero"),
        ("unclear", (0.0, -0.05, 0.05), "inside"),
        ("insufficient", (0.1, 0.0, 0.2), "a rate beside"),
        ("headline", (None, None, None), "without a rate"),
        ("trend", (0.5, 0.1, 0.4), "outside its own"),
        ("steady", (0.0, -0.01, 0.01), "unknown label"),
    ],
)
def test_the_contradiction_check_catches_each_kind(label, rate, why):
    assert why in (contradiction(label, *rate) or "")


def test_contradiction_check_passes_consistent_labels():
    assert contradiction("trend", 0.2, 0.1, 0.3) is None
    assert contradiction("flat", 0.0, -0.05, 0.05) is None
    assert contradiction("unclear", 0.2, 0.05, 0.4) is None  # a rise resting on one year
    assert contradiction("insufficient", None, None, None) is None


def test_one_sentence_per_label_the_same_in_the_readme():
    from pathlib import Path

    text = meanings(0.10)
    assert set(text) == set(LABELS)
    assert all(t.count(". ") == 0 and t.endswith(".") for t in text.values())
    assert "±10%" in text["flat"] and "±5%" in meanings(0.05)["flat"]
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Verdicts\n", 1)[1].split("\n## ", 1)[0]
    for label, sentence in text.items():
        shown = f" (\"{word(label)}\")" if word(label) != label else ""
        assert f"- `{label}`{shown}: {sentence}" in section, label


def test_verdicts_detects_kind_and_rejects_bad_frames():
    frame = pd.DataFrame(
        {
            "series": ["a"] * 6 + ["b"] * 6,
            "period": list(range(2020, 2026)) * 2,
            "value": [1, 2, 3, 5, 8, 13] + [1.5, 2, 2.5, 3, 3.5, 4.25],
        }
    )
    out = verdicts(frame).set_index("series")
    assert out.loc["a", "kind"] == "count" and out.loc["b", "kind"] == "amount"
    assert verdicts(frame, kind="share")["kind"].tolist() == ["share", "share"]
    with pytest.raises(ValueError, match="duplicate"):
        verdicts(pd.concat([frame, frame.head(1)]))
    with pytest.raises(ValueError, match="missing column"):
        verdicts(frame.drop(columns="value"))
    with pytest.raises(ValueError, match="kind"):
        verdict_for([2020], [1], kind="money")


# --------------------------------------------------------------------------- the command


GOOD = """series,period,value
papers,2015,20
papers,2016,24
papers,2017,
papers,2018,33
papers,2019,41
papers,2020,50
papers,2021,58
papers,2022,71
deals,2015,3.5
deals,2016,3.1
deals,2017,3.3
deals,2018,3.6
deals,2019,3.4
deals,2020,14.0
deals,2021,3.2
deals,2022,3.5
"""


def run(tmp_path, text: str, *args: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["verdict", str(path), *args]), str(path)


def test_cli_json(tmp_path):
    result, _ = run(tmp_path, GOOD, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["series"]: r for r in json.loads(result.stdout)}
    assert rows["papers"]["verdict"] == "trend" and rows["deals"]["verdict"] == "headline"
    keys = {
        "series",
        "verdict",
        "growth",
        "growth_low",
        "growth_high",
        "change_points",
        "explanation",
    }
    assert all(keys <= set(r) for r in rows.values())
    assert rows["papers"]["growth_low"] > 0 and rows["papers"]["kind"] == "count"
    assert rows["deals"]["kind"] == "amount"


def test_cli_table(tmp_path):
    result, _ = run(tmp_path, GOOD, "--format", "table", "--kind", "amount")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["SERIES", "VERDICT"] and "CHANGE_POINTS" in lines[0]
    assert any(line.split()[:2] == ["papers", "trend"] for line in lines)
    assert any(line.startswith("papers: trend: +") for line in lines)
    assert any(line.startswith("deals: headline: spike in 2020") for line in lines)


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("series,period\na,2020\n", 1, "value: missing column"),
        ("series,period,value\na,2020,1\na,2021,abc\n", 3, "value: not a number: 'abc'"),
        ("series,period,value\na,2020,1\na,2021.5,2\n", 3, "period: not a whole number"),
        ("series,period,value\na,2020,1\na,,2\n", 3, "period: not a whole number"),
        ("series,period,value\na,2020,1\nb,2020,1\na,2020,2\n", 4, "period: 2020 repeats line 2"),
        ("series,period,value\na,2020,1\na,2021\n", 3, "value: missing field"),
        ("series,period,value\na,2020,inf\n", 2, "value: not a finite number"),
    ],
)
def test_cli_malformed_csv_exits_2_with_one_line(tmp_path, text, line, field):
    result, path = run(tmp_path, text)
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr.splitlines()
    assert len(err) == 1, result.stderr
    assert err[0].startswith(f"trendline: {path}:{line}: {field}"), err[0]
    assert "Traceback" not in result.stderr


def test_cli_negative_count_and_missing_file(tmp_path):
    result, path = run(tmp_path, "series,period,value\na,2020,-1\n", "--kind", "count")
    assert result.exit_code == 2 and result.stderr.strip() == (
        f"trendline: {path}:2: value: negative count: '-1'"
    )
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(main, ["verdict", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"trendline: cannot read {missing}: No such file or directory"
    ]


def test_cli_bad_window_is_one_line(tmp_path):
    result, _ = run(tmp_path, GOOD, "--window", "2025-2020")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "trendline: --window: expected START-END years, e.g. 2020-2025, not '2025-2020'"
    ]
    result, _ = run(tmp_path, GOOD, "--flat-band", "2")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "trendline: --flat-band: expected a fraction between 0 and 1, e.g. 0.10, not 2"
    ]


def test_cli_flat_band_from_the_option_and_the_setting(tmp_path, monkeypatch):
    steady = "series,period,value\n" + "".join(
        f"s,{2010 + i},{v}\n" for i, v in enumerate([200, 204, 197, 203, 199, 202, 198, 201]))
    result, _ = run(tmp_path, steady, "--format", "json")
    assert json.loads(result.stdout)[0]["verdict"] == "flat"
    result, _ = run(tmp_path, steady, "--format", "json", "--flat-band", "0.001")
    assert json.loads(result.stdout)[0]["verdict"] == "unclear"
    monkeypatch.setenv("TRENDLINE_VERDICTS__FLAT_BAND", "0.001")
    result, _ = run(tmp_path, steady, "--format", "json")
    assert json.loads(result.stdout)[0]["verdict"] == "unclear", result.output


# --------------------------------------------------------------------------- purity, speed


def test_verdict_module_is_pure():
    """No store, no flows, no CLI: the module imports numerical libraries only."""
    import subprocess
    import sys

    code = (
        "import sys, trendline.indicators.verdict\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'prefect', 'httpx'} or (m.startswith('trendline.') and not "
        "m.startswith('trendline.indicators')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_ten_thousand_series_in_under_ten_seconds():
    import time

    rng = np.random.default_rng(5)
    n, periods = 10_000, 20
    mean = rng.uniform(5, 300, (n, 1)) * (1 + rng.uniform(-0.2, 0.5, (n, 1))) ** np.arange(periods)
    values = np.asarray(rng.negative_binomial(30, 30 / (30 + mean)), float)
    values[: n // 2] *= 1.01  # half the series are amounts
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(n).astype(str), periods),
            "period": np.tile(np.arange(2006, 2006 + periods), n),
            "value": values.ravel(),
        }
    )
    start = time.perf_counter()
    out = verdicts(frame)
    elapsed = time.perf_counter() - start
    assert len(out) == n and set(out["kind"]) == {"count", "amount"}
    assert elapsed <= 10.0, f"{elapsed:.1f} s"
