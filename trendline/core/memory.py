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


def give_back() -> None:
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
