"""Which country an affiliation string names, for sources that give no country (CNKI).

Decided once here; the answer says which term decided it. Traps: 白俄罗斯 (Belarus) contains
俄罗斯 (Russia); "Belarusian", "White Russia" and Russian-sounding places outside Russia are
not Russia. Exclusions are matched first and removed from the text before the Russian terms
are looked for. The term lists live in data/cnki/definitions.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from trendline.core.settings import DATA_DIR

DEFINITIONS = DATA_DIR / "cnki" / "definitions.toml"
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Terms:
    ru_zh: tuple[str, ...]
    ru_latin: re.Pattern
    others: tuple[tuple[str, re.Pattern], ...]  # (ISO code, its terms), checked first
    cn_latin: re.Pattern
    exclude: re.Pattern | None  # phrases that name no country's affiliation


def _any(terms) -> re.Pattern:
    """Chinese terms anywhere; Latin and Cyrillic ones as whole words, any case."""
    cjk = [re.escape(t) for t in terms if _CJK.search(t)]
    words = [re.escape(t) for t in sorted(terms, key=len, reverse=True) if not _CJK.search(t)]
    parts = cjk + ([rf"(?<![\w])(?:{'|'.join(words)})(?![\w])"] if words else [])
    return re.compile("|".join(parts), re.IGNORECASE)


def _words(terms, flags: int = re.IGNORECASE) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", flags)


@lru_cache(maxsize=4)
def terms(path: Path = DEFINITIONS) -> Terms:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    ru = data["russia"]
    names = "|".join(re.escape(t) for t in sorted(ru["latin"], key=len, reverse=True))
    acronyms = "|".join(re.escape(t) for t in ru["acronyms"])
    return Terms(
        ru_zh=tuple(ru["zh"]),
        ru_latin=re.compile(rf"(?<![\w])(?:(?i:{names})|{acronyms})(?![\w])"),
        others=tuple((code, _any(words)) for code, words in data["other_countries"].items()),
        cn_latin=_words(data["china"]["latin"]),
        exclude=_any([*ru.get("exclude_zh", []), *ru.get("exclude_latin", [])])
        if ru.get("exclude_zh") or ru.get("exclude_latin") else None,
    )


def country_of(text: str, t: Terms | None = None) -> tuple[str | None, str]:
    """(ISO code or None, the rule that decided it) for one affiliation string."""
    t = t or terms()
    if t.exclude is not None:
        text = t.exclude.sub(" ", text)
    for code, pattern in t.others:  # Belarus before Russia: 白俄罗斯 contains 俄罗斯
        if m := pattern.search(text):
            return code, f"name: {m.group(0)} (not Russia)"
    if hit := next((term for term in t.ru_zh if term in text), None):
        return "RU", f"name: {hit}"
    if m := t.ru_latin.search(text):
        return "RU", f"name: {m.group(0)}"
    if _CJK.search(text):
        return "CN", "name: Chinese script, no other country named"
    if m := t.cn_latin.search(text):
        return "CN", f"name: {m.group(0)}"
    return None, "unknown"
