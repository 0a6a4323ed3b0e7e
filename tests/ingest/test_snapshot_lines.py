"""The candidate-line search of snapshot_lines: memchr on the rarer letter of the rarest
country code must find exactly the lines a plain substring test finds, whatever the
letters around, the block edges and the line lengths."""

from __future__ import annotations

import gzip
import random

import pytest

from trendline.tasks.ingest.parsing import snapshot_lines
from trendline.tasks.ingest.parsing.snapshot_lines import candidates, rarest_letter

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


def test_the_rarer_letter_of_the_rarest_code_is_searched():
    block = b'"CN" "CN" "RU" RRRR UUUUUU\n'
    needle, k, letter = rarest_letter(block, 0, NEEDLES)
    assert (needle, k, letter) == (b'"RU"', 1, b"R")
    assert needle[k:k + 1] == letter
