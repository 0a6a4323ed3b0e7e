"""Data health: how fresh each source is."""

from __future__ import annotations

import datetime as dt

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator


def _day(value) -> dt.date | None:
    if value is None or value != value:  # None or NaT
        return None
    return value.date() if hasattr(value, "date") else dt.date.fromisoformat(str(value)[:10])


@indicator(
    id="data.freshness",
    title="Days since each source last refreshed successfully",
    needs=("refresh_runs", "sources"),
    group="data", order=25,
    lag=None, brief_window=None,
    judged=False,
    series=(
        Series('value', 'days', 'days since the stalest source refreshed'),
        Series('stale', 'sources', 'sources not refreshed for over twice their schedule'),
        Series('filling_in', 'records', 'years still filling in'),
    ),
    baseline=Baseline(
        headline='not from the brief',
        summary="Not from the brief: a source should refresh on its schedule.",
        end=0,
        citation="Trendline",
    ),
    rules=(
        Rule(
            "any_new",
            "warning",
            series="stale",
            message="Sources not refreshed for over twice their schedule",
        ),
        Rule(
            "any_new",
            "info",
            series="filling_in",
            message="Not yet complete",
        ),
    ),
)
def freshness(frames, params, as_of):
    """Age in days of each source's last successful refresh (or last check that found the
    same content). A source older than `max_age_days` (default 2: twice the daily
    schedule) is stale; the alert's period is the date it last refreshed."""
    runs = frames["refresh_runs"]
    max_age = float(params.get("max_age_days", 2))
    ok = runs[runs["status"] == "succeeded"] if not runs.empty else runs
    if "sources" in frames and not ok.empty:  # one-off imports have no schedule to miss
        ok = ok[ok["source"].isin(frames["sources"]["name"])]
    period = as_of.isoformat()
    ages, stale, evidence = {}, {}, {period: []}
    for source, group in ok.groupby("source"):
        last = max(
            d
            for d in (_day(v) for v in list(group["checked_at"]) + list(group["finished_at"]))
            if d
        )
        age = (as_of - last).days
        ages[source] = {period: float(age)}
        record = {
            "kind": "refresh",
            "id": source,
            "label": f"{source}: last refreshed {last}",
            "age_days": age,
            "url": "",
        }
        evidence[period].append(record)
        if age > max_age:
            stale.setdefault(last.isoformat(), []).append(source)
            evidence.setdefault(last.isoformat(), []).append(record)
    series = {"value": {period: max((a[period] for a in ages.values()), default=None)}, **ages}
    filling = {}
    if "openalex" in ages:  # this year's papers are still being indexed
        filling = {str(as_of.year): ["publications"]}
        evidence[str(as_of.year)] = [{"kind": "refresh", "id": "publications", "url": "",
                                      "label": "publications (OpenAlex is still indexing "
                                      "this year's papers)"}]
    return [
        Result(
            "data.freshness",
            series,
            evidence=evidence,
            sets={"stale": stale, "filling_in": filling},
            query="refresh_runs where status = succeeded: latest checked_at per source",
        )
    ]
