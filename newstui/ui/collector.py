"""Python's full cyclic-collector passes (and the C heap's trim) when the keys pause, not in
the middle of them.

The reader's heap that is not frozen at start-up (`NewsApp.on_ready`) is mostly Textual strips
of articles and lines drawn (each strip carries seven caches): ~40,000 objects, whose full pass
takes 10-40 ms on a busy host. Python ran one every 10 young collections, ~3 times in the 2 s
of keys of tui_bench.py's 500-feed refresh (one key in 13 waited for it), and the pause 30 ms
after a key (made to prepare the next article) ran one every 5: no pause when keys come
~50 ms apart. Now Python's own threshold is a backstop only (`FULL_GC_BACKSTOP`), and the
pass runs once no key came for `KEYS_PAUSED`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from textual.timer import Timer

from newstui.core import memory

FULL_GC_DUE = 5
"""Young collections since the last full one from which a full pass runs at the next pause
(Python's default waits for 10)."""
KEYS_PAUSED = 0.3
"""Seconds without a key after which the keys have paused: a user reading, not one holding
a key down (autorepeat sends one every ~30-40 ms) or pressing one after another."""
FULL_GC_BACKSTOP = 100
"""Python's own threshold for a full pass (young collections since the last), set with the
frozen heap: reached only while keys come without a pause for many seconds."""


def monotonic() -> float:
    """The clock of key times and pauses (a function of its own: tests hold it still)."""
    return time.monotonic()


def raise_backstop() -> None:
    """Python's full passes only as a backstop (`FULL_GC_BACKSTOP`): `PauseCollector` runs them."""
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_GC_BACKSTOP)


class PauseCollector:
    """Runs, once the keys pause (`KEYS_PAUSED`), on the event loop: a due full collection,
    then the C heap's trim when a background reload freed memory (`newstui.core.memory`)."""

    def __init__(self, set_timer: Callable[[float, Callable[[], None]], Timer]) -> None:
        self._set_timer = set_timer
        self._timer: Timer | None = None
        self._last_key = float("-inf")
        self.trim_due = False
        """A background reload freed memory: the heap is trimmed at the next pause. (It locks
        the heap, ~0.3 ms, ~4 ms the first time: a key should not wait for it, nor the key's
        own mallocs on another thread. Without it the reader kept what each reload freed: 64
        MB at launch, 75-78 by the end of the benchmark's 500-feed refresh, bench/README.md.)"""

    def key(self) -> None:
        """A key came: what is due waits until the keys pause."""
        self._last_key = monotonic()
        self.due()

    def due(self, *, freed: bool = False) -> None:
        """After work that allocates (a key, a reload of the lists; `freed`: a background
        reload let go of its old lists): a full pass at the next pause of the keys, when one
        is due, and the trim. Cheap: one look at the collector's counts."""
        self.trim_due = self.trim_due or freed
        if self._timer is None and (self.trim_due or _full_pass_due()):
            self._timer = self._set_timer(self._wait(), self._run)

    def _wait(self) -> float:
        # Never 0: Textual's timers divide by their interval.
        return max(0.001, self._last_key + KEYS_PAUSED - monotonic())

    def _run(self) -> None:
        self._timer = None
        if (wait := self._wait()) > 0.001:  # a key came meanwhile
            self._timer = self._set_timer(wait, self._run)
            return
        if _full_pass_due():
            gc.collect()
        if self.trim_due:  # after the pass: what it freed goes back too
            self.trim_due = False
            memory.trim()


def _full_pass_due() -> bool:
    return gc.isenabled() and gc.get_count()[2] >= FULL_GC_DUE
