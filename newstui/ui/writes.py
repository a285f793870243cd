"""The reader's writes to the database, off the event loop, kept and retried when they fail.

A key press must never wait for the database: another program holding the write lock (a long
`newstui refresh`, a backup tool) would freeze the reader for the store's 30 s busy timeout and
then crash it. So writes made by keys (`m`, `b`, `A`, `u`, the theme picker) are queued here and
done by one thread, in order, on its own connection with a short busy timeout. A write the
database cannot take now (locked, disk full, read-only, damaged) is kept, the status line says
so, and it is tried again every few seconds; on quit it is tried once more, and whatever could
still not be saved is named, never lost silently.

A read mark made by `n` is `queue`d for the thread with a `saved` callback: the screen shows
it already, so its success reports nothing (a report makes the screen reload its lists);
only trouble, and the end of it, is reported. It is queued `held`: the thread leaves it until
`release()`, which the screen calls once the key's frame is drawn, so the thread's SQLite
work (and its report) does not take the GIL from that frame. Quitting, `drain` and any
`submit` release it too; until then it is counted as waiting like any queued write.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newstui.core.errors import StoreError
from newstui.store import READER_CACHE_KIB, Store

RETRY_EVERY = 2.0
"""Seconds between attempts while the database refuses a write."""
BUSY_TIMEOUT = 0.5
"""How long one attempt waits for another program's write lock."""
QUIETLY_SAVED = ""
"""What `report` hears when a drained queue held quiet writes only: nothing to reload, though
what the store counts (the sync's waiting marks) may have changed."""


@dataclass(frozen=True, slots=True)
class Write:
    """One change of the user's state, as the store call that makes it."""

    what: str
    """What is lost if it is never saved, counted by kind: `read mark`, `bookmark`, `setting`."""
    count: int
    apply: Callable[[Store], object]
    saved: Callable[[], object] | None = None
    """Called on the writing thread once the write is in the store. A write with one is quiet:
    its success alone is not reported (its change is on screen already)."""


class WriteQueue:
    """Writes done in order by one thread; `status` hears about trouble and its end.

    Args:
        db_path: the database; the thread opens its own connection to it.
        report: called (from the thread) with a status text while writes wait, and with None
            once all of them are saved (`QUIETLY_SAVED` when they were only quiet ones and none
            failed); the UI passes a function that hops to its event loop.
    """

    def __init__(self, db_path: Path, report: Callable[[str | None], None]) -> None:
        self.db_path = db_path
        self.report = report
        self._pending: deque[Write] = deque()
        self._lock = threading.Condition()
        self._stopping = False
        self._failing: str | None = None
        """The status text last reported, while writes wait."""
        self._reason: str | None = None
        self._loud = False
        """A write without `saved` was done, or one failed, since the last report(None)."""
        self._held = False
        """Queued writes wait for `release()` (the key's frame is being drawn)."""
        self._thread: threading.Thread | None = None
        self._now: Store | None = None
        """The connection for first tries (the caller's thread), opened on the first write."""

    def submit(self, write: Write) -> bool:
        """Save `write` now if the database takes it without waiting, else queue it; True when
        it is saved already.

        The first try runs on the caller's thread with no busy wait at all, so the usual key
        press is on disk before the next one (a crash loses nothing) and a locked database
        costs the event loop nothing. Writes queued before it go first, in order. Once every
        queued write is saved, `report(None)` says so (even when no try of them failed: the
        caller may be waiting for one).
        """
        with self._lock:
            self._held = False  # behind held marks: in order, and not left waiting
            if not self._pending:
                try:
                    if self._now is None:
                        self._now = Store(self.db_path, busy_timeout=0, cache_kib=READER_CACHE_KIB)
                    write.apply(self._now)
                    return True
                except StoreError:
                    pass
            self._pending.append(write)
            self._loud = True  # the caller waits for report(None) to know it is saved
            self._start()
            self._lock.notify()
            return False

    def queue(self, write: Write, *, held: bool = False) -> None:
        """Leave `write` to the thread, even when the database would take it now: the event
        loop does not wait for SQLite (~0.7 ms a mark). It is in the store a moment later (the
        thread starts at once, or at `release()` when `held`); until then the caller shows
        the new state itself."""
        with self._lock:
            self._pending.append(write)
            self._held = self._held or held
            self._start()
            self._lock.notify()

    def release(self) -> None:
        """Let the thread write what was queued `held` (the frame it waited for is drawn)."""
        with self._lock:
            if self._held:
                self._held = False
                self._lock.notify()

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="newstui-writes", daemon=True)
            self._thread.start()

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def drain(self, timeout: float = 2.0) -> None:
        """Wait until every queued write is saved, or `timeout` (the thread keeps going)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._held = False
            self._lock.notify()
            while self._pending and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(min(left, 0.02))  # the thread takes the lock meanwhile

    def close(self, timeout: float = 2.0) -> dict[str, int]:
        """Stop after one more try of whatever is waiting; what could not be saved, by kind."""
        with self._lock:
            self._stopping = True
            self._lock.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            left = Counter[str]()
            for write in self._pending:
                if write.count:
                    left[write.what] += write.count
            self._pending.clear()
            if self._now is not None:
                self._now.close()
                self._now = None
            return dict(left)

    def problem(self) -> str | None:
        """Why writes are waiting right now ("database is locked by another program"), or None."""
        return self._reason

    # -- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        store: Store | None = None
        try:
            while True:
                with self._lock:
                    while (not self._pending or self._held) and not self._stopping:
                        self._lock.wait()
                    if not self._pending:
                        return
                    write = self._pending[0]
                    stopping = self._stopping
                try:
                    if store is None:
                        store = Store(
                            self.db_path, busy_timeout=BUSY_TIMEOUT, cache_kib=READER_CACHE_KIB
                        )
                    write.apply(store)
                except StoreError as error:
                    if store is not None and error.kind == "damaged":
                        store.close()
                        store = None
                    self._failed(error)
                    if stopping:
                        return
                    self._wait(RETRY_EVERY)
                    continue
                if write.saved is not None:
                    write.saved()
                with self._lock:
                    self._pending.popleft()
                    done = not self._pending
                    loud = self._loud = self._loud or write.saved is None
                    if done:
                        self._loud = False
                if done and loud:
                    self._failing = self._reason = None
                    self.report(None)
                elif done:
                    self.report(QUIETLY_SAVED)
        finally:
            if store is not None:
                store.close()

    def _failed(self, error: StoreError) -> None:
        self._reason = error.problem
        with self._lock:
            self._loud = True  # its end is news: the lists may have shown an old state
        text = f"not saved yet: {error.problem} (retrying)"
        if text != self._failing:
            self._failing = text
            self.report(text)

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with self._lock:
            while not self._stopping and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(left)


def describe_unsaved(left: dict[str, int]) -> str:
    """`2 read marks and 1 bookmark` for the message shown on quit."""
    parts = [f"{n} {what}{'' if n == 1 else 's'}" for what, n in sorted(left.items())]
    return " and ".join(parts)
