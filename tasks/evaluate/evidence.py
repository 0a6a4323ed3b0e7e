"""Every record behind an indicator's value: the indicator is evaluated again on the
frames and its members listed in full, with titles and links read from the store."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.indicators.registry import all_indicators, evaluate_indicator
from trendline.tasks.evaluate.evaluation import configured
from trendline.tasks.frames import load_frames

COLUMNS = ["indicator", "subject", "period", "kind", "id", "label", "year", "url", "demo"]


class UnknownIndicator(ValueError):
    pass


def list_evidence(res: Resources, ind_id: str, period: str | None = None,
                  subject: str | None = None) -> pd.DataFrame:
    inds = all_indicators()
    if ind_id not in inds:
        raise UnknownIndicator(f"unknown indicator {ind_id!r}; choose from {', '.join(inds)}")
    ind = inds[ind_id]
    frames = load_frames(res, ind.needs)
    parts = []
    options = {k: v for k, v in configured(res, ind).items() if k in ("params", "lag_months")}
    for result in evaluate_indicator(ind, frames, res.now().date(), **options).results:
        if subject and result.subject != subject:
            continue
        m = result.members
        if m is None or not len(m):  # small hand-built evidence: the records themselves
            m = pd.DataFrame([{"period": p, "kind": r.get("kind", ""), "id": str(r.get("id")),
                               "label": r.get("label"), "url": r.get("url")}
                              for p, recs in result.evidence.items() for r in recs])
        if not len(m):
            continue
        if period:
            m = m[m["period"] == period]
        parts.append(m.assign(indicator=ind_id, subject=result.subject))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return describe(res, out, frames).reindex(columns=COLUMNS)


def describe(res: Resources, out: pd.DataFrame, frames) -> pd.DataFrame:
    """Labels, years and links for works (from the store), deals and events (frames)."""
    out = out.copy()
    for col in ("label", "year", "url", "demo"):
        if col not in out:
            out[col] = None
    works = sorted(set(out.loc[out["kind"] == "work", "id"]))
    if works:
        w = schema.works
        found = []
        with res.engine.connect() as conn:
            for i in range(0, len(works), 900):
                q = sa.select(w.c.id, w.c.title, w.c.publication_year, w.c.doi, w.c.url,
                              w.c.is_demo).where(w.c.id.in_(works[i:i + 900]))
                found += [dict(r._mapping) for r in conn.execute(q)]
        info = pd.DataFrame(found, columns=["id", "title", "publication_year", "doi", "url",
                                            "is_demo"]).set_index("id")
        mask = out["kind"] == "work"
        ids = out.loc[mask, "id"].astype(str)  # plain strings: a categorical map stays one
        out.loc[mask, "label"] = ids.map(info["title"]).to_numpy()
        out.loc[mask, "year"] = ids.map(info["publication_year"]).to_numpy()
        demo = ids.map(info["is_demo"]).fillna(False).astype(bool)
        link = ids.map(info["doi"]).fillna(ids.map(info["url"]))
        out.loc[mask, "url"] = link.where(~demo, "").to_numpy()
        out.loc[mask, "demo"] = demo.to_numpy()
    for kind, name, label in (("deal", "deals", "target"), ("event", "events", "title")):
        frame = frames.get(name)
        mask = out["kind"] == kind
        if frame is None or not mask.any() or not len(frame):
            continue
        info = frame.drop_duplicates("id").set_index("id")
        ids = out.loc[mask, "id"].astype(str)
        out.loc[mask, "label"] = ids.map(info[label]).to_numpy()
        out.loc[mask, "year"] = ids.map(info["year"]).to_numpy()
        out.loc[mask, "url"] = ids.map(info["source_url"]).to_numpy()
        out.loc[mask, "demo"] = ids.map(info["is_demo"]).to_numpy()
    return out
