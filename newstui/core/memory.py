"""Giving the C heap's free memory back to the system (glibc's `malloc_trim`). No Textual here.

While a refresh delivers, the reader reads its lists again every 2 s on a thread: the 2,000
feeds' rows, the view's ids, SQLite's pages. What that frees stays in the C heap (the thread's
malloc arena, holes between live blocks), counted in the reader's RSS and so in the process
tree's peak: the reader grew from ~64 to 75-78 MB during the benchmark's 500-feed refresh
(bench/README.md, "Memory, session 11"). `malloc_trim(0)` hands every free page of every arena
back (madvise), which glibc itself does only for the top of the main heap.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_looked = False
trimmed = 0
"""How many times `trim` gave memory back (what a test can see of it)."""


def trim() -> bool:
    """Return the C heap's free pages to the system; False where there is no glibc (musl,
    macOS, Windows: nothing is done). ~0.3 ms on the reader's heap during a refresh (the first
    call ~4 ms: ctypes' import), and it locks each arena while it walks it: call it when
    nothing else is allocating (the keys paused)."""
    global _trim, _looked, trimmed
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            import ctypes  # here, not at launch: ~0.8 MB and a few ms the first frame need not wait

            try:
                _trim = ctypes.CDLL(None).malloc_trim
            except (OSError, AttributeError):  # not glibc
                _trim = None
    if _trim is None:
        return False
    _trim(0)
    trimmed += 1
    return True
