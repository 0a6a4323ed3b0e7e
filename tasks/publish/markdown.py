"""The one Markdown escaper: every Markdown output (the alert report and weekly summary
templates, the Prefect artifacts) prints record text through it, so HTML (`<script>`) and
Markdown syntax (links, images, emphasis, table pipes, code) in a deal's name or a paper's
title come out as the characters they are, never as markup.

`text()` backslash-escapes the characters that start markup and folds line breaks into
spaces (a value never starts a heading, list or quote of its own); `Md` marks Markdown we
wrote ourselves; `link()`, `destination()` and `code()` build links and code spans whose
parts cannot break out."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

# markup characters; `_` only where it could open or close emphasis (not inside a word:
# `screening_list` stays as it is)
_SPECIAL = re.compile(r"([\\`*\[\]<>|~!&#]|(?<![^\W_])_|_(?![^\W_]))")
_BREAKS = re.compile(r"[\r\n\v\f\u0085\u2028\u2029]+")


class Md(str):
    """Markdown made by Trendline, printed as it is."""


def text(value: Any) -> str:
    """Record text as inert Markdown (Md values pass unchanged; None prints empty)."""
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    return _SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", str(value)))


def destination(url: str) -> Md:
    """A link target that cannot end early: spaces, brackets and quotes percent-encoded."""
    return Md(quote(_BREAKS.sub("", str(url)), safe=":/?#@!$&'*+,;=%~-._"))


def safe_destination(url: Any) -> Md:
    """An http(s) link target, else '' (javascript:, data: and the rest link nowhere)."""
    text_ = url.strip() if isinstance(url, str) else ""
    if not text_.lower().startswith(("http://", "https://")):
        return Md("")
    return destination(text_)


def link(label: Any, url: str) -> Md:
    """`[label](url)`, or the label alone when the url is no http(s) or file URL."""
    ok = isinstance(url, str) and url.lower().startswith(("http://", "https://", "file:"))
    return Md(f"[{text(label)}]({destination(url)})" if ok else text(label))


def code(value: Any) -> Md:
    """An inline code span, fenced by more backticks than any run inside it."""
    inner = _BREAKS.sub(" ", str(value))
    longest = max((len(m) for m in re.findall(r"`+", inner)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if inner.startswith("`") or inner.endswith("`") else ""
    return Md(f"{fence}{pad}{inner}{pad}{fence}")

