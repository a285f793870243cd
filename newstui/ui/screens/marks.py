"""Read marks and bookmarks made with keys: written through to the store, undoable.

The one place where the reader changes the user's state, so that what a key press wrote can be
counted, undone with `u`, and kept for a retry when the database cannot take it right now.
Written at once (not batched), so a crash right after a key press loses nothing. No widgets.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from datetime import datetime

from newstui.core.models import Feed
from newstui.store import Store

RECOUNT_ABOVE = 500
"""Changes to more entries than this re-count the feeds instead of adjusting their counts."""
UNDO_DEPTH = 20
"""Undoable actions kept (in the store's ui_state, so `u` still works after a restart)."""


class Marks:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.undo_stack: list[list[int]] = _load_undo(store.get_state("undo"))
        """Entry ids of each undoable mark-read action, the latest last."""

    def set_read(self, ids: list[int], read: bool, *, remember: bool) -> list[int]:
        """Mark `ids` read (or unread); the ids that really changed. `remember`: undoable."""
        changed = self.store.set_read(ids, read, now=self.clock())
        if changed and remember and read:
            self.undo_stack = [*self.undo_stack, changed][-UNDO_DEPTH:]
            self._save_undo()
        return changed

    def _save_undo(self) -> None:
        self.store.set_state("undo", json.dumps(self.undo_stack, separators=(",", ":")))

    def toggle_read(self, entry_id: int) -> bool | None:
        """The entry's new read state (None: the entry is gone)."""
        [row] = self.store.headlines([entry_id]) or [None]
        if row is None:
            return None
        self.set_read([entry_id], not row.read, remember=True)
        return not row.read

    def toggle_bookmark(self, entry_id: int) -> bool | None:
        """The entry's new bookmark state (None: the entry is gone)."""
        [row] = self.store.headlines([entry_id]) or [None]
        if row is None:
            return None
        self.store.set_bookmarked([entry_id], not row.bookmarked, now=self.clock())
        return not row.bookmarked

    def undo(self) -> list[int] | None:
        """Mark the last remembered action's entries unread again (None: nothing to undo)."""
        if not self.undo_stack:
            return None
        ids = self.undo_stack.pop()
        self._save_undo()
        self.set_read(ids, False, remember=False)
        return ids

    def adjusted_counts(
        self, feeds: Mapping[str, Feed], ids: list[int], *, unread: int = 0, bookmarks: int = 0
    ) -> list[Feed] | None:
        """The feeds with their counts moved by a few changed entries, without re-counting the
        store (a key press must not wait for a count over 100k entries); None for big changes,
        which the caller re-counts."""
        if len(ids) > RECOUNT_ABOVE:
            return None
        adjusted = dict(feeds)
        for row in self.store.headlines(ids):
            feed = adjusted.get(row.feed_url)
            if feed is not None:
                adjusted[row.feed_url] = dataclasses.replace(
                    feed, unread=feed.unread + unread, bookmarks=feed.bookmarks + bookmarks
                )
        return list(adjusted.values())


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
