"""Build a Matcher from the organisation registry and watch-list entries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from trendline.tasks.ingest.parsing.names import canon
from trendline.tasks.resolve.match.matcher import Matcher

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]{1,9}$")


def _get(row, name, default=None):
    return row.get(name, default) if isinstance(row, Mapping) else getattr(row, name, default)


def add_orgs(m: Matcher, orgs: Iterable) -> None:
    """Organisations (registry rows or Org objects): every name, alias and acronym."""
    for o in orgs:
        oid = _get(o, "id")
        m.add_org(oid, _get(o, "name"), _get(o, "ror_id"), _get(o, "parent_id"))
        for lang_names in (_get(o, "names") or {}).values():
            for n in lang_names:
                m.add_name(oid, n)
        m.add_name(oid, _get(o, "name"))
        for a in _get(o, "aliases") or ():
            m.add_name(oid, a, "acronym" if _ACRONYM.match(a) else "name")
        for a in _get(o, "acronyms") or ():
            m.add_name(oid, a, "acronym")
        for a in _get(o, "weak_aliases") or ():
            m.add_name(oid, a, "weak")


def entry_org(m: Matcher, entry) -> str:
    """The organisation a watch-list entry is about: its org id, else the registry
    organisation one of its names resolves to exactly, else a new `tl:` organisation."""
    if _get(entry, "org_id"):
        return _get(entry, "org_id")
    for text in (_get(entry, "name"), *(_get(entry, "aliases") or ())):
        hit = m.exact.get(" ".join(w for w in canon(text).split() if w not in ("of", "the", "and")))
        if hit is not None and hit.kind != "weak":
            return hit.org
    return "tl:" + re.sub(r"[^a-z0-9]+", "-", canon(_get(entry, "name"))).strip("-")[:60]


def build(orgs: Iterable = (), entries: Iterable = ()) -> tuple[Matcher, dict[str, str]]:
    """The matcher, and each entry's organisation id (entry id -> org id)."""
    m = Matcher()
    add_orgs(m, orgs)
    entry_orgs = {}
    for e in entries:
        oid = entry_org(m, e)
        entry_orgs[_get(e, "id")] = oid
        m.add_org(oid, _get(e, "name"), _get(e, "ror_id"))
        if _get(e, "removed_on") is None:
            m.lists[oid].add(_get(e, "list_name"))
        if not str(oid).startswith("ror:") or oid not in m.names:
            m.add_name(oid, _get(e, "name"))
        for a in _get(e, "aliases") or ():
            m.add_name(oid, a, "acronym" if _ACRONYM.match(a) else "name")
        m.add_name(oid, _get(e, "name"))
    return m.finish(), entry_orgs
