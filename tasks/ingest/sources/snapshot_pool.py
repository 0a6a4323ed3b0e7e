"""Scanning snapshot parts in parallel so that one part cannot take the others down.

Local processes: a worker that dies (SIGKILL, the kernel's out-of-memory killer) breaks a
ProcessPoolExecutor and every pending future with it. The pool is then rebuilt for the
parts not finished; a part that was unfinished at two breaks is read alone in its own
one-worker pool, and if that worker dies too the part fails, named, and the rest go on.
A Dask cluster retries lost workers itself; a task error there fails its part only.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from trendline.core.procs import die_with_parent
from trendline.tasks.ingest.parsing.snapshot_scan import PartitionResult

Scan = Callable[..., PartitionResult]
DIED = ("its worker process died while reading it (killed: out of memory or a signal), "
        "also when it was read alone")


def results(todo: list[str], scan: Scan, kwargs: dict, workers: int | None,
            dask_address: str = "") -> Iterator[PartitionResult]:
    """One result per part in `todo`, in the order they finish; never raises for a part."""
    if dask_address:
        yield from _on_dask(todo, scan, kwargs, dask_address)
        return
    workers = workers or min(len(todo), os.cpu_count() or 1)
    if workers <= 1 and len(todo) <= 1:
        for path in todo:
            yield scan(path, **kwargs)
        return
    strikes = dict.fromkeys(todo, 0)
    waiting = list(todo)
    while waiting:
        runs = [([p for p in waiting if strikes[p] < 2], workers)]
        runs += [([p], 1) for p in waiting if strikes[p] >= 2]
        waiting = []
        for paths, n in runs:
            for path, result in _pool(paths, scan, kwargs, n):
                if result is not None:
                    yield result
                    continue
                strikes[path] += 1
                if n == 1 and len(paths) == 1 and strikes[path] >= 3:
                    yield PartitionResult(path, _size(path), failed=DIED)
                else:
                    waiting.append(path)


def _pool(paths: list[str], scan: Scan, kwargs: dict, workers: int
          ) -> Iterator[tuple[str, PartitionResult | None]]:
    """(path, result) as each part finishes; result None when the pool broke under it."""
    if not paths:
        return
    # the objects alive now are left out of garbage collection while the workers run: a
    # collection would write to every one of them and so copy the pages that the forked
    # workers share with this process (measured: every fourth Parquet ingest a third slower)
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(paths)),
                                   initializer=die_with_parent,
                                   initargs=(os.getpid(), signal.SIGKILL))
        with pool:  # workers end with the ingest, even when it is killed
            futures = {pool.submit(scan, path, **kwargs): path for path in paths}
            for fut in as_completed(futures):
                yield futures[fut], _outcome(fut, futures[fut])
    finally:
        gc.unfreeze()


def _outcome(fut, path: str) -> PartitionResult | None:
    try:
        return fut.result()
    except BrokenProcessPool:
        return None
    except Exception as exc:  # e.g. a result that cannot be pickled
        return PartitionResult(path, _size(path),
                               failed=f"worker failed ({type(exc).__name__}: {exc})")


def _on_dask(todo: list[str], scan: Scan, kwargs: dict, address: str
             ) -> Iterator[PartitionResult]:
    """A running Dask cluster that sees the same files: one task per part."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(address) as client:
        futures = client.map(scan, todo, pure=False, **kwargs)
        paths = {f.key: p for f, p in zip(futures, todo, strict=True)}
        for fut in dask_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # the task's error, or a worker lost too often
                path = paths[fut.key]
                yield PartitionResult(path, _size(path),
                                      failed=f"worker failed ({type(exc).__name__}: {exc})")


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
