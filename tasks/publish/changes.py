"""What changed since the last weekly summary: alerts opened, updated, resolved and
acknowledged; new papers, deals, events and watch-list entries, named, with the Chinese
and Russian names of their organisations beside the English ones."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import sqlalchemy as sa

from trendline.core import schema
from trendline.indicators.words import LISTS
from trendline.tasks.publish.render import native_names

SHOWN = 8  # records named in the summary; the rest are counted and listed in a file
# how a sentence names a list ("added to the U.S. Entity List", "to Canada's ...")
ARTICLE = {"nro_canada": ""}
COUNTRIES = {"CN": "Chinese", "RU": "Russian", "US": "U.S.", "HK": "Hong Kong"}
UNIVERSITY = ("universit", "institute of technology", "大学", "университет", "college")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def last_summary(conn, now: dt.datetime) -> tuple[dt.datetime, str]:
    """(since when, in words): the previous weekly summary; when there was none, the
    store's first refresh, said so (never an invented date a week back)."""
    t = schema.outbox
    q = sa.select(sa.func.max(t.c.created_at)).where(t.c.tag == "weekly", t.c.created_at < now)
    last = aware(conn.execute(q).scalar())
    if last is not None:
        return last, f"since the last summary ({last:%Y-%m-%d %H:%M UTC})"
    r = schema.refresh_runs
    first = aware(conn.execute(sa.select(sa.func.min(r.c.started_at))).scalar()) or now
    return first, (f"since this store's first refresh ({first:%Y-%m-%d %H:%M UTC}); "
                   "this is its first summary")


def org_names(conn) -> dict[str, dict]:
    t = schema.organisations
    return {r.id: r.names or {} for r in conn.execute(sa.select(t.c.id, t.c.names))}


def alert_changes(conn, since: dt.datetime) -> dict[str, list[dict]]:
    t = schema.alerts
    rows = [dict(r) for r in conn.execute(sa.select(t)).mappings()]
    out: dict[str, list[dict]] = {"opened": [], "updated": [], "resolved": [],
                                  "acknowledged": [], "history": []}
    for r in rows:
        if r["state"] == "history":  # recorded, never announced: counted apart
            if aware(r["first_fired_at"]) >= since:
                out["history"].append(r)
            continue
        first, resolved = aware(r["first_fired_at"]), aware(r.get("resolved_at"))
        notified = aware(r.get("last_notified_at"))
        acked = aware(r.get("acked_at"))
        if resolved and resolved >= since:
            out["resolved"].append(r)
        elif first >= since:
            out["opened"].append(r)
        elif notified and notified >= since:
            out["updated"].append(r)
        if acked and acked >= since:
            out["acknowledged"].append(r)
    rank = ("info", "warning", "critical").index
    for items in out.values():
        items.sort(key=lambda a: (rank(a["severity"]), a["period"], a["indicator_id"]),
                   reverse=True)
    return out


def new_papers(conn, since: dt.datetime) -> tuple[int, list[dict]]:
    t = schema.works
    where = t.c.fetched_at >= since
    total = conn.execute(sa.select(sa.func.count()).select_from(t).where(where)).scalar() or 0
    q = (sa.select(t.c.id, t.c.title, t.c.publication_year, t.c.doi, t.c.url, t.c.is_demo)
         .where(where).order_by(t.c.publication_year.desc(), t.c.id.desc()).limit(SHOWN))
    papers = [dict(r) for r in conn.execute(q).mappings()]
    if papers:
        a = schema.authorships
        insts = conn.execute(
            sa.select(a.c.work_id, a.c.institution_name, a.c.ror_id)
            .where(a.c.work_id.in_([p["id"] for p in papers]))
        ).all()
        names = org_names(conn)
        for p in papers:
            seen: list[str] = []
            for w, inst, _ror in insts:
                if w == p["id"] and inst and inst not in seen:
                    seen.append(inst)
            p["institutions"] = [
                {"name": n, "native": native_names(names.get(_ror_org(insts, p["id"], n), {}))}
                for n in seen[:4]
            ]
            # a synthetic demo record never links to a real-looking page
            p["link"] = "" if p.get("is_demo") else (p["doi"] or p["url"] or "")
            p["who"] = "; ".join(
                i["name"] + (f" ({i['native']})" if i["native"] else "")
                for i in p["institutions"])
    return total, papers


def _ror_org(insts, work_id: str, name: str) -> str:
    for w, inst, ror in insts:
        if w == work_id and inst == name and ror:
            return f"ror:{ror}"
    return ""


def new_deals(conn, since: dt.datetime) -> tuple[int, list[dict]]:
    t, p = schema.deals, schema.deal_parties
    rows = [dict(r) for r in conn.execute(
        sa.select(t).where(t.c.fetched_at >= since)
        .order_by(t.c.announced_on.desc().nulls_last(), t.c.id)).mappings()]
    names = org_names(conn)
    parties: dict[str, list[dict]] = {}
    ids = [r["id"] for r in rows[:SHOWN]]
    for r in conn.execute(sa.select(p).where(p.c.deal_id.in_(ids))).mappings():
        parties.setdefault(r["deal_id"], []).append(
            {"name": r["name"], "role": r["role"],
             "native": native_names(names.get(r["org_id"] or "", {}))})
    shown = []
    for r in rows[:SHOWN]:
        shown.append({
            "id": r["id"], "target": r["target"], "direction": r["direction"] or "",
            "amount_usd": r["amount_usd"], "date": r["announced_on"] or r["year"],
            "link": "" if r["is_demo"] else r["source_url"], "is_demo": r["is_demo"],
            "parties": parties.get(r["id"], []),
        })
    return len(rows), shown


def new_events(conn, since: dt.datetime) -> tuple[int, list[dict]]:
    t = schema.events
    rows = [dict(r) for r in conn.execute(
        sa.select(t).where(t.c.fetched_at >= since)
        .order_by(t.c.date.desc().nulls_last(), t.c.id)).mappings()]
    shown = [{"id": r["id"], "title": r["title"], "type": r["type"].replace("_", " "),
              "date": r["date"] or r["year"], "parties": r["parties"] or [],
              "link": "" if r["is_demo"] else r["source_url"], "is_demo": r["is_demo"]}
             for r in rows[:SHOWN]]
    return len(rows), shown


def watchlist_changes(conn, since: dt.datetime) -> tuple[list[dict], list[dict]]:
    """(one summary line per list, every change with its entry) since `since`."""
    c, e = schema.watchlist_changes, schema.watchlist_entries
    q = (sa.select(c.c.list_name, c.c.change, c.c.name, c.c.entry_id, c.c.detected_at,
                   e.c.country, e.c.org_id, e.c.listed_on, e.c.source_url)
         .select_from(c.outerjoin(e, e.c.id == c.c.entry_id))
         .where(c.c.detected_at >= since)
         .order_by(c.c.list_name, c.c.change, e.c.listed_on.desc().nulls_last(), c.c.name))
    rows = [dict(r) for r in conn.execute(q).mappings()]
    names = org_names(conn)
    a = schema.authorships
    with_papers = {f"ror:{r}" for (r,) in conn.execute(
        sa.select(a.c.ror_id).where(a.c.ror_id.is_not(None)).distinct())}
    registry = {i: n for i, n in conn.execute(sa.select(schema.organisations.c.id,
                                                         schema.organisations.c.name))}
    for r in rows:
        r["entry_name"] = r["name"]  # as the list writes it; the registry's name is shown
        r["name"] = registry.get(r["org_id"] or "") or r["name"]
        r["native"] = native_names(names.get(r["org_id"] or "", {}))
        r["list_title"] = LISTS.get(r["list_name"], r["list_name"])
        r["university"] = any(k in f"{r['name']} {r['native']}".lower() for k in UNIVERSITY)
        r["joint_papers"] = bool(r["org_id"]) and r["org_id"] in with_papers
    summary = []
    for (lst, change), members in _groups(rows).items():
        by_country = Counter(COUNTRIES.get(m["country"] or "", "other") for m in members)
        unis = sum(1 for m in members if m["university"] and m["joint_papers"])
        papers = sum(1 for m in members if m["joint_papers"])
        named = _unique([m for m in members if m["joint_papers"]] or members)
        summary.append({
            "list": lst, "list_title": LISTS.get(lst, lst), "change": change,
            "count": len(members), "countries": by_country.most_common(),
            "universities_with_papers": unis, "with_papers": papers,
            "sentence": _sentence(f"{ARTICLE.get(lst, 'the ')}{LISTS.get(lst, lst)}", change,
                                  len(members), by_country, unis, papers),
            "examples": named[:3],
        })
    summary.sort(key=lambda s: (-s["with_papers"], -s["count"]))
    return summary, rows


def _unique(rows: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for r in rows:
        if r["name"] not in seen:
            seen.add(r["name"])
            out.append(r)
    return out


def _groups(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        out.setdefault((r["list_name"], r["change"]), []).append(r)
    return out


def _sentence(title: str, change: str, n: int, countries: Counter, unis: int,
              papers: int) -> str:
    """'7 Chinese entities added to the Entity List, 2 of them universities with joint
    papers'."""
    who = ", ".join(f"{k} {name}" for name, k in countries.most_common() if name != "other")
    other = countries.get("other", 0)
    if other:
        who = f"{who}, {other} other" if who else f"{other}"
    verb = {"added": "added to", "removed": "removed from", "changed": "changed on"}[change]
    noun = "entity" if n == 1 else "entities"
    text = f"{n} {noun} {verb} {title}" + (f" ({who})" if who else "")
    if papers:  # the examples named after it are these, universities or not
        text += f", {papers} of them with joint papers"
        if unis:
            text += f" ({unis} {'a university' if unis == 1 else 'universities'})"
    return text


def since_last(conn, now: dt.datetime) -> dict[str, Any]:
    since, since_words = last_summary(conn, now)
    papers_n, papers = new_papers(conn, since)
    deals_n, deals = new_deals(conn, since)
    events_n, events = new_events(conn, since)
    lists, list_rows = watchlist_changes(conn, since)
    alerts = alert_changes(conn, since)
    return {
        "since": since_words,
        "alerts": {k: {"count": len(v), "shown": v[:SHOWN]} for k, v in alerts.items()},
        "papers": {"count": papers_n, "shown": papers},
        "deals": {"count": deals_n, "shown": deals},
        "events": {"count": events_n, "shown": events},
        "lists": lists,
        "list_rows": list_rows,
        "demo": any(x["is_demo"] for x in [*papers, *deals, *events]),
    }
