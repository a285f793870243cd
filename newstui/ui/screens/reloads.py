"""The main screen's lists read again from the store, with the marks not saved yet kept.

Mixed into `MainScreen` (as `MarkActions` is). `n`'s read mark waits on the write thread a
moment, up to the write thread's busy timeout while a refresh holds the write lock, and its
success reloads nothing (`newstui.ui.writes.QUIETLY_SAVED`). A reload that reads the store in
that moment reads the old counts: the marks still waiting are counted into them
(`Marks.unsaved_counts`), and one that was saved between the read and its showing makes the
lists be read once more when the queue is empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING

from newstui.core.models import Feed
from newstui.ui.widgets.feed_list import FeedRow, build_rows
from newstui.ui.writes import QUIETLY_SAVED

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen


class ListReloads:
    _recount = False
    """Counts shown may miss a mark saved after they were read: read them again once the
    write queue is empty."""

    def reload_feeds(
        self: MainScreen,
        feeds: list[Feed] | None = None,
        *,
        restyle: bool = False,
        rows: list[FeedRow] | None = None,
    ) -> None:
        """Counts and rows of the feed list (from the store unless given); place kept.
        `rows`: the feed list's rows for exactly these `feeds`, built already (off the loop)."""
        if feeds is None:
            marked, waiting = self.marks.marked, bool(self.marks.pending_read)
            feeds = self.store.feeds()
            self.hidden_bookmarks = self.store.hidden_bookmarks()
            feeds = self._counted(feeds, marked, waiting)
        self.feeds = {feed.url: feed for feed in feeds}
        if rows is None:
            rows = feed_rows(feeds, self.hidden_bookmarks, self._saved_counts())
        self.feed_list.set_rows(rows, restyle=restyle)
        self.status_update()

    def _saved_counts(self: MainScreen) -> list[tuple[str, int | None]]:
        return [(name, self.saved_counts.get(name)) for name in self.queries.saved]

    def _counted(self: MainScreen, feeds: list[Feed], marked: int, waiting: bool) -> list[Feed]:
        """`feeds` read from the store (when `marked` marks were made and some were `waiting`
        for the write thread) with the marks still waiting counted in."""
        if waiting or self.marks.marked != marked:  # one may be saved since, or made since
            if self.marks.pending_read:
                self._recount = True
            else:  # all saved by now: the read may have missed one, and nothing else reloads
                self.call_later(self._in_background, self.reload_in_background)
        return self.marks.unsaved_counts(feeds)

    def apply_counts(self: MainScreen, changed: dict[str, Feed], *, bookmarks: int = 0) -> None:
        """Feeds whose counts a few marks changed (`bookmarks`: the change of the Bookmarks
        count, hidden feeds' bookmarks included): their rows, their tags' and the totals."""
        unread = sum(f.unread - self.feeds[url].unread for url, f in changed.items())
        self.feeds.update(changed)
        self.feed_list.update_counts(
            {url: f.unread for url, f in changed.items()}, unread=unread, bookmarks=bookmarks
        )
        # Moved by the same change: not a sum over every feed (2,000) at each key.
        self.status_update(unread=self.status.unread + unread)

    def reload_entries(self: MainScreen) -> None:
        """New contents for the current view, selection and scroll position kept."""
        view = self.feed_list.current_view
        if view is not None and not self.searching.active:
            self.entry_list.update_ids(self.queries.ids(view, self.feeds))

    async def reload_in_background(self: MainScreen) -> None:
        """Both reloads, with the queries off the event loop."""
        view = self.feed_list.current_view
        marked, waiting = self.marks.marked, bool(self.marks.pending_read)
        (
            feeds,
            self.hidden_bookmarks,
            ids,
            self.saved_counts,
        ) = await self.queries.lists_in_background(self.db_path, view)
        # The rows of 2,000 feeds (~5-13 ms, most of the reload's time on the loop, every 2 s
        # while a refresh delivers) are built on a thread: a key waits for them only as long
        # as the GIL's switch interval, not for the whole step.
        rows = await asyncio.to_thread(
            feed_rows, feeds, self.hidden_bookmarks, self._saved_counts()
        )
        counted = self._counted(feeds, marked, waiting)
        # Marks not saved yet move the counts (rare: while they wait for the write lock).
        self.reload_feeds(counted, rows=rows if counted is feeds else None)
        if ids is not None and self.feed_list.current_view == view and not self.searching.active:
            self.entry_list.update_ids(ids)
        # A refresh reloads every 2 s: its garbage, and the heap it freed, once the keys pause.
        self.collector.due(freed=True)

    def _in_background(self: MainScreen, reload: Callable[[], Coroutine[None, None, None]]) -> None:
        # A coroutine function, not a coroutine: an exclusive worker replaced before it starts
        # would otherwise leave its coroutine never awaited (a warning at exit).
        self.run_worker(reload, group="reload", exclusive=True, exit_on_error=False)

    def writes_changed(self: MainScreen, problem: str | None) -> None:
        """The write queue's news: writes wait (`problem` says why), or all are saved."""
        if problem == QUIETLY_SAVED:  # marks the lists show already: only the sync's count
            if self._recount and not self.marks.pending_read:
                self._recount = False
                self._in_background(self.reload_in_background)
            elif self.syncer is not None:
                self.status_update()
            return
        self.status.show(warning=problem or "")
        if problem is None:
            # Each write dropped its own pending mark: one queued after this drain still waits.
            self._feeds_waiting = False
            self._recount = bool(self.marks.pending_read)
            self._in_background(self.reload_in_background)
            if self._refresh_waiting is not None:
                force, view, quiet, sync = self._refresh_waiting
                self._refresh_waiting = None
                self.start_refresh(force=force, view=view, quiet=quiet, sync=sync)


def feed_rows(
    feeds: Sequence[Feed], hidden_bookmarks: int, saved: Sequence[tuple[str, int | None]]
) -> list[FeedRow]:
    """The feed list's rows, with All unread's and Bookmarks' totals (`hidden_bookmarks`: those
    of feeds no longer shown). Pure: `reload_in_background` runs it on a thread."""
    unread = sum(f.unread for f in feeds)
    bookmarks = sum(f.bookmarks for f in feeds) + hidden_bookmarks
    return build_rows(feeds, unread_total=unread, bookmarks=bookmarks, saved=saved)
