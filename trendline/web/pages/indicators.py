"""/indicators/{id}: the chart (SVG, drawn on the server), the series table with units,
the verdict and its explanation, the baseline with its citation, the rules with their
thresholds and where they come from, and the indicator's alert history."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from trendline.core import schema
from trendline.indicators import words
from trendline.indicators.registry import all_indicators
from trendline.indicators.rules import describe_rule
from trendline.indicators.verdict_words import meanings, word
from trendline.tasks.evaluate.evaluation import configured
from trendline.tasks.evaluate.verdicts import growth_words
from trendline.tasks.publish.brief import row as brief_row
from trendline.tasks.publish.report import overview as indicator_overview
from trendline.web.render import page
from trendline.web.svg import chart_svg

HISTORY_SHOWN = 50  # alerts listed on the page; the alerts page filters the rest


def declared_or_404(ind_id: str):
    ind = all_indicators().get(ind_id)
    if ind is None:
        raise HTTPException(404, f"no indicator {ind_id!r}: see the overview for every id")
    return ind


def series_rows(ind, row: dict, today) -> list[dict]:
    """One row per period, newest first: each declared series in its unit, the records
    behind the value, and whether the period is still filling in."""
    out = []
    for p in reversed(row["series"]):
        partial = bool(p["detail"].get("partial")) or p["period"] == str(today.year)
        cells = [words.amount(p["value"] if s.name == "value" else p["detail"].get(s.name),
                              s.unit) for s in ind.series]
        out.append({"period": p["period"], "cells": cells, "partial": partial,
                    "records": p.get("evidence_count") or 0})
    return out


def rules_of(res, ind) -> list[dict]:
    rules = configured(res, ind)["rules"]
    from_config = rules is not None
    return [{"severity": r.severity, "kind": r.kind, "text": describe_rule(ind, r),
             "threshold": words.threshold(r.threshold, ind.series_of(r.series).unit)
             if r.threshold is not None else "",
             "source": r.source or ("config" if from_config else "default rule"),
             "from_config": from_config}
            for r in (rules if from_config else ind.rules)]


def alert_history(conn, ind_id: str) -> tuple[int, list[dict]]:
    t = schema.alerts
    where = t.c.indicator_id == ind_id
    total = conn.execute(sa.select(sa.func.count()).select_from(t).where(where)).scalar()
    rows = conn.execute(
        sa.select(t.c.id, t.c.period, t.c.subject, t.c.severity, t.c.state, t.c.message,
                  t.c.first_fired_at, t.c.resolved_at, t.c.acked_by, t.c.member_count)
        .where(where).order_by(t.c.first_fired_at.desc(), t.c.id).limit(HISTORY_SHOWN))
    return int(total or 0), [dict(r) for r in rows.mappings()]


def context(res, ind_id: str) -> dict:
    ind = declared_or_404(ind_id)
    today = res.now().date()
    with res.engine.connect() as conn:
        row = next((r for r in indicator_overview(conn, ind_id) if r["id"] == ind_id), None)
        total, history = alert_history(conn, ind_id)
    if row is None:
        raise HTTPException(404, f"{ind_id} has not been evaluated yet: run `trendline run`")
    judged = row.get("verdict") or {}
    return {
        "ind": ind, "row": row, "b": brief_row(row, today),
        "chart": chart_svg(row, set(row["alert_periods"]), today.year),
        "series": series_rows(ind, row, today),
        "verdict": judged, "verdict_word": word(judged.get("verdict", "")),
        "verdict_growth": growth_words(judged),
        "verdict_meaning": meanings(res.settings.verdicts.flat_band).get(
            judged.get("verdict", ""), ""),
        "baseline": row["baseline"], "rules": rules_of(res, ind),
        "alerts_total": total, "alerts": history,
        "demo": any(e.get("demo") for e in row["evidence"]),
    }


async def indicator(request: Request):
    ctx = context(request.app.state.res, request.path_params["id"])
    return page(request, "indicator.html.j2", **ctx)


ROUTES = [Route("/indicators/{id}", indicator, name="indicator")]
