"""The candidate lines of a gzip JSON Lines part, found without splitting it into lines.

The part is inflated with ISA-L (zlib when it is missing) in output blocks of at most CHUNK
bytes (`max_length`: a gzip bomb never inflates more than that at once). In each block of
whole lines, the rarest wanted country code is searched for by the rarer of its two letters
(bytes.find of one byte is memchr, several times faster than bytes.find of the quoted code,
whose quote is common in JSON), each hit checked in place; only the lines holding it (and
every other code) are cut out. Records and lines are counted with a memchr walk over the
newlines, and every record's work key is read where its line opens.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

try:
    from isal import isal_zlib as inflater
except ImportError:  # pragma: no cover
    inflater = zlib

CHUNK = 4 << 20  # bytes inflated at a time
# a record's own id opens its line
_PREFIXES = (b'{"id": "https://openalex.org/W', b'{"id":"https://openalex.org/W')
SAMPLE = 1 << 18  # bytes of a part's first block sampled for the rarest country code


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
    [records, lines] read so far (then the rarest needle); `seen` gets every record's
    work key. Blocks are searched in place (no copy of the inflated output but the line
    cut across two blocks)."""
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
    """The whole lines block[lo:hi] (it ends with a newline): walked with memchr (find of
    one byte), the rarest code searched ahead; records are a few KB, so the Python loop
    runs once per record and the byte scans do the rest."""
    if needles and not counts[2:]:  # the rarest code, chosen once per part (first block)
        counts.append(rarest_letter(block, lo, needles))
    find = _finder(block, hi, *counts[2]) if needles else lambda _start: -1
    hit = find(lo)
    records, lines, pos = 0, counts[1], lo
    while pos < hi:
        end = block.find(b"\n", pos, hi)
        lines += 1
        if end > pos:
            records += 1
            for prefix in _PREFIXES:
                if block.startswith(prefix, pos):
                    digits = pos + len(prefix)
                    close = block.find(b'"', digits, digits + 24)
                    if close > digits and block[digits:close].isdigit():
                        seen.append(int(block[digits:close]))
                    break
        if 0 <= hit < end:
            line = block[pos:end]
            if all(n in line for n in needles):
                yield lines, line
            hit = find(end)
        pos = end + 1
    counts[0] += records
    counts[1] = lines


def rarest_letter(block: bytes, lo: int, needles: tuple[bytes, ...]) -> tuple[bytes, int, bytes]:
    """(needle, offset of its rarer letter, that letter) for the needle rarest in the first
    SAMPLE bytes of the part."""
    needle = min(needles, key=lambda n: block.count(n, lo, lo + SAMPLE))
    inner = range(1, len(needle) - 1) if len(needle) > 2 else range(len(needle))
    k = min(inner, key=lambda i: block.count(needle[i:i + 1], lo, lo + SAMPLE))
    return needle, k, needle[k:k + 1]


def _finder(block: bytes, hi: int, needle: bytes, k: int, letter: bytes):
    """find(start): where `needle` next opens in block[start:hi], -1 when nowhere; memchr
    for `letter` (the needle's byte at offset k), each hit checked in place."""
    find, opens = block.find, block.startswith

    def next_hit(start: int) -> int:
        i = find(letter, start + k, hi)
        while i >= 0:
            if opens(needle, i - k, hi):
                return i - k
            i = find(letter, i + 1, hi)
        return -1

    return next_hit
