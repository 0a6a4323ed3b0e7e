"""Files Trendline writes: a private state folder, and whole files or none.

`private_dir` creates a folder only its owner can enter (0700). `atomic_write` and
`atomic_open` write into a new temporary file beside the target and rename it into place:
a reader sees the old file or the new one, never half of one, and a symbolic link at the
target is replaced, never followed (the temporary file is created with O_EXCL, and a
rename acts on the link itself)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

FILE_MODE = 0o644  # reports: readable by whoever may enter the (private) state folder


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) if needed; a folder this call creates is 0700."""
    path = Path(path)
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass
    return path


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if missing (never through a link); an existing
    file of ours that others could read is made 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        return  # a link, or not ours: SQLite reports what is wrong when it opens it
    try:
        st = os.fstat(fd)
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO]:
    """Write `path` as a whole: into a temporary file, renamed over `path` when the block
    ends without an error (removed otherwise)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, data: str | bytes) -> Path:
    """`path` holds `data`, written whole (text as UTF-8)."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w") as fh:
        fh.write(data)
    return Path(path)
