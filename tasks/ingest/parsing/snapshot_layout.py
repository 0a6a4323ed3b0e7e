"""Where the parts of an OpenAlex works snapshot are, and what each one holds.

A part is known by its content, not its name: `content_key` is its size and a hash of its
first and last 64 KiB. A gzip part ends with the CRC-32 and length of its whole
decompressed content, and a Parquet part ends with its footer (row counts, sizes and
statistics of every column chunk), so a part rewritten with other records almost surely
changes its tail even at the same size; the head adds the first records. The key leaves
out the path and the modification time, so the same part in another quarterly copy (a
fresh download, new times) is recognised as already stored, while reading 128 KiB per part
instead of hashing all 330 GB keeps the check to seconds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

EDGE = 64 << 10  # bytes hashed at each end of a part


def content_key(path: str | Path) -> str:
    """`<size>-<blake2b of head and tail>`: equal for the same bytes wherever they are."""
    size = os.path.getsize(path)
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        h.update(fh.read(EDGE))
        if size > EDGE:
            fh.seek(max(EDGE, size - EDGE))
            h.update(fh.read(EDGE))
    return f"{size}-{h.hexdigest()}"
