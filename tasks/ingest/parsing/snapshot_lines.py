"""The candidate lines of a gzip JSON Lines part, found without splitting it into lines.

The part is inflated with ISA-L (zlib when it is missing) straight into one reused buffer of
CHUNK bytes (readinto: no new bytes object per block, and the block is still in the core's
cache when it is searched); a line cut at the end of a block is moved to the front and the
next block read after it. The buffer grows only for a line longer than itself, and never
past the line cap: a gzip bomb is stopped with its memory bounded. In each block of whole
lines, the rarest wanted country code is searched for by the rarer of its two letters
(bytes.find of one byte is memchr, several times faster than bytes.find of the quoted code,
whose quote is common in JSON), each hit checked in place; only the lines holding it (and
every other code) are copied out. Records and lines are counted with a memchr walk over the
newlines, and every record's work key is read where its line opens.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

try:  # ISA-L's raw gzip reader: readinto a caller's buffer, several members, EOFError
    from isal.igzip import _IGzipReader as _raw_reader
except ImportError:  # pragma: no cover
    _raw_reader = None

CHUNK = 1 << 20  # bytes inflated at a time (the buffer; it fits a core's L2 cache)
# a record's own id opens its line
_PREFIXES = (b'{"id": "https://openalex.org/W', b'{"id":"https://openalex.org/W')
SAMPLE = 1 << 18  # bytes of a part's first block sampled for the rarest country code


class LineTooLong(ValueError):
    """A decompressed line passed the cap: a gzip bomb or a part without newlines."""


def gzip_stream(fh):
    """The decompressed stream of an open gzip file, read with readinto."""
    return _raw_reader(fh) if _raw_reader is not None else gzip.GzipFile(fileobj=fh)


def candidates(path: str, needles: tuple[bytes, ...], seen: list[int], counts: list[int],
               cap: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of every line holding all `needles`; `counts` becomes
    [records, lines] read so far (then the rarest needle); `seen` gets every record's
    work key. EOFError when the part ends before its compressed stream does."""
    buf = bytearray(CHUNK)
    have = 0  # bytes at the front of buf: the line cut at the end of the last block
    with open(path, "rb") as fh:
        stream = gzip_stream(fh)
        while True:
            if have == len(buf):  # a line longer than the buffer: room for more of it
                buf.extend(bytes(len(buf)))
            with memoryview(buf) as view:
                n = stream.readinto(view[have:])
            if not n:
                break
            end = have + n
            cut = buf.rfind(b"\n", have, end) + 1
            if cut:
                yield from _in_block(buf, 0, cut, needles, seen, counts)
                buf[:end - cut] = buf[cut:end]
                have = end - cut
            else:
                have = end
            if have > cap:
                raise LineTooLong(f"a line passes {cap >> 20} MiB decompressed without "
                                  "ending (a gzip bomb, or not JSON Lines)")
        if not fh.tell():  # not even a gzip header: a download that never began
            raise EOFError("an empty file, not a gzip stream")
    if buf[:have].strip():
        last = bytes(buf[:have]) + b"\n"
        yield from _in_block(last, 0, len(last), needles, seen, counts)


def _in_block(block: bytearray | bytes, lo: int, hi: int, needles: tuple[bytes, ...],
              seen: list[int], counts: list[int]) -> Iterator[tuple[int, bytes]]:
    """The whole lines block[lo:hi] (it ends with a newline): walked with memchr (find of
    one byte), the rarest code searched ahead; records are a few KB, so the Python loop
    runs once per record and the byte scans do the rest."""
    if needles and not counts[2:]:  # the rarest code, chosen once per part (first block)
        counts.append(rarest_letter(block, lo, needles))
    find = _finder(block, hi, *counts[2]) if needles else lambda _start: -1
    hit = find(lo)
    records, lines, pos = 0, counts[1], lo
    nl, opens, quote = block.find, block.startswith, block.find
    long_prefix, short_prefix = _PREFIXES
    long_len, short_len = len(long_prefix), len(short_prefix)
    while pos < hi:
        end = nl(b"\n", pos, hi)
        lines += 1
        if end > pos:
            records += 1
            if opens(long_prefix, pos):
                digits = pos + long_len
            elif opens(short_prefix, pos):
                digits = pos + short_len
            else:
                digits = -1
            if digits >= 0:
                close = quote(b'"', digits, digits + 24)
                if close > digits and (key := block[digits:close]).isdigit():
                    seen.append(int(key))
        if 0 <= hit < end:
            if all(nl(n, pos, end) >= 0 for n in needles):
                yield lines, bytes(block[pos:end])
            hit = find(end)
        pos = end + 1
    counts[0] += records
    counts[1] = lines


def rarest_letter(block: bytearray | bytes, lo: int,
                  needles: tuple[bytes, ...]) -> tuple[bytes, int, bytes]:
    """(needle, offset of its rarer letter, that letter) for the needle rarest in the first
    SAMPLE bytes of the part."""
    needle = min(needles, key=lambda n: block.count(n, lo, lo + SAMPLE))
    inner = range(1, len(needle) - 1) if len(needle) > 2 else range(len(needle))
    k = min(inner, key=lambda i: block.count(needle[i:i + 1], lo, lo + SAMPLE))
    return needle, k, needle[k:k + 1]


def _finder(block: bytearray | bytes, hi: int, needle: bytes, k: int, letter: bytes):
    """find(start): where `needle` next opens in block[start:hi], -1 when nowhere; memchr
    for `letter` (the needle's byte at offset k), each hit checked in place: first the
    byte beside it (indexing, cheaper than a call), then the whole needle."""
    find, opens = block.find, block.startswith
    side = k + 1 if k + 1 < len(needle) else max(k - 1, 0)
    step, want = side - k, needle[side]

    def next_hit(start: int) -> int:
        i = find(letter, start + k, hi)
        while i >= 0:
            if i + step < hi and block[i + step] == want and opens(needle, i - k, hi):
                return i - k
            i = find(letter, i + 1, hi)
        return -1

    return next_hit
