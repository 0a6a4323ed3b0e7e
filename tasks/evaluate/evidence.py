"""Every record behind an indicator's value, read from the stored evidence index
(`evidence_members`, written with the values): a page of it with one indexed query,
or every record; then why each listed record counts (tasks/evaluate/evidence_why.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.resources import Resources
from trendline.indicators.registry import all_indicators
from trendline.tasks.evaluate.evidence_why import WHY, why
from trendline.tasks.evaluate.samples import work_fields

# value and unit: what a count, pair or figure row counts ("41", "papers")
COLUMNS = ["indicator", "subject", "period", "kind", "id", "label", "year", "url", "demo",
           "value", "unit", *WHY]
SORTS = ("id", "year", "label", "kind")
_KEY = tuple(schema.evidence_members.c[k] for k in
             ("indicator_id", "period", "subject", "kind", "record_id"))  # its primary key


class UnknownIndicator(ValueError):
    pass


@dataclass
class EvidencePage:
    rows: pd.DataFrame  # COLUMNS, at most `limit` rows
    total: int  # every record matching the filters
    kinds: dict[str, int]  # records per kind for the indicator/period/subject


def _checked(indicator: str) -> None:
    inds = all_indicators()
    if indicator not in inds:
        raise UnknownIndicator(f"unknown indicator {indicator!r}; choose from {', '.join(inds)}")


def _scope(indicator: str, period: str | None, subject: str | None) -> list:
    m = schema.evidence_members
    where = [m.c.indicator_id == indicator]
    if period is not None:
        where.append(m.c.period == str(period))
    if subject is not None:
        where.append(m.c.subject == subject)
    return where


def _joined():
    m, w = schema.evidence_members, schema.works
    source = m.outerjoin(w, sa.and_(m.c.kind == "work", w.c.id == m.c.record_id))
    label = sa.func.coalesce(m.c.label, w.c.title, m.c.record_id)  # a pair is named by its id
    year = sa.func.coalesce(m.c.year, w.c.publication_year)
    return source, label, year


def evidence_page(res: Resources, indicator: str, period: str | None = None,
                  subject: str | None = None, kind: str | None = None, text: str | None = None,
                  sort: str = "id", descending: bool = False, limit: int = 50,
                  offset: int = 0) -> EvidencePage:
    """One page of the records behind INDICATOR's values (bounded: LIMIT/OFFSET on the
    index), their total under the filters, and the records per kind. `text`: a
    case-insensitive substring of the id or the label, always a bound parameter."""
    _checked(indicator)
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0 (got {limit}, {offset})")
    m = schema.evidence_members
    source, label, year = _joined()
    scope = _scope(indicator, period, subject)
    where = list(scope)
    if kind:
        where.append(m.c.kind == kind)
    if text:
        needle = text.lower()
        where.append(sa.or_(sa.func.lower(m.c.record_id).contains(needle, autoescape=True),
                            sa.func.lower(label).contains(needle, autoescape=True)))
    with res.engine.connect() as conn:
        groups = conn.execute(sa.select(m.c.subject, m.c.kind, sa.func.count()).where(*scope)
                              .group_by(m.c.subject, m.c.kind)).all()
        kinds: dict[str, int] = {}
        for _, k, n in groups:
            kinds[k] = kinds.get(k, 0) + n
        total = (conn.execute(sa.select(sa.func.count()).select_from(source).where(*where))
                 .scalar_one()) if (kind or text) else sum(kinds.values())
        keyed = _keyed(groups, period, kind, text, sort)
        if keyed is not None:  # ids in the index's own order: a deep page stays cheap
            key = m.c.record_id.desc() if descending else m.c.record_id.asc()
            page = (sa.select(*_KEY).where(*where, *keyed).order_by(key).limit(limit)
                    .offset(offset).subquery())
            q = (_rows(source, label, year).where(sa.tuple_(*_KEY).in_(sa.select(*page.c)))
                 .order_by(key))  # the joins for this page's rows only
        else:
            key = {"id": m.c.record_id, "year": year, "label": label, "kind": m.c.kind}[sort]
            order = [(key.desc() if descending else key.asc()).nulls_last()]  # unknown last
            order += [c for c in (m.c.kind, m.c.record_id, m.c.period, m.c.subject)
                      if c is not key]
            q = (_rows(source, label, year).where(*where).order_by(*order).limit(limit)
                 .offset(offset))
        rows = _described(conn, conn.execute(q).mappings().all())
    return EvidencePage(_frame(rows), int(total), {k: int(n) for k, n in kinds.items()})


def _keyed(groups, period, kind, text, sort) -> list | None:
    """For ids of one period, subject and kind (the usual evidence page), the conditions
    that make the primary key's order the page's order; None otherwise."""
    m = schema.evidence_members
    subjects = {g[0] for g in groups}
    kinds = {g[1] for g in groups if kind is None or g[1] == kind}
    if sort != "id" or text or period is None or len(subjects) != 1 or len(kinds) != 1:
        return None
    return [m.c.subject == next(iter(subjects)), m.c.kind == next(iter(kinds))]


def list_evidence(res: Resources, indicator: str, period: str | None = None,
                  subject: str | None = None) -> pd.DataFrame:
    """Every record behind INDICATOR's values (for one period and subject if given),
    ordered by period, subject, kind and id: what `trendline evidence` prints."""
    _checked(indicator)
    m = schema.evidence_members
    source, label, year = _joined()
    q = (_rows(source, label, year).where(*_scope(indicator, period, subject))
         .order_by(m.c.period, m.c.subject, m.c.kind, m.c.record_id))
    with res.engine.connect() as conn:
        rows = _described(conn, conn.execute(q).mappings().all())
    return _frame(rows)


def _rows(source, label, year):
    m, w = schema.evidence_members, schema.works
    return sa.select(
        m.c.indicator_id.label("indicator"), m.c.subject, m.c.period, m.c.kind,
        m.c.record_id.label("id"), label.label("label"), year.label("year"), m.c.url,
        sa.func.coalesce(m.c.demo, w.c.is_demo).label("demo"), m.c.value, m.c.unit,
        w.c.id.label("work_id"), w.c.doi, w.c.url.label("work_url"), w.c.source,
        w.c.is_demo.label("work_demo"), w.c.title, w.c.publication_year,
    ).select_from(source)


def _described(conn, found) -> list[dict]:
    """Plain rows: links for works from the store (OpenAlex or DOI), none for demo
    records; then the WHY columns for these rows only."""
    rows = []
    for f in found:
        r = {c: f[c] for c in COLUMNS if c in f}
        if f["work_id"] is not None:
            fields = work_fields(_Work(f))
            r["url"] = fields["url"]
        r["demo"] = bool(r["demo"]) if r["demo"] is not None else False
        if r["demo"]:
            r["url"] = ""
        r["url"] = r["url"] or None
        r["year"] = int(r["year"]) if r["year"] is not None else None
        rows.append(r)
    why(conn, rows)
    return rows


class _Work:
    """A joined row seen as the works row samples.work_fields reads."""

    def __init__(self, f):
        self.id, self.doi, self.url = f["work_id"], f["doi"], f["work_url"]
        self.source, self.is_demo = f["source"], f["work_demo"]
        self.title, self.publication_year = f["title"], f["publication_year"]


def _frame(rows: list[dict]) -> pd.DataFrame:
    """COLUMNS in order; year stays a Python int (never 2025.0), missing values None."""
    frame = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in COLUMNS})
    return frame.reindex(columns=COLUMNS)
