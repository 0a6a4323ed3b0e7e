"""Headline or trend line? A verdict for every evaluated series, stored beside its values.

After the indicators ran, each result's yearly "value" series (subject "all" and every
subject with a yearly point) is fitted on its complete years after the brief (the brief's
baseline end + 1 on), and compared with the same fit over the brief's own window (2010 to
the baseline's end for research, 2016-2019 for investment). Years still filling in are
left out. The fit reads the values as they are stored and charted: a count of records has
its years without one as 0 already (indicators.common.through_complete); a curated figure
not given and an unknown value stay unknown. So the fit, the stored series, the charts and
the sparklines read the same years. The verdict is stored in `verdicts`, one row per
indicator and subject; its six labels are defined in indicators/verdict_labels.py.

A verdict that changed since the last evaluation is a `Finding` of its own rule,
`verdict:<from>-><to>`, for the alert engine: grouped, acknowledged and silenced like any
other. It keeps holding (the alert stays firing, not announced again) while the verdict
stays what it became; the first evaluation records verdicts without a finding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from trendline.core import schema
from trendline.indicators import words
from trendline.indicators.base import Finding, Indicator, Result
from trendline.indicators.verdict import FLAT_BAND, Verdict, trend_points, verdict_for
from trendline.indicators.verdict_words import WITH_ARTICLE, ci_range, pct, word

RULE = "verdict"
AMOUNT_UNITS = {"usd"}
SHARE_UNITS = {"percent", "share", "ratio", "points", "index"}
QUIET = {"flat", "unclear", "insufficient"}  # a change to these is info, not a warning
DRAWN = {"trend", "decline", "headline", "flat"}  # labels whose fitted line is drawn


@dataclass(frozen=True)
class Plan:
    """What one verdict is fitted on (all plain values: small). `unit` (a key of
    words.UNITS: a count's noun enters the words), `up` and `down` (what a rise and a fall
    mean, for ratios and shares) come from the series' declaration; each is used when set."""

    indicator_id: str
    subject: str
    kind: str
    periods: tuple[int, ...]
    values: tuple[float | None, ...]
    window: tuple[int, int]
    brief_window: tuple[int, int] | None
    period: str  # the latest complete year
    unit: str = ""
    up: str = ""
    down: str = ""
    flat_band: float = FLAT_BAND  # setting verdicts.flat_band


def kind_of(ind: Indicator) -> str:
    """count for papers, deals, events, pairs...; amount for USD; share for %/share/ratio."""
    if ind.unit in AMOUNT_UNITS:
        return "amount"
    if ind.unit in SHARE_UNITS:
        return "share"
    return "count"


def brief_window(ind: Indicator) -> tuple[int, int] | None:
    """The brief's own window, as the indicator declares it (None: the brief has no yearly
    series to compare with)."""
    return ind.brief_window


def last_complete_year(as_of: dt.date, lag_months: int) -> int:
    """The last year that is complete `lag_months` after it ended (as `partial_years`)."""
    months = as_of.year * 12 + as_of.month - 1 - lag_months
    return months // 12 - 1


def plan(ind: Indicator, result: Result, as_of: dt.date, lag_months: int,
         flat_band: float = FLAT_BAND) -> Plan | None:
    """The series to fit for one result, or None when it has no yearly value."""
    if not ind.judged:  # e.g. days since a refresh: not a series to judge
        return None
    yearly = {int(p): v for p, v in result.values.items()
              if len(p) == 4 and p.isdigit() and p not in result.partial_periods}
    if not yearly:
        return None
    kind = kind_of(ind)
    last = max(max(yearly), last_complete_year(as_of, lag_months))
    years = sorted(yearly)
    start = ind.baseline.end + 1
    declared = ind.series_of("value")
    return Plan(ind.id, result.subject, kind, tuple(years), tuple(yearly[y] for y in years),
                (start, max(last, start)), brief_window(ind), str(last),
                unit=declared.unit, up=declared.up, down=declared.down, flat_band=flat_band)


def judge(p: Plan) -> tuple[Verdict, list[tuple[int, float]]]:
    noun = words.noun(p.unit) if p.unit in words.UNITS else ""  # "" for non-counts
    v = verdict_for(p.periods, p.values, kind=p.kind, series=p.subject, window=p.window,
                    brief_window=p.brief_window, flat_band=p.flat_band, unit=noun,
                    up=p.up, down=p.down)
    line = trend_points(p.periods, p.values, kind=p.kind, window=p.window) \
        if v.verdict in DRAWN else []
    return v, [(x, y) for x, y in line if math.isfinite(y)]  # stored as JSON


def plans(evaluations: Iterable, as_of: dt.date, lag,
          flat_band: float = FLAT_BAND) -> list[Plan]:
    """Every series to judge. `lag(indicator) -> months` a year takes to fill in."""
    out = []
    for ev in evaluations:
        months = lag(ev.indicator)
        for r in ev.results:
            p = plan(ev.indicator, r, as_of, months, flat_band)
            if p is not None:
                out.append(p)
    return out


def record(conn, items: list[Plan], titles: dict[str, str], now: dt.datetime,
           evaluated: Iterable[str] | None = None,
           revised: Mapping[tuple[str, str], str] | None = None) -> tuple[int, list[Finding]]:
    """Fit and store each verdict; return (how many, the findings of verdicts that changed
    or still hold a change). Stored verdicts of the `evaluated` indicators (default: those
    with a plan) whose series are gone are removed. `revised`: (indicator, subject) -> what
    a source revised in its series since the last summary, stored as its `revised` note."""
    revised = revised or {}
    t = schema.verdicts
    stored = {(r["indicator_id"], r["subject"]): dict(r)
              for r in conn.execute(sa.select(t)).mappings()}
    findings: list[Finding] = []
    seen = set()
    for p in items:
        key = (p.indicator_id, p.subject)
        seen.add(key)
        v, line = judge(p)
        old = stored.get(key)
        row = {
            "indicator_id": p.indicator_id, "subject": p.subject, "verdict": v.verdict,
            "growth": v.growth, "growth_low": v.growth_low, "growth_high": v.growth_high,
            "change_points": list(v.change_points), "explanation": v.explanation,
            "kind": p.kind, "window_start": p.window[0], "window_end": p.window[1],
            "brief_growth": v.brief_growth, "n_periods": v.n_periods,
            "trend": [[x, y] for x, y in line], "period": p.period,
            "previous": None, "changed_period": None, "changed_at": None,
            "revised": revised.get(key, ""), "evaluated_at": now,
        }
        if old is not None and old["verdict"] != v.verdict:  # a change
            row.update(previous=old["verdict"], changed_period=p.period, changed_at=now)
        elif old is not None:  # the same verdict: a change it made still holds
            row.update(previous=old["previous"], changed_period=old["changed_period"],
                       changed_at=old["changed_at"])
        if row["previous"] is not None:
            findings.append(finding(row, titles.get(p.indicator_id, p.indicator_id)))
        if old is None:
            conn.execute(t.insert().values(**row))
        else:
            conn.execute(t.update().where(t.c.indicator_id == p.indicator_id,
                                          t.c.subject == p.subject).values(**row))
    done = set(evaluated) if evaluated is not None else {p.indicator_id for p in items}
    for ind, subject in set(stored) - seen:
        if ind in done:
            conn.execute(t.delete().where(t.c.indicator_id == ind, t.c.subject == subject))
    return len(items), findings


def finding(row: dict, title: str) -> Finding:
    """The alert's finding: `verdict:headline->trend`, in plain words."""
    old, new = row["previous"], row["verdict"]
    who = "" if row["subject"] == "all" else f"{row['subject']}: "  # grouped: one per subject
    rate = growth_words(row)
    since = f" since {row['window_start']}" if row.get("window_start") else ""
    text = f"{who}now {said(new)}{f' ({rate})' if rate else ''}{since}; it was {said(old)}"
    period = row["changed_period"] or row["period"]
    # the verdict is its own record: a series joining the group is news, a paper is not
    record = {"kind": "verdict", "id": f"{row['indicator_id']}:{row['subject']}",
              "label": f"{who}{row['explanation']}", "period": period}
    return Finding(
        indicator_id=row["indicator_id"], subject=row["subject"], period=period,
        rule=f"{RULE}:{old}->{new}", severity="info" if new in QUIET else "warning",
        value=row["growth"], threshold=None, message=text, evidence=(record,),
        spec={"kind": "verdict", "from": old, "to": new, "unit": "records",
              "label": f"{title}: headline or trend line"},
        detail=f"Why: {row['explanation']}",
    )


def said(label: str) -> str:
    """`a trend`, `flat`, `too short to judge`: the label in a sentence."""
    return WITH_ARTICLE.get(label, word(label))


def growth_words(row: dict) -> str:
    """`+18% a year, 95% CI 12-24%`, or "" when no rate was fitted."""
    g, lo, hi = row.get("growth"), row.get("growth_low"), row.get("growth_high")
    if g is None:
        return ""
    text = f"{pct(g)} a year"
    return text + (f", 95% CI {ci_range(lo, hi)}" if lo is not None and hi is not None else "")


def load(conn, subject: str | None = "all") -> dict[tuple[str, str], dict]:
    """Stored verdicts: (indicator, subject) -> row (JSON-safe), for one subject or all."""
    t = schema.verdicts
    q = sa.select(t) if subject is None else sa.select(t).where(t.c.subject == subject)
    out = {}
    for r in conn.execute(q).mappings():
        d = dict(r)
        for k in ("changed_at", "evaluated_at"):
            if d[k] is not None:
                d[k] = d[k].isoformat()
        out[(d["indicator_id"], d["subject"])] = d
    return out
