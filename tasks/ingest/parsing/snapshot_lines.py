"""The candidate lines of a gzip JSON Lines part, found without splitting it into lines.

The part is inflated with ISA-L (zlib when it is missing) in output blocks of at most CHUNK
bytes (`max_length`: a gzip bomb never inflates more than that at once). In each block of
whole lines, the rarest wanted country code is searched for with bytes.find and only the
lines holding it (and every other code) are cut out; records and lines are counted with
bytes.count, and every record's work key is read by one anchored regex over the block.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

try:
    from isal import isal_zlib as inflater
except ImportError:  # pragma: no cover
    inflater = zlib

CHUNK = 4 << 20  # bytes inflated at a time
# a record's own id opens its line (a literal prefix: the regex engine skips ahead to it)
_KEY = re.compile(rb'\n\{"id": ?"https://openalex\.org/W(\d+)"')
_FIRST = re.compile(rb'\{"id": ?"https://openalex\.org/W(\d+)"')
SAMPLE = 1 << 18  # bytes of a block sampled to find the rarest country code


class LineTooLong(ValueError):
    """A decompressed line passed the cap: a gzip bomb or a part without newlines."""


def inflated(path: str) -> Iterator[bytes]:
    """The decompressed bytes of a gzip file (several members too), CHUNK at most at a
    time; EOFError when it ends before its stream does."""
    d = inflater.decompressobj(31)
    with open(path, "rb") as fh:
        data = fh.read(1 << 20)
        while data:
            out = d.decompress(data, CHUNK)
            if out:
                yield out
            if d.eof:
                data = d.unused_data or fh.read(1 << 20)
                if data:
                    d = inflater.decompressobj(31)
                continue
            data = d.unconsumed_tail or fh.read(1 << 20)
    if not d.eof:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")


def candidates(path: str, needles: tuple[bytes, ...], seen: list[int], counts: list[int],
               cap: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of every line holding all `needles`; `counts` becomes
    [records, lines] read so far; `seen` gets every record's work key. Blocks are searched
    in place (no copy of the inflated output but the line cut across two blocks)."""
    rest = b""
    for out in inflated(path):
        lo = 0
        if rest:
            nl = out.find(b"\n")
            if nl < 0:
                rest += out
                _check(rest, cap)
                continue
            joined = rest + out[:nl + 1]
            yield from _in_block(joined, 0, len(joined), needles, seen, counts)
            lo = nl + 1
        cut = out.rfind(b"\n", lo) + 1
        if cut > lo:
            yield from _in_block(out, lo, cut, needles, seen, counts)
        rest = out[max(cut, lo):]
        _check(rest, cap)
    if rest.strip():
        rest += b"\n"
        yield from _in_block(rest, 0, len(rest), needles, seen, counts)


def _check(rest: bytes, cap: int) -> None:
    if len(rest) > cap:
        raise LineTooLong(f"a line passes {cap >> 20} MiB decompressed without ending "
                          "(a gzip bomb, or not JSON Lines)")


def _in_block(block: bytes, lo: int, hi: int, needles: tuple[bytes, ...], seen: list[int],
              counts: list[int]) -> Iterator[tuple[int, bytes]]:
    """The whole lines block[lo:hi] (it ends with a newline)."""
    base = counts[1]
    lines = block.count(b"\n", lo, hi)
    if first := _FIRST.match(block, lo):
        seen.append(int(first.group(1)))
    keys = [int(k) for k in _KEY.findall(block, lo, hi)]
    seen.extend(keys)
    records = lines if len(keys) + bool(first) == lines else _records(block, lo, hi, lines)
    sample = block[lo:lo + SAMPLE]
    rarest = min(needles, key=sample.count) if needles else b""
    at = block.find(rarest, lo, hi) if rarest else -1
    counted, before = lo, 0  # newlines in block[lo:counted]
    while at >= 0:
        start = max(lo, block.rfind(b"\n", lo, at) + 1)
        end = block.find(b"\n", at, hi)
        line = block[start:end]
        if all(n in line for n in needles):
            before += block.count(b"\n", counted, start)
            counted = start
            yield base + before + 1, line
        at = block.find(rarest, end, hi)
    counts[0] += records
    counts[1] += lines


def _records(block: bytes, lo: int, hi: int, lines: int) -> int:
    """Lines that are not blank (counted only when some line does not open with an id)."""
    blank = block.count(b"\n\n", lo, hi) + (block[lo:lo + 1] == b"\n")
    return lines - blank
