"""The stored evidence index: every record behind every value, written to
`evidence_members` in the transaction that writes the values, so that `trendline
evidence` and the web pages read one indexed table instead of evaluating again; a
digest per member list (`evidence_groups`) says which lists changed."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from trendline.core import schema
from trendline.indicators.common import DESCRIBED, described, one_value
from trendline.indicators.registry import Evaluation
from trendline.indicators.stack import extension_of, stack
from trendline.tasks.evaluate import member_rows, member_spill
from trendline.tasks.evaluate.member_rows import KEY

log = logging.getLogger(__name__)


def member_parts(ev: Evaluation) -> list[pd.DataFrame]:
    """Every (period, subject, kind, record) of one evaluation, once each, with what
    hand-built records say of themselves (label, year, url, demo, value, unit): one frame
    per subject, so no list spans two frames and none is concatenated with another."""
    by_subject: dict[str, list[pd.DataFrame]] = {}
    for r in ev.results:
        m = r.members
        if m is None or not len(m):  # small hand-built evidence: the records themselves
            rows = [(p, rec.get("kind", ""), str(rec.get("id")), *described(p, rec))
                    for p, recs in r.evidence.items() for rec in recs]
            m = pd.DataFrame(rows, columns=["period", "kind", "id", *DESCRIBED])
        if len(m):
            by_subject.setdefault(r.subject, []).append(
                m.rename(columns={"id": "record_id"}).assign(
                    subject=one_value(r.subject, len(m))))
    out = []
    for parts in by_subject.values():
        frame = stack(parts)
        out.append(frame[[c for c in (*KEY, *DESCRIBED) if c in frame]])
    return out


@dataclass
class Settled:
    """One indicator's member lists compared with the stored digests: the new digests,
    the lists to delete, and the rows of the changed lists (the others are dropped)."""

    digests: dict  # (period, subject) -> (digest, records)
    stored: dict  # (period, subject) -> digest, as compared
    frames: list[pd.DataFrame]  # rows of the lists whose digest changed, a frame a
    # subject, waiting in mapped temporary files (tasks/evaluate/member_spill.py)

    @property
    def stale(self) -> list:
        return [k for k, d in self.stored.items() if self.digests.get(k, (None,))[0] != d]

    @property
    def fresh(self) -> list:
        return [k for k, (d, _) in self.digests.items() if self.stored.get(k) != d]


def stored_digests(conn, ind: str | None = None) -> dict[str, dict]:
    """indicator -> (period, subject) -> digest, as the evidence index holds them."""
    g = schema.evidence_groups
    query = sa.select(g.c.indicator_id, g.c.period, g.c.subject, g.c.digest)
    out: dict[str, dict] = {}
    for i, p, s, d in conn.execute(query if ind is None else query.where(g.c.indicator_id == ind)):
        out.setdefault(i, {})[(p, s)] = d
    return out


def settle(ev: Evaluation, stored: dict, shared: dict | None = None) -> Settled:
    """Right after an indicator is evaluated: its members digested and kept only where a
    list changed (spilled to mapped files), so an unchanged store holds no member rows
    past this point. `shared`: what the lists of one evaluation share, kept across its
    indicators (the categories' hashes, and the text sets already spilled)."""
    parts = member_parts(ev)
    for r in ev.results:  # the index holds them: the evaluation keeps counts and samples
        r.members = None
    out = Settled({}, dict(stored), [])
    digested = []
    for frame in parts:
        if "label" in frame:  # a label that only repeats the id is not stored twice
            same = frame["label"].astype(object).to_numpy() == frame["record_id"].astype(object)
            frame["label"] = frame["label"].astype(object).where(~np.asarray(same, bool), None)
        digests, group_of = _digests(frame, shared)
        out.digests.update(digests)
        digested.append((frame, digests, group_of))
    fresh = set(out.fresh)
    for frame, digests, group_of in digested if fresh else ():
        keep = [i for i, k in enumerate(digests) if k in fresh]
        if keep:
            out.frames.append(member_spill.spilled(
                frame if len(keep) == len(digests) else frame[np.isin(group_of, keep)],
                {} if shared is None else shared))
    return out


def save_members(conn, ev: Evaluation, settled: Settled | None = None,
                 shared: dict | None = None) -> int:
    """Bring one indicator's members up to date in the transaction of its values: only
    the member lists (period, subject) whose digest changed are deleted and written
    again, so re-evaluating an unchanged store writes nothing. Rows written."""
    t, g = schema.evidence_members, schema.evidence_groups
    ind = ev.indicator.id
    now = stored_digests(conn, ind).get(ind, {})
    if settled is None:
        settled = settle(ev, now, shared)
    elif now != settled.stored:  # changed since it was settled (the store lock prevents it)
        log.warning("evidence index of %s changed during the evaluation: rebuilt next run", ind)
        conn.execute(t.delete().where(t.c.indicator_id == ind))
        conn.execute(g.delete().where(g.c.indicator_id == ind))
        return 0
    stale, fresh, digests = settled.stale, settled.fresh, settled.digests
    if len(stale) == len(now) and now:  # all of it: one statement
        conn.execute(t.delete().where(t.c.indicator_id == ind))
        conn.execute(g.delete().where(g.c.indicator_id == ind))
    else:
        for p, s in stale:
            conn.execute(t.delete().where(t.c.indicator_id == ind, t.c.period == p,
                                          t.c.subject == s))
            conn.execute(g.delete().where(g.c.indicator_id == ind, g.c.period == p,
                                          g.c.subject == s))
    if fresh:
        conn.execute(g.insert(), [{"indicator_id": ind, "period": p, "subject": s,
                                   "digest": digests[(p, s)][0], "records": digests[(p, s)][1]}
                                  for p, s in fresh])
    return sum(member_rows.write(conn, ind, frame) for frame in settled.frames if len(frame))


def _digests(frame: pd.DataFrame, shared: dict | None = None) -> tuple[dict, np.ndarray]:
    """(period, subject) -> (digest of its rows in any order, rows), and each row's group
    number (in the dict's order)."""
    if not len(frame):
        return {}, np.zeros(0, dtype=np.int64)
    periods, period_names = _codes(frame["period"])  # integer codes: no text keys
    subjects, subject_names = _codes(frame["subject"])
    key = periods.astype(np.int64) * len(subject_names) + subjects
    seen = np.bincount(key, minlength=len(period_names) * len(subject_names)) > 0
    pairs = np.flatnonzero(seen)  # the (period, subject) lists present, numbered in order
    group_of = (np.cumsum(seen) - 1)[key]
    del key
    uniques = [(period_names[int(c) // len(subject_names)],
                subject_names[int(c) % len(subject_names)]) for c in pairs]
    hashes = row_hashes(frame, shared)
    sums = np.zeros(len(uniques), dtype=np.uint64)
    np.add.at(sums, group_of, hashes)  # wraps modulo 2**64: order does not matter
    sizes = np.bincount(group_of, minlength=len(uniques))
    return ({(str(p), str(s)): (f"{int(d):016x}", int(n))
             for (p, s), d, n in zip(uniques, sums, sizes, strict=True)}, group_of)


def _codes(col: pd.Series) -> tuple[np.ndarray, list]:
    """A column's values as codes into its distinct values (a categorical's own codes;
    a missing value its own code)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, names = col.cat.codes.to_numpy(), list(col.cat.categories)
        if (codes < 0).any():
            codes, names = np.where(codes < 0, len(names), codes), [*names, np.nan]
        return codes, names
    codes, names = pd.factorize(col, use_na_sentinel=False)
    return codes, list(names)


_MIX = np.uint64(0x100000001B3)  # FNV's 64-bit prime: columns mixed in order
_NA = np.uint64(0x9E3779B97F4A7C15)  # the hash of a missing value


def row_hashes(frame: pd.DataFrame, shared: dict | None = None,
               chunk: int = 1 << 18) -> np.ndarray:
    """A 64-bit hash of each row by value: each column's distinct values hashed once
    (pandas' SipHash of the text) and taken by code, a chunk of rows at a time. `shared`
    keeps the hashes of categories many lists share (the works' ids) across the lists of
    one evaluation."""
    shared = {} if shared is None else shared
    out = np.zeros(len(frame), dtype=np.uint64)
    columns = [(col.cat.codes.to_numpy(), _category_hashes(col.cat.categories, shared))
               if isinstance(col.dtype, pd.CategoricalDtype) else (col, None)
               for col in (frame[name] for name in frame.columns)]
    for lo in range(0, len(frame), chunk):
        part = out[lo:lo + chunk]  # a view: mixed in place
        for values, hashed in columns:
            if hashed is None:  # plain values: the chunk's distinct ones hashed
                codes, uniques = pd.factorize(values.iloc[lo:lo + chunk], use_na_sentinel=True)
                hashed = _hash_values(uniques)
            else:
                codes = values[lo:lo + chunk]
            h = hashed[np.maximum(codes, 0)] if len(hashed) else np.full(len(codes), _NA)
            h[codes < 0] = _NA
            part *= _MIX
            part ^= h
    return out


def _category_hashes(categories: pd.Index, shared: dict) -> np.ndarray:
    """The hashes of a set of categories, kept while the categories live (a weak
    reference: the hashes never keep a million labels alive)."""
    key = id(categories)
    got = shared.get(key)
    if got is None or got[0]() is not categories:
        def forget(ref, key=key):
            if shared.get(key, (None,))[0] is ref:
                del shared[key]
        base = extension_of(categories)  # a million work ids and a few records after
        hashed = _hash_values(categories) if base is None else np.concatenate(
            [_category_hashes(base, shared), _hash_values(categories[len(base):])])
        got = shared[key] = (weakref.ref(categories, forget), hashed)
    return got[1]


def _hash_values(values, chunk: int = 1 << 16) -> np.ndarray:
    """SipHash of each value's text, a chunk at a time (a million labels never stand as
    Python strings all at once)."""
    out = np.zeros(len(values), dtype=np.uint64)
    for lo in range(0, len(values), chunk):
        text = np.asarray(values[lo:lo + chunk], dtype=object)
        if pd.api.types.infer_dtype(text, skipna=False) != "string":  # numbers or flags
            text = np.array([str(v) for v in text], dtype=object)
        out[lo:lo + chunk] = pd.util.hash_array(text, categorize=False)
    return out
