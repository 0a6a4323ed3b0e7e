"""CNKI export formats: encoding detection and the four tagged formats, as plain records.

Each parser yields `Record`s whose fields use one vocabulary (title, authors, institutions,
journal, year, keywords, abstract, funds, link, type), whatever the export format called
them. Tags a format uses that Trendline does not need are ignored on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")  # GB18030 is a superset of GBK and GB2312
LIST_FIELDS = {"authors", "institutions", "keywords", "funds"}


@dataclass
class Record:
    number: int  # 1-based position in the file
    line: int  # line where the record starts
    fields: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        value = value.strip()
        if value:
            self.fields.setdefault(name, []).append(value)

    def one(self, name: str) -> str:
        return " ".join(self.fields.get(name, []))

    def many(self, name: str) -> list[str]:
        return [p for v in self.fields.get(name, []) for p in split_list(v)]


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was in (UTF-8 with or without BOM, or GB18030)."""
    data = path.read_bytes()
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            enc = "utf-8"
        return text.replace("\r\n", "\n").replace("\r", "\n"), enc
    raise ValueError("not UTF-8 and not GB18030/GBK text")


_SPLIT = re.compile(r"\s*[;；]+\s*")
_NUMBERED = re.compile(r"^\s*\d{1,2}\s*[.、．]\s*")


def split_list(value: str) -> list[str]:
    """'a;b;;c;' and '1.甲；2.乙' -> items, without empty ones or leading list numbers."""
    return [_NUMBERED.sub("", p).strip() for p in _SPLIT.split(value) if p.strip()]


# Tag vocabularies ---------------------------------------------------------------------

ESTUDY = {  # "Title-题名" -> the part before the dash
    "Title": "title", "Author": "authors", "Organ": "institutions", "Source": "journal",
    "Year": "year", "PubTime": "date", "Keyword": "keywords", "Summary": "abstract",
    "Fund": "funds", "Link": "link", "SrcDatabase": "type",
}
NOTEEXPRESS = {
    "Reference Type": "type", "Title": "title", "Author": "authors",
    "Author Address": "institutions", "Journal": "journal", "Year": "year", "Date": "date",
    "Keywords": "keywords", "Abstract": "abstract", "Fund": "funds", "基金": "funds",
    "URL": "link", "Publisher": "publisher",
}
REFWORKS = {
    "RT": "type", "T1": "title", "A1": "authors", "AD": "institutions", "JF": "journal",
    "YR": "year", "K1": "keywords", "AB": "abstract", "FU": "funds", "LK": "link",
}
ENDNOTE = {
    "%0": "type", "%T": "title", "%A": "authors", "%+": "institutions", "%J": "journal",
    "%D": "year", "%K": "keywords", "%X": "abstract", "%Z": "funds", "%U": "link",
}

_ESTUDY_LINE = re.compile(r"^([A-Za-z]+)-[^:：]*[:：]\s?(.*)$")
_NOTE_LINE = re.compile(r"^\{([^}]+)\}:\s?(.*)$")
_REFWORKS_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_ENDNOTE_LINE = re.compile(r"^(%.)(?: (.*))?$")


def detect_format(text: str) -> str | None:
    head = "\n".join(line for line in text.lstrip("\ufeff").splitlines()[:40] if line.strip())
    if re.search(r"^DataType:", head, re.M) or _ESTUDY_LINE.match(head.split("\n")[0] or ""):
        return "estudy"
    if re.search(r"^\{Reference Type\}:|^\{Title\}:", head, re.M):
        return "noteexpress"
    if re.search(r"^RT \S", head, re.M):
        return "refworks"
    if re.search(r"^%0 \S", head, re.M):
        return "endnote"
    return None


def parse(text: str, fmt: str) -> Iterator[Record]:
    return PARSERS[fmt](text)


def _tagged(text: str, line_re: re.Pattern, starts: str, vocab: dict[str, str],
            strip_tag=lambda t: t) -> Iterator[Record]:
    """Records that begin with the tag `starts`; an untagged line continues the last field,
    even after blank lines (CNKI breaks long addresses that way)."""
    rec: Record | None = None
    last: str | None = None
    number = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = line_re.match(line)
        tag = strip_tag(m.group(1)) if m else None
        if tag == starts:
            if rec is not None:
                yield rec
            number += 1
            rec, last = Record(number, lineno), None
        if rec is None:  # text before the first record
            number += 1
            rec = Record(number, lineno)
            rec.problems.append(f"line {lineno}: text before the first record tag")
        if m is None:
            if last is None:
                rec.problems.append(f"line {lineno}: untagged line outside a field")
            else:
                rec.fields[last][-1] += " " + line.strip()
            continue
        name = vocab.get(tag)
        last = name if name and (m.group(2) or "").strip() else None
        if name:
            rec.add(name, m.group(2) or "")
    if rec is not None:
        yield rec


def parse_estudy(text: str) -> Iterator[Record]:
    return _tagged(text, re.compile(r"^(DataType|[A-Za-z]+-[^:：]*)[:：]\s?(.*)$"), "DataType",
                   ESTUDY, strip_tag=lambda t: t.split("-", 1)[0])


def parse_noteexpress(text: str) -> Iterator[Record]:
    return _tagged(text, _NOTE_LINE, "Reference Type", NOTEEXPRESS,
                   strip_tag=lambda t: t.rstrip(","))


def parse_refworks(text: str) -> Iterator[Record]:
    return _tagged(text, _REFWORKS_LINE, "RT", REFWORKS)


def parse_endnote(text: str) -> Iterator[Record]:
    return _tagged(text, _ENDNOTE_LINE, "%0", ENDNOTE)


PARSERS = {
    "estudy": parse_estudy,
    "noteexpress": parse_noteexpress,
    "refworks": parse_refworks,
    "endnote": parse_endnote,
}
