"""Read marks and bookmarks made with keys: saved through a `WriteQueue`, undoable.

The one place where the reader changes the user's state, so that what a key press wrote can be
counted, undone with `u`, and kept for a retry when the database cannot take it right now.
A key's read marks (up to `RECOUNT_ABOVE` entries: `n`, `m`, `u`, a small `A`) go to the write
thread, which has them on disk a moment after the key's frame is drawn (~1 ms after it; the
frame neither waits for SQLite nor shares the GIL with the thread's write), and quietly:
their success makes the screen reload nothing. Bookmarks, and marks
of more entries (whose counts are re-read from the store at once), are written at once when
the database takes them without waiting. Anything the database cannot take now is queued and
retried (`newstui.ui.writes`), and until it is saved the lists show the new state from
`pending`, not the store's old one. No widgets.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from newstui.core.models import Feed, Headline
from newstui.store import Store
from newstui.ui.writes import Write, WriteQueue

RECOUNT_ABOVE = 500
"""Changes to more entries than this re-count the feeds instead of adjusting their counts."""
UNDO_DEPTH = 20
"""Undoable actions kept (in the store's ui_state, so `u` still works after a restart)."""


class Marks:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        writes: WriteQueue,
        after_frame: Callable[[Callable[[], None]], object] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.writes = writes
        self.after_frame = after_frame
        """Calls a function once the next frame is drawn (the screen's `call_after_refresh`):
        a key's marks are written after its frame. None: at once."""
        self.undo_stack: list[list[int]] = _load_undo(store.get_state("undo"))
        """Entry ids of each undoable mark-read action, the latest last."""
        self.marked = 0
        """Read marks made so far: counts read from the store meanwhile may miss one."""
        self.pending_read: dict[int, bool] = {}
        self.pending_bookmark: dict[int, bool] = {}
        """States queued but not yet in the store (on the write thread, or the database was
        locked, full...); each write drops its own once it is in the store, no other."""
        self._pending_lock = threading.Lock()
        """The write thread drops a saved mark from `pending_read` while keys add marks."""

    def headlines(self, ids: list[int]) -> list[Headline]:
        """The store's rows for `ids`, with queued marks applied (the entry list reads these)."""
        # The marks first, then the store: the write thread drops a mark from pending only
        # after committing it, so a mark missing from this copy is in what is read next.
        with self._pending_lock:
            read, bookmark = dict(self.pending_read), dict(self.pending_bookmark)
        rows = self.store.headlines(ids)
        if not read and not bookmark:
            return rows
        return [_pending(row, read, bookmark) for row in rows]

    def unsaved_counts(self, feeds: list[Feed]) -> list[Feed]:
        """`feeds` as read from the store, with the marks not saved yet counted: a reload of
        the lists while `n`'s mark waits for the write lock must not undo its count."""
        with self._pending_lock:
            read = dict(self.pending_read)
        if not read:
            return feeds
        moved = Counter[str]()
        for row in self.store.headlines(list(read)):
            if row.read != read[row.id]:
                moved[row.feed_url] += -1 if read[row.id] else 1
        if not moved:
            return feeds
        return [dataclasses.replace(f, unread=f.unread + moved[f.url]) for f in feeds]

    def _read_saved(self, ids: list[int], read: bool) -> None:
        """On the write thread: these marks are in the store; a newer mark of one (a second
        `m` queued behind) stays pending until it is saved too."""
        with self._pending_lock:
            for entry_id in ids:
                if self.pending_read.get(entry_id) is read:
                    del self.pending_read[entry_id]

    def set_read(self, ids: list[int], read: bool, *, remember: bool) -> list[int]:
        """Mark `ids` read (or unread); the ids that really changed. `remember`: undoable."""
        return [row.id for row in self.mark_read(ids, read, remember=remember)]

    def mark_read(self, ids: list[int], read: bool, *, remember: bool) -> list[Headline]:
        """`set_read`, giving the rows that changed as they are now shown (with the mark):
        the screen redraws them without reading them from the store a second time."""
        rows = [
            dataclasses.replace(row, read=read) for row in self.headlines(ids) if row.read != read
        ]
        changed = [row.id for row in rows]
        if not changed:
            return rows
        now = self.clock()
        quiet = len(changed) <= RECOUNT_ABOVE

        def apply(store: Store) -> None:
            store.set_read(changed, read, now=now)
            if not quiet:  # a quiet write's `saved` does it
                self._read_saved(changed, read)

        saved = (lambda: self._read_saved(changed, read)) if quiet else None
        mark = Write("read mark", len(changed), apply, saved=saved)
        self.marked += 1
        with self._pending_lock:  # before the write: the thread may save it at once
            self.pending_read.update(dict.fromkeys(changed, read))
        if quiet:
            # Held until the key's frame is drawn: a kill -9 in that moment (~10-20 ms) is
            # the only way to lose it, as it was in the ~1 ms the thread took to save it.
            self.writes.queue(mark, held=self.after_frame is not None)
            if self.after_frame is not None and not self.after_frame(self.writes.release):
                self.writes.release()  # no frame to come (the app is closing): write it now
        else:
            self.writes.submit(mark)
        if remember and read:
            self.undo_stack = [*self.undo_stack, changed][-UNDO_DEPTH:]
            self._save_undo(quiet=quiet)
        return rows

    def _save_undo(self, *, quiet: bool = False) -> None:
        saved = json.dumps(self.undo_stack, separators=(",", ":"))
        # Count 0: the undo history is a convenience, not the user's state to report as lost.
        history = Write("undo history", 0, lambda s: s.set_state("undo", saved))
        if quiet:  # behind the marks it belongs to, on the thread too
            self.writes.queue(dataclasses.replace(history, saved=lambda: None))
        else:
            self.writes.submit(history)

    def toggle_read(self, entry_id: int) -> bool | None:
        """The entry's new read state (None: the entry is gone)."""
        [row] = self.headlines([entry_id]) or [None]
        if row is None:
            return None
        self.set_read([entry_id], not row.read, remember=True)
        return not row.read

    def toggle_bookmark(self, entry_id: int) -> bool | None:
        """The entry's new bookmark state (None: the entry is gone)."""
        [row] = self.headlines([entry_id]) or [None]
        if row is None:
            return None
        value, now = not row.bookmarked, self.clock()

        def apply(store: Store) -> None:
            store.set_bookmarked([entry_id], value, now=now)
            with self._pending_lock:
                if self.pending_bookmark.get(entry_id) is value:
                    del self.pending_bookmark[entry_id]

        with self._pending_lock:
            self.pending_bookmark[entry_id] = value
        self.writes.submit(Write("bookmark", 1, apply))
        return value

    def undo(self) -> list[int] | None:
        """Mark the last remembered action's entries unread again (None: nothing to undo)."""
        if not self.undo_stack:
            return None
        ids = self.undo_stack.pop()
        self._save_undo()
        self.set_read(ids, False, remember=False)
        return ids

    def changed_counts(
        self,
        feeds: Mapping[str, Feed],
        rows: Sequence[Headline],
        *,
        unread: int = 0,
        bookmarks: int = 0,
    ) -> dict[str, Feed]:
        """The feeds of `rows` (a few changed entries) with their counts moved, by URL: no
        re-count of the store (a key press must not wait for a count over 100k entries)."""
        changed: dict[str, Feed] = {}
        for row in rows:
            feed = changed.get(row.feed_url) or feeds.get(row.feed_url)
            if feed is not None:
                changed[row.feed_url] = dataclasses.replace(
                    feed, unread=feed.unread + unread, bookmarks=feed.bookmarks + bookmarks
                )
        return changed


def _pending(row: Headline, read_marks: dict[int, bool], bookmarks: dict[int, bool]) -> Headline:
    read = read_marks.get(row.id, row.read)
    bookmarked = bookmarks.get(row.id, row.bookmarked)
    if (read, bookmarked) == (row.read, row.bookmarked):
        return row
    return dataclasses.replace(row, read=read, bookmarked=bookmarked)


def _load_undo(saved: str | None) -> list[list[int]]:
    """The undo stack kept by an earlier session; anything unreadable is dropped, not fatal."""
    try:
        stack = json.loads(saved) if saved else []
    except ValueError:
        return []
    if not isinstance(stack, list):
        return []
    kept = [ids for ids in stack[-UNDO_DEPTH:] if isinstance(ids, list)]
    return [[i for i in ids if isinstance(i, int)] for ids in kept]
