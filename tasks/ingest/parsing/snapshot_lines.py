"""The candidate lines of a gzip JSON Lines part, found without splitting it into lines.

The part is inflated with ISA-L (zlib when it is missing) straight into one reused buffer of
CHUNK bytes (readinto: no new bytes object per block, and the block is still in the core's
cache when it is searched); a line cut at the end of a block is moved to the front and the
next block read after it. The buffer grows only for a line longer than itself, and never
past the line cap: a gzip bomb is stopped with its memory bounded. Each block of whole lines
is walked with memchr over the newlines (records and lines counted, each record's work key
read where its line opens), and each record is searched for the rarest wanted country code
(sampled in the part's first block) with StringZilla's SIMD substring search (about 15
GB/s here, where bytes.find of a short needle in JSON manages under 1.5), so Python runs
once per record, not per byte; only the lines holding every code are copied out.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

import stringzilla as sz

try:  # ISA-L's raw gzip reader: readinto a caller's buffer, several members, EOFError
    from isal.igzip import _IGzipReader as _raw_reader
except ImportError:  # pragma: no cover
    _raw_reader = None

CHUNK = 1 << 20  # bytes inflated at a time (the buffer; it fits a core's L2 cache)
_KEY = re.compile(rb'\{"id": ?"https://openalex\.org/W(\d{1,18})"')  # opens a record's line
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
    """The whole lines block[lo:hi] (it ends with a newline), walked with memchr (find of
    one byte); each record is searched for the rarest code as soon as its end is found,
    while it is still in the core's first-level cache (measured: 2-5% less time a part than
    one search ahead through the block, as the inflate after it runs faster too)."""
    if needles and not counts[2:]:  # the rarest code, chosen once per part (first block)
        counts.append(min(needles, key=lambda n: sz.count(block, n, lo, lo + SAMPLE)))
    rare, find = (counts[2] if needles else b""), sz.find
    records, lines, pos = 0, counts[1], lo
    nl, key, add = block.find, _KEY.match, seen.append
    while pos < hi:
        end = nl(b"\n", pos, hi)
        lines += 1
        if end > pos:
            records += 1
            if m := key(block, pos, end):
                add(int(m[1]))
            if rare and find(block, rare, pos, end) >= 0 and all(
                    find(block, n, pos, end) >= 0 for n in needles):
                yield lines, bytes(block[pos:end])
        pos = end + 1
    counts[0] += records
    counts[1] = lines
