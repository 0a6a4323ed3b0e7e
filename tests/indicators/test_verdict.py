"""Headline or trend line: verdicts on a labelled synthetic set, the batched estimators
against the libraries they mirror, and the `trendline verdict` command."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from trendline.cli import main
from trendline.indicators.verdict import (
    LABELS,
    Verdict,
    change_points,
    reference_change_points,
    reference_fit,
    verdict_for,
    verdicts,
)

SEED = 20211  # the brief's year and a one


# --------------------------------------------------------------------------- labelled set


def _noisy(rng, mean, kind: str) -> np.ndarray:
    """Counts: negative binomial around ``mean`` (size 30: mildly overdispersed);
    amounts and shares: lognormal noise of 8% around it."""
    mean = np.asarray(mean, float)
    if kind == "count":
        size = 30.0
        return np.asarray(rng.negative_binomial(size, size / (size + mean)), float)
    return mean * np.exp(rng.normal(0.0, 0.08, mean.shape))


def _level(rng, kind: str) -> float:
    if kind == "count":
        return float(rng.uniform(30, 300))
    if kind == "share":
        return float(rng.uniform(0.02, 0.08))
    return float(rng.uniform(5, 500))


def _length_for(rng, rate: float) -> int:
    """Long enough for the change to be recoverable: at least a 2x rise (or halving) over
    the window; 6-20 periods."""
    need = math.ceil(math.log(2) / abs(math.log1p(rate))) + 1
    return int(rng.integers(max(6, need), 21))


def labelled_set(seed: int = SEED) -> list[dict]:
    """At least 200 series with a known label: trends (8-60%/yr, 6-20 periods), one and two
    spikes (anywhere, often the last period), flat, declining, too short; some with unknown
    values (None)."""
    rng = np.random.default_rng(seed)
    kinds = ["count", "count", "amount", "share"]
    out: list[dict] = []

    def add(label, kind, values, start=None):
        start = int(rng.integers(2000, 2012)) if start is None else start
        periods = list(range(start, start + len(values)))
        out.append({"label": label, "kind": kind, "periods": periods, "values": values})

    def holes(values, keep: set[int], k: int):
        free = [i for i in range(len(values)) if i not in keep]
        for i in rng.choice(free, size=min(k, len(free)), replace=False):
            values[int(i)] = None
        return values

    for i in range(60):  # trends
        kind = kinds[i % 4]
        rate = float(rng.uniform(0.08, 0.60))
        n = _length_for(rng, rate)
        mean = _level(rng, kind) * (1 + rate) ** np.arange(n)
        vals = [float(v) for v in _noisy(rng, mean, kind)]
        if i % 3 == 0:
            vals = holes(vals, {n - 1}, int(rng.integers(1, 3)))
        add("trend", kind, vals)
    for i in range(60):  # headlines: one or two spikes on a flat level
        kind = kinds[i % 4]
        n = int(rng.integers(6, 21))
        mean = np.full(n, _level(rng, kind))
        vals = _noisy(rng, mean, kind)
        count = 1 if i % 2 == 0 else 2
        if i % 3 == 0:  # the latest period is a spike
            where = [n - 1] + list(rng.choice(n - 1, size=count - 1, replace=False))
        else:
            where = list(rng.choice(n, size=count, replace=False))
        for w in where:
            vals[w] = float(_noisy(rng, mean[w] * rng.uniform(2.5, 6.0), kind))
        vals = [float(v) for v in vals]
        if i % 4 == 1:
            vals = holes(vals, {int(w) for w in where}, 1)
        add("headline", kind, vals)
    for i in range(40):  # flat
        kind = kinds[i % 4]
        n = int(rng.integers(6, 21))
        drift = float(rng.uniform(-0.01, 0.01))
        mean = _level(rng, kind) * (1 + drift) ** np.arange(n)
        vals = [float(v) for v in _noisy(rng, mean, kind)]
        if i % 4 == 2 and n >= 8:
            vals = holes(vals, set(), 2)
        add("flat", kind, vals)
    for i in range(40):  # decline
        kind = kinds[i % 4]
        rate = -float(rng.uniform(0.08, 0.40))
        n = _length_for(rng, rate)
        mean = _level(rng, kind) * 4 * (1 + rate) ** np.arange(n)
        vals = [float(v) for v in _noisy(rng, mean, kind)]
        if i % 4 == 3:
            vals = holes(vals, {0}, 1)
        add("decline", kind, vals)
    for i in range(20):  # too few known periods
        kind = kinds[i % 4]
        known = int(rng.integers(1, 5))
        n = known + int(rng.integers(0, 3))
        vals = [float(v) for v in _noisy(rng, np.full(n, _level(rng, kind)), kind)]
        vals = holes(vals, set(range(known)), n - known) if n > known else vals
        add("insufficient", kind, vals)
    return out


def accuracy_table(cases: list[dict], got: list[str]) -> tuple[float, dict[str, float], str]:
    hits: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter = Counter()
    for case, label in zip(cases, got, strict=True):
        hits[case["label"]].append(case["label"] == label)
        confusion[(case["label"], label)] += 1
    per = {k: sum(v) / len(v) for k, v in hits.items()}
    overall = sum(sum(v) for v in hits.values()) / len(cases)
    lines = [f"{'truth':<13}{'n':>4}{'accuracy':>10}   got"]
    for label in LABELS:
        if label not in hits:
            continue
        got_here = ", ".join(
            f"{g} {c}" for (t, g), c in sorted(confusion.items()) if t == label and g != label
        )
        lines.append(f"{label:<13}{len(hits[label]):>4}{per[label]:>10.3f}   {got_here}")
    lines.append(f"{'overall':<13}{len(cases):>4}{overall:>10.3f}")
    return overall, per, "\n".join(lines)


def test_labelled_set_accuracy():
    cases = labelled_set()
    assert len(cases) >= 200
    got = [verdict_for(c["periods"], c["values"], kind=c["kind"]).verdict for c in cases]
    overall, per, text = accuracy_table(cases, got)
    print(f"\nverdict accuracy on the labelled set (seed {SEED})\n{text}")
    assert overall >= 0.9, text
    for label, acc in per.items():
        assert acc >= 0.85, f"{label}: {acc:.3f}\n{text}"


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
        values: list[float | None] = [float(v) for v in _noisy(rng, mean, "count")]
        if i % 3 == 0:
            values[int(rng.integers(n))] = None
        yield periods, values


@pytest.mark.parametrize("kind", ["count", "amount"])
def test_batched_fits_agree_with_the_libraries(kind):
    """The batched IRLS (quasi-Poisson) and Theil-Sen give statsmodels' and scipy's growth
    and 95% CI per series, to 1e-6 relative."""
    import trendline.indicators.verdict as V

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
    fit = V.fit("count" if kind == "count" else "amount", x, y, known)
    for i, (ps, vs) in enumerate(sample):
        ref = reference_fit(ps, vs, kind)
        ours = (fit.growth[i], fit.low[i], fit.high[i])
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
        sample.append((list(range(2000, 2000 + n)), [float(v) for v in _noisy(rng, mean, "count")]))
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
    assert "3 known periods" in v.explanation


def test_window_and_brief_comparison_in_the_explanation():
    periods = list(range(2010, 2026))
    values = [20 * 1.34**i for i in range(10)] + [260 * 1.18**i for i in range(6)]
    v = verdict_for(
        periods, [round(x) for x in values], window=(2020, 2025), brief_window=(2010, 2019)
    )
    assert isinstance(v, Verdict) and v.verdict == "trend" and v.n_periods == 6
    assert v.growth == pytest.approx(0.18, abs=0.01)
    assert v.brief_growth == pytest.approx(0.34, abs=0.01)
    assert v.explanation.startswith("trend line: +18% a year (95% CI ")
    assert v.explanation.endswith("over 2020-2025, against +34% a year in 2010-2019")
    full = verdict_for(periods, [round(x) for x in values])
    assert 2020 in full.change_points or 2019 in full.change_points or 2021 in full.change_points


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
