"""Memory given back to the system between the stages of a large evaluation: Arrow's
pool (mimalloc keeps freed pages for reuse) and glibc's heap (freed blocks below its
mmap threshold stay in the process until trimmed), so one step's peak is not carried
as resident memory into the next."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (musl, macOS): nothing to trim
        return None


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def map_large_blocks(threshold: int = 4 << 20) -> None:
    """Blocks of `threshold` bytes or more mapped apart from the heap and unmapped when
    freed: glibc otherwise raises its threshold after the first large free, and a step's
    freed arrays stay resident until the step ends. Process-wide; idempotent."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_MMAP_THRESHOLD, threshold)


def give_back() -> None:
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
