"""The organisation matcher: ROR id, exact alias (Latin, Chinese, Cyrillic), then fuzzy
candidates from a token index, with guards against look-alike institutions.

Rules: `ror`, `alias` (an exact normalised name), `fuzzy` (typo or word order, scored with
rapidfuzz), `review` (uncertain: counts for nothing, lists empty), `none`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from trendline.tasks.ingest.parsing.fields import short_id
from trendline.tasks.ingest.parsing.names import STOP, fold, is_cjk, segments
from trendline.tasks.resolve.match.guards import CONTINUES, DIRECTIONS, GENERIC, PLACES

ACCEPT = 0.90  # fuzzy score from which a match counts
REVIEW = 0.80  # fuzzy score from which a candidate is shown for review
PLA = ("中国人民解放军", "解放军", "中国")
_PIECES = re.compile(r"[\s,;()\[\]，；（）【】、。：:.]+")


@dataclass(frozen=True)
class Match:
    org_id: str | None
    org_name: str | None
    lists: tuple[str, ...] = ()
    score: float = 0.0
    rule: str = "none"
    ror_id: str | None = None


NO_MATCH = Match(None, None)


@dataclass(frozen=True)
class Alias:
    org: str
    words: tuple[str, ...]  # content words, stop words dropped
    kind: str  # name | acronym | weak


def key(words: Iterable[str]) -> str:
    return " ".join(w for w in words if w not in STOP)


@dataclass
class Matcher:
    names: dict[str, str] = field(default_factory=dict)  # org id -> display name
    ror: dict[str, str | None] = field(default_factory=dict)  # org id -> ROR id
    lists: dict[str, set[str]] = field(default_factory=dict)  # org id -> current lists
    parents: dict[str, str | None] = field(default_factory=dict)
    by_ror: dict[str, str] = field(default_factory=dict)
    exact: dict[str, Alias | None] = field(default_factory=dict)  # None: ambiguous
    cjk: dict[str, list[tuple[str, Alias]]] = field(default_factory=dict)
    aliases: list[Alias] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    _fixed: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_entries(cls, entries: Iterable) -> Matcher:
        """A matcher from watch-list entries alone (no registry)."""
        from trendline.tasks.resolve.match.build import build

        return build((), entries)[0]

    # Building ------------------------------------------------------------------------
    def add_org(self, oid: str, name: str, ror_id: str | None = None, parent: str | None = None):
        self.names.setdefault(oid, name)
        self.lists.setdefault(oid, set())
        if ror_id:
            self.ror.setdefault(oid, ror_id)
            self.by_ror.setdefault(ror_id, oid)
        if parent:
            self.parents.setdefault(oid, parent)

    def add_name(self, oid: str, text: str, kind: str = "name") -> None:
        if not text or not text.strip():
            return
        if is_cjk(text):
            flat = "".join(fold(text).split())
            alias = Alias(oid, (flat,), kind)
            self.cjk.setdefault(flat[:2], []).append((flat, alias))
            return
        words = tuple(w for w in fold_words(text) if w not in STOP)
        if not words or (kind == "acronym" and len("".join(words)) < 3):
            return
        generic = all(w in GENERIC or w.isdigit() for w in words)
        if kind == "name" and generic and "university" not in words:
            kind = "weak"
        alias = Alias(oid, words, kind)
        k = " ".join(words)
        old = self.exact.get(k, alias)
        self.exact[k] = alias if old is not None and old.org == oid else None
        if kind != "acronym" and (len(words) > 1 or (len(words[0]) >= 5 and not generic)):
            self.aliases.append(alias)
            for w in set(words):
                self.postings.setdefault(w, []).append(len(self.aliases) - 1)

    def finish(self) -> Matcher:
        for entries in self.cjk.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.anchors: dict[str, list[int]] = {}
        for i, alias in enumerate(self.aliases):  # each alias filed under its rarest word
            rarest = min(alias.words, key=lambda w: len(self.postings[w]))
            self.anchors.setdefault(rarest, []).append(i)
        self._vocab = sorted(set(self.postings) | PLACES)
        self._known = set(self._vocab) | STOP
        return self

    # Resolving -------------------------------------------------------------------------
    def resolve(self, name: str | None, ror_id: str | None = None) -> Match:
        rid = short_id(ror_id)
        if rid and rid in self.by_ror:
            return self._match(self.by_ror[rid], 1.0, "ror")
        text = name or ""
        segs = segments(text)
        hit = self._exact(segs, text) or self._chinese(text) or self._fuzzy(segs)
        return hit or NO_MATCH

    def _match(self, oid: str, score: float, rule: str) -> Match:
        lists = tuple(sorted(self.lists.get(oid, ()))) if rule != "review" else ()
        return Match(oid, self.names.get(oid), lists, round(score, 3), rule, self.ror.get(oid))

    def _exact(self, segs: list[str], text: str) -> Match | None:
        one = [key(s.split()) for s in segs]
        keys = [" ".join(one[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(one) - n + 1)]
        found = [(k, self.exact[k]) for k in keys if k in self.exact]
        if not found:
            return None
        orgs = {a.org for _, a in found if a is not None}
        ranked = []
        for k, alias in found:
            if alias is None:
                ranked.append((0, len(k), None, "review"))
                continue
            weak = alias.kind == "weak" and not self._parent_named(alias.org, segs, k)
            child = any(self.parents.get(o) == alias.org for o in orgs)  # a child is more precise
            rule = "review" if weak else "alias"
            ranked.append((1 if weak else 3 - child, len(k), alias.org, rule))
        _, _, oid, rule = max(ranked, key=lambda r: r[:2])
        return Match(None, None, (), 1.0, "review") if oid is None else self._match(oid, 1.0, rule)

    def _parent_named(self, oid: str, segs: list[str], own: str) -> bool:
        parent = self.parents.get(oid)
        if not parent:
            return False
        return any(
            k != own and a is not None and a.org == parent
            for k, a in ((key(s.split()), self.exact.get(key(s.split()))) for s in segs)
        )

    def _chinese(self, text: str) -> Match | None:
        for run in _PIECES.split(fold(text)):
            for start in (run, *(run[len(p):] for p in PLA if run.startswith(p))):
                for alias_text, alias in self.cjk.get(start[:2], ()):
                    if start.startswith(alias_text):
                        rule = "review" if alias.kind == "weak" else "alias"
                        return self._match(alias.org, 1.0, rule)
        return None

    def _fix(self, word: str) -> str:
        """A misspelt word repaired to a known one (OSA distance), else itself."""
        if word in self._known or len(word) < 6 or not word.isalpha():
            return word
        if word not in self._fixed:
            best = process.extractOne(word, self._vocab, scorer=OSA.normalized_similarity,
                                      score_cutoff=0.83)
            self._fixed[word] = best[0] if best else word
        return self._fixed[word]

    def _fuzzy(self, segs: list[str]) -> Match | None:
        best: tuple | None = None
        for seg in segs:
            raw = seg.split()
            words = [self._fix(w) for w in raw]
            content = [i for i, w in enumerate(words) if w not in STOP]
            present = set(words)
            cands = [
                i for w in present for i in self.anchors.get(w, ())
                if present.issuperset(self.aliases[i].words)
            ]
            for idx in cands:
                found = self._span(self.aliases[idx], words, raw, content)
                if found and (best is None or found[:2] > best[:2]):
                    best = found
        if best is None:
            return None
        score, _, oid, rule = best
        return self._match(oid, score, rule)

    def _span(self, alias: Alias, words, raw, content) -> tuple | None:
        """The alias as a run of the segment's content words, with its context checked."""
        seq = [words[i] for i in content]
        n = len(alias.words)
        for s in range(len(seq) - n + 1):
            if tuple(seq[s : s + n]) != alias.words:
                continue
            first, last = content[s], content[s + n - 1]
            before = words[first - 1] if first > 0 else ""
            after = words[last + 1] if last + 1 < len(words) else ""
            if after in CONTINUES or before in DIRECTIONS:
                return None  # part of a longer, different name
            span_raw = " ".join(raw[first : last + 1])
            span_fix = " ".join(words[first : last + 1])
            score = fuzz.ratio(span_raw, span_fix) / 100
            campus = after in PLACES and last + 1 == len(words) - 1 and after not in alias.words
            doubtful = alias.kind == "weak" or before == "of" or campus
            if doubtful or score < ACCEPT:
                return (score - 0.5, n, alias.org, "review") if score >= REVIEW else None
            return score, n, alias.org, "alias" if span_raw == span_fix else "fuzzy"
        return None


def fold_words(text: str) -> list[str]:
    from trendline.tasks.ingest.parsing.names import tokens

    return tokens(fold(text))
