"""The candidate-line search of snapshot_lines: StringZilla's search for the rarest country
code must find exactly the lines a plain substring test finds, whatever the letters
around, the block edges and the line lengths."""

from __future__ import annotations

import gzip
import random

import pytest

from trendline.tasks.ingest.parsing import snapshot_lines
from trendline.tasks.ingest.parsing.snapshot_lines import candidates

NEEDLES = (b'"CN"', b'"RU"')
PIECES = [b'"RU"', b'"CN"', b'RU', b'"R', b'U"', b'RRUU', b'"RUS"', b'"CNR"', b'UR"',
          b'"', b'R', b'U', b'N', b'C', b'x' * 50, b'"country_code": "RU"', b'\xd0\xa0U']


def _line(rng: random.Random, n: int) -> bytes:
    body = b"".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 40)))
    return b'{"id": "https://openalex.org/W%d", "t": "' % n + body + b'"}'


@pytest.mark.parametrize("chunk", [64, 1000, 4 << 20])
def test_the_letter_search_finds_exactly_the_lines_holding_every_code(tmp_path, monkeypatch,
                                                                      chunk):
    rng = random.Random(chunk)
    lines = [_line(rng, n) for n in range(3000)]
    path = tmp_path / "part_0000.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    monkeypatch.setattr(snapshot_lines, "CHUNK", chunk)  # codes cut across blocks too
    seen, counts = [], [0, 0]
    found = list(candidates(str(path), NEEDLES, seen, counts, 1 << 20))
    want = [(i + 1, x) for i, x in enumerate(lines) if all(n in x for n in NEEDLES)]
    assert want and found == want
    assert counts[:2] == [3000, 3000] and seen == list(range(3000))


@pytest.mark.parametrize(("body", "rarest"), [(b'"CN" "CN" "RU"', b'"RU"'),
                                              (b'"RU" "RU" "CN" RRRR', b'"CN"')])
def test_the_rarest_code_of_the_first_block_is_the_one_searched(tmp_path, body, rarest):
    path = tmp_path / "part_0000.gz"
    path.write_bytes(gzip.compress(b'{"id": "https://openalex.org/W1", "t": "%s"}\n' % body))
    counts = [0, 0]
    assert len(list(candidates(str(path), NEEDLES, [], counts, 1 << 20))) == 1
    assert counts == [1, 1, rarest]


@pytest.mark.parametrize("needles", [(b"R",), (b'"R',), (b'U"', b"N"), (b'"RUS"', b'"CN"')])
def test_needles_of_any_length_find_exactly_the_substring_lines(tmp_path, monkeypatch,
                                                               needles):
    rng = random.Random(len(needles[0]))
    lines = [_line(rng, n) for n in range(2000)]
    path = tmp_path / "part_0000.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    monkeypatch.setattr(snapshot_lines, "CHUNK", 4096)  # the buffer grows past some lines
    seen, counts = [], [0, 0]
    found = list(candidates(str(path), needles, seen, counts, 1 << 20))
    assert found == [(i + 1, x) for i, x in enumerate(lines) if all(n in x for n in needles)]
    assert counts[:2] == [2000, 2000] and seen == list(range(2000))


def test_a_line_longer_than_the_buffer_is_read_whole_and_the_cap_still_holds(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr(snapshot_lines, "CHUNK", 1000)
    long = b'{"id": "https://openalex.org/W5", "t": "' + b"x" * 50_000 + b' "CN" "RU"}'
    path = tmp_path / "part_0000.gz"
    path.write_bytes(gzip.compress(b"\n".join([b'{"id":"https://openalex.org/W4"}', long])))
    seen, counts = [], [0, 0]
    assert list(candidates(str(path), NEEDLES, seen, counts, 1 << 20)) == [(2, long)]
    assert seen == [4, 5] and counts[:2] == [2, 2]
    with pytest.raises(snapshot_lines.LineTooLong):
        list(candidates(str(path), NEEDLES, [], [0, 0], 20_000))


def test_an_empty_part_is_truncated_and_trailing_zeros_are_ignored(tmp_path):
    empty = tmp_path / "part_0000.gz"
    empty.write_bytes(b"")
    with pytest.raises(EOFError):
        list(candidates(str(empty), NEEDLES, [], [0, 0], 1 << 20))
    padded = tmp_path / "part_0001.gz"  # as gzip(1) does, zeros after the last member
    padded.write_bytes(gzip.compress(b'{"id": "https://openalex.org/W3", "c": "CN RU"}\n')
                       + b"\0" * 8)
    seen, counts = [], [0, 0]
    assert list(candidates(str(padded), NEEDLES, seen, counts, 1 << 20)) == []
    assert seen == [3] and counts[:2] == [1, 1]
