"""Child processes that end with their parent: a killed command leaves nothing running."""

from __future__ import annotations

import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None, sig: int = signal.SIGTERM) -> None:
    """Call in the child (a preexec_fn or a pool initializer): Linux sends `sig` when the
    parent dies (prctl PR_SET_PDEATHSIG); elsewhere this does nothing. Leaves at once if the
    parent already died before this ran."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(0)
