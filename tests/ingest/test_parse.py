"""One date helper and one URL-tail parser (issue #8): tasks/ingest/parsing/fields.py,
used by every source and the resolve stage; no module of tasks/ingest or tasks/resolve
parses dates or id URLs itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from trendline.tasks.ingest.parsing.fields import day, short_id

ROOT = Path(__file__).resolve().parents[2]


def test_day_reads_what_files_and_the_store_hold():
    assert day(dt.date(2019, 5, 16)) == dt.date(2019, 5, 16)
    assert day(dt.datetime(2019, 5, 16, 13, 5)) == dt.date(2019, 5, 16)
    assert day(pd.Timestamp("2019-05-16 13:05")) == dt.date(2019, 5, 16)
    assert day("2019-05-16") == dt.date(2019, 5, 16)
    assert day(" 2019-05-16 00:00:00.000000 ") == dt.date(2019, 5, 16)  # SQLite text
    assert day("2019-05-16T13:05:00+00:00") == dt.date(2019, 5, 16)
    assert day("2019-5-6") == dt.date(2019, 5, 6)
    for unknown in (None, "", "  ", float("nan"), pd.NaT):
        assert day(unknown) is None
    for bad in ("2019-13-01", "2019-02-30", "soon", "2019-05-16 and later", "16/05/2019"):
        with pytest.raises(ValueError, match="not a date"):
            day(bad)


def test_partial_days_only_when_asked():
    assert day("2019-06", partial=True) == dt.date(2019, 6, 1)
    assert day("2019", partial=True) == dt.date(2019, 1, 1)
    for text in ("2019-06", "2019"):
        with pytest.raises(ValueError):
            day(text)


def test_short_id_is_the_tail_of_an_id_url():
    assert short_id("https://openalex.org/W2741809807") == "W2741809807"
    assert short_id("https://ror.org/05x2bcf33/") == "05x2bcf33"
    assert short_id("https://openalex.org/subfields/1702") == "1702"
    assert short_id("W123") == "W123"
    assert short_id(None) is None and short_id("") is None and short_id("/") is None


def test_no_other_date_or_url_tail_parser_in_ingest_and_resolve():
    """Parsing a day (`fromisoformat`, `strptime`) or an id URL's tail (`rsplit("/", 1)`)
    happens in tasks/ingest/parsing/fields.py only."""
    pattern = re.compile(r"fromisoformat|strptime|rsplit\(\s*['\"]/['\"]|^def _?(date|day)\(")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("tasks/ingest", "tasks/resolve")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and path.name != "fields.py"
    ]
    assert found == []
