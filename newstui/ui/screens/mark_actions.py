"""The main screen's read-mark and bookmark keys: m, A, u, b, B and `.`.

Mixed into `MainScreen` (as `SubscriptionActions` is): the keys' actions and what they show;
the writes themselves go through `Marks`, the one place the reader changes user state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newstui.core.models import Headline
from newstui.core.views import View
from newstui.ui.screens.marks import RECOUNT_ABOVE

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen

CONFIRM_ABOVE = 100
"""Marking more entries read than this with one key (A) asks first."""


class MarkActions:
    def set_read(self: MainScreen, ids: list[int], read: bool, *, remember: bool) -> list[int]:
        """Read marks through `Marks`; `remember` makes them undoable with `u`."""
        rows = self.marks.mark_read(ids, read, remember=remember)
        changed = [row.id for row in rows]
        self._show_marks(changed, unread=-1 if read else 1, rows=rows)
        return changed

    def _show_marks(
        self: MainScreen,
        ids: list[int],
        *,
        unread: int = 0,
        bookmarks: int = 0,
        rows: list[Headline] | None = None,
    ) -> None:
        """The lists and counts after marks of `ids` (`rows`: those entries as now shown,
        when known already)."""
        if not ids:
            return
        if len(ids) > RECOUNT_ABOVE:
            self.entry_list.forget(ids)
            self.reload_feeds()  # many changed: count them in the store
            return
        # A few changed (the usual key press): their rows and counts updated in place, only
        # their lines redrawn; rebuilding the 2,000-feed list cost `n` ~40 ms a key.
        if rows is None:
            rows = self.marks.headlines(ids)
        self.entry_list.replace_rows(rows)
        changed = self.marks.changed_counts(self.feeds, rows, unread=unread, bookmarks=bookmarks)
        self.apply_counts(changed, bookmarks=bookmarks * len(rows))

    def action_toggle_read(self: MainScreen) -> None:
        entry_id = self.current_entry_id()
        read = None if entry_id is None else self.marks.toggle_read(entry_id)
        if entry_id is not None and read is not None:
            self._show_marks([entry_id], unread=-1 if read else 1)

    def action_mark_all_read(self: MainScreen) -> None:
        ids = list(self.entry_list.ids)
        view = self.feed_list.current_view
        unread = self._unread_in(view)
        if unread > CONFIRM_ABOVE and view is not None:
            from newstui.ui.screens.confirm import ConfirmScreen

            names = {"unread": "All unread", "all": "every feed", "tag": f"tag {view.key}"}
            label = self.feeds[view.key].title if view.key in self.feeds else names[view.kind]
            question = f"Mark all {unread:,} unread entries of {label} read?"
            self.app.push_screen(
                ConfirmScreen(question), lambda yes: self._mark_read(ids) if yes else None
            )
            return
        self._mark_read(ids)

    def _unread_in(self: MainScreen, view: View | None) -> int:
        if view is None:
            return 0
        if view.kind == "feed":
            feed = self.feeds.get(view.key)
            return feed.unread if feed else 0
        if view.kind == "tag":
            return sum(f.unread for f in self.feeds.values() if view.key in f.tags)
        if view.kind in ("unread", "all"):
            return sum(f.unread for f in self.feeds.values())
        return len(self.entry_list.ids)

    def _mark_read(self: MainScreen, ids: list[int]) -> None:
        changed = self.set_read(ids, True, remember=True)
        if changed:
            undo = self.key("app.undo")
            self.notify(f"Marked {len(changed)} entries read. Press {undo} to undo.", timeout=4)

    def action_undo(self: MainScreen) -> None:
        ids = self.marks.undo()
        if ids is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        self._show_marks(ids, unread=1)
        self.notify(f"Marked {len(ids)} entries unread again.", timeout=3)

    def action_toggle_bookmark(self: MainScreen) -> None:
        entry_id = self.current_entry_id()
        if entry_id is None:
            return
        bookmarked = self.marks.toggle_bookmark(entry_id)
        [row] = self.store.headlines([entry_id]) or [None]
        if bookmarked is not None and row is not None and row.feed_url not in self.feeds:
            self.hidden_bookmarks += 1 if bookmarked else -1
        if bookmarked is not None:
            self._show_marks([entry_id], bookmarks=1 if bookmarked else -1)
            self.notify("Bookmarked." if bookmarked else "Bookmark removed.", timeout=2)

    def action_show_bookmarks(self: MainScreen) -> None:
        self.set_reading(False)
        self.select_view(View.bookmarks())
        self.set_focus(self.entry_list)

    def action_toggle_show_read(self: MainScreen) -> None:
        self.queries.show_read = not self.queries.show_read
        self.reload_entries()
        shown = "Showing" if self.queries.show_read else "Hiding"
        self.notify(f"{shown} read entries.", timeout=2)
        self._show_read_indicator()

    def _show_read_indicator(self: MainScreen) -> None:
        """Lasting, in the headline pane's title: whether feed views list read entries."""
        hidden = "" if self.queries.show_read else " · read hidden"
        self.entry_list.border_title = f"Headlines{hidden}"
