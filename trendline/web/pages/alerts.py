"""/alerts (firing, pending, no data, resolved, history; filters by indicator, severity and
status) and /alerts/{id} (message, members with their records, events, acknowledgement and
silences). Actions (ack, silence) are the partial _alert_actions.html.j2."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from trendline.core import schema
from trendline.indicators.base import SEVERITIES
from trendline.indicators.registry import all_indicators
from trendline.tasks.evaluate.alerts.queries import annotate, status
from trendline.tasks.evaluate.alerts.silences import active_silences, matching_silence
from trendline.tasks.publish.render import safe_url
from trendline.web.render import page

LISTED = 200  # alerts on one page: the filters narrow the rest
MEMBERS_SHOWN = 50
DERIVED_SCAN = 2000  # alerts read to find the silenced or acknowledged ones
STATES = ("firing", "pending", "no_data", "resolved", "history")
STATUSES = ("active", "all", *STATES, "silenced", "acked")


def listed(conn, settings, now, indicator: str = "", severity: str = "",
           wanted: str = "active", limit: int = LISTED,
           evidence: bool = True) -> tuple[int, list[dict]]:
    """(how many match, the first `limit`), most severe first, as `trendline alerts`
    lists them (its JSON keys: indicator, status, why). `wanted`: active (firing and no
    data, the CLI's default), all, a state, silenced or acked. `evidence=False` leaves
    out the records' sample (large; the list page does not show it)."""
    t = schema.alerts
    q = sa.select(t) if evidence else sa.select(*(c for c in t.c if c.name != "evidence"))
    if indicator:
        q = q.where(t.c.indicator_id == indicator)
    if severity:
        q = q.where(t.c.severity == severity)
    if wanted == "active" or wanted in ("silenced", "acked"):
        q = q.where(t.c.state.in_(("firing", "no_data", "pending")
                                  if wanted == "silenced" else ("firing", "no_data")))
    elif wanted in STATES:
        q = q.where(t.c.state == wanted)
    rank = sa.case({s: i for i, s in enumerate(SEVERITIES)}, value=t.c.severity, else_=-1)
    q = q.order_by(rank.desc(), t.c.indicator_id, t.c.period, t.c.subject)
    derived = wanted in ("silenced", "acked")  # known only once silences are matched
    total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar() or 0
    rows = annotate(conn, [dict(r) for r in conn.execute(
        q.limit(DERIVED_SCAN if derived else limit)).mappings()], settings, now)
    out = [cli_shape(r) for r in rows]
    if derived:
        out = [r for r in out if r["status"] == wanted]
        total = len(out)
    return int(total), out[:limit]


def cli_shape(r: dict) -> dict:
    """An alert row with the keys `trendline alerts --format json` gives it."""
    r["indicator"] = r.pop("indicator_id")
    r["status"] = status(r)
    r["why"] = r["silence_reason"] or r["ack_note"] or r["no_data_reason"] or ""
    return r


def args(request: Request) -> dict:
    q = request.query_params
    wanted = q.get("status", "active")
    if wanted not in STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(STATUSES)}, not {wanted!r}")
    severity = q.get("severity", "")
    if severity and severity not in SEVERITIES:
        raise HTTPException(400, f"severity must be one of {', '.join(SEVERITIES)}")
    return {"indicator": q.get("indicator", "").strip(), "severity": severity,
            "wanted": wanted}


async def alert_list(request: Request):
    res = request.app.state.res
    f = args(request)
    with res.engine.connect() as conn:
        total, rows = listed(conn, res.settings, res.now(), **f, evidence=False)
        demo = bool(rows) and demo_store(conn)
    return page(request, "alerts.html.j2", alerts=rows, total=total, shown=LISTED, f=f,
                statuses=STATUSES, severities=SEVERITIES,
                indicators=sorted(all_indicators()), demo=demo)


def demo_store(conn) -> bool:
    """Whether the store holds demo rows (a source last refreshed from the demo)."""
    r = schema.refresh_runs
    return conn.execute(sa.select(sa.exists().where(r.c.mode == "demo",
                                                    r.c.status == "succeeded"))).scalar()


def one(conn, settings, now, alert_id: str) -> dict:
    """Everything about one alert: the row annotated, its members (the records of its
    sample beside each id), its events, its silences."""
    t = schema.alerts
    found = conn.execute(sa.select(t).where(t.c.id == alert_id)).mappings().first()
    if found is None:
        raise HTTPException(404, f"no alert {alert_id!r}: see /alerts")
    row = annotate(conn, [dict(found)], settings, now)[0]
    row["status"] = status(row)
    m = schema.alert_members
    members_total = conn.execute(sa.select(sa.func.count()).select_from(m)
                                 .where(m.c.alert_id == alert_id)).scalar() or 0
    shown = conn.execute(
        sa.select(m.c.member_id, m.c.first_seen_at).where(m.c.alert_id == alert_id)
        .order_by(m.c.first_seen_at.desc(), m.c.member_id).limit(MEMBERS_SHOWN)).all()
    records = member_records(conn, row, [mid for mid, _ in shown])
    members = []
    for mid, seen in shown:
        rec = records.get(mid, {})
        link = "" if rec.get("demo") else safe_url(rec.get("url"))
        members.append({"id": mid, "joined": seen, "link": link, "kind": rec.get("kind", ""),
                        "title": rec.get("label") or "", "year": rec.get("year") or "",
                        "demo": bool(rec.get("demo"))})
    ev = schema.alert_events
    events = [dict(r) for r in conn.execute(
        sa.select(ev.c.id, ev.c.change, ev.c.created_at, ev.c.queued_at, ev.c.message_id)
        .where(ev.c.alert_id == alert_id).order_by(ev.c.created_at.desc()).limit(100))
        .mappings()]
    s = schema.silences
    stored = [dict(r) for r in conn.execute(
        sa.select(s).where(s.c.alert_id == alert_id).order_by(s.c.created_at.desc())
        .limit(50)).mappings()]
    holding = matching_silence(row, active_silences(conn, settings, now))
    return {"alert": row, "members": members, "members_total": int(members_total),
            "events": events, "silences": stored, "holding": holding}


def member_records(conn, alert: dict, ids: list[str]) -> dict[str, dict]:
    """The records of the members shown, from the evidence index of the alert's value
    (works take title, year, link and demo flag from `works`), else its stored sample."""
    out = {str(e.get("id")): {**e, "label": e.get("title") or e.get("label"),
                              "url": e.get("doi") or e.get("url")}
           for e in alert["evidence"] or []}
    if not ids:
        return out
    e, w = schema.evidence_members, schema.works
    q = (sa.select(e.c.record_id, e.c.kind,
                   sa.func.coalesce(e.c.label, w.c.title).label("label"),
                   sa.func.coalesce(e.c.year, w.c.publication_year).label("year"),
                   sa.func.coalesce(e.c.url, w.c.doi, w.c.url).label("url"),
                   sa.func.coalesce(e.c.demo, w.c.is_demo).label("demo"))
         .select_from(e.outerjoin(w, sa.and_(e.c.kind == "work", w.c.id == e.c.record_id)))
         .where(e.c.indicator_id == alert["indicator_id"], e.c.period == alert["period"],
                e.c.record_id.in_(ids)))
    if alert["subject"] not in ("all", "*"):
        q = q.where(e.c.subject == alert["subject"])
    for r in conn.execute(q).mappings():
        out[r["record_id"]] = dict(r)
    return out


async def alert_page(request: Request):
    res = request.app.state.res
    with res.engine.connect() as conn:
        ctx = one(conn, res.settings, res.now(), request.path_params["id"])
    ind = all_indicators().get(ctx["alert"]["indicator_id"])
    return page(request, "alert.html.j2", title=ind.title if ind else "", **ctx,
                demo=any(e.get("demo") for e in ctx["alert"]["evidence"] or []))


ROUTES = [Route("/alerts", alert_list, name="alerts"),
          Route("/alerts/{id}", alert_page, name="alert")]
