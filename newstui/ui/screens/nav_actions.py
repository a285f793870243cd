"""The main screen's moving keys: panes (h/l, Tab), rows and pages (j/k, g/G, PageDown),
opening and going back (Enter, Space, Escape), next unread (n/p), next feed, pane width.

Mixed into `MainScreen`; every pane answers the same `Pane` protocol, so one key means one
thing in each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.widget import Widget

from newstui.ui.widgets import Pane
from newstui.ui.widgets.feed_list import FeedList

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen

FEED_PANE_MIN = 12
PREPARE_AFTER = 0.03
"""Seconds after a key before the next article is prepared: after the key's frame has been
written (the terminal writer thread needs the GIL for that), and not at all while keys come
faster than this (each resets the timer)."""


class NavigationActions:
    _prepare_timer: Timer | None = None
    _prepare_id: int | None = None

    def prepare_later(self: MainScreen, entry_id: int | None) -> None:
        """Convert and wrap `entry_id` (the entry the next key most likely opens) once the
        keys pause, so that key only has to show it."""
        self._prepare_id = entry_id
        if entry_id is None:
            return
        if self._prepare_timer is None:
            self._prepare_timer = self.set_timer(PREPARE_AFTER, self._prepare_now)
        else:
            self._prepare_timer.reset()  # from now: keys still coming

    def _prepare_now(self: MainScreen) -> None:
        self._prepare_timer = None
        entry_id, self._prepare_id = self._prepare_id, None
        if entry_id is not None and entry_id != self.entry_view.shown_id:
            self.articles.prepare(entry_id)

    def _neighbour(self: MainScreen, delta: int) -> int | None:
        """The entry one row further in the direction the cursor just moved."""
        index = self.entry_list.cursor + (1 if delta > 0 else -1)
        ids = self.entry_list.ids
        return ids[index] if 0 <= index < len(ids) else None

    def set_reading(self: MainScreen, reading: bool) -> None:
        """An article is open for reading (or no longer): the screen's `-reading` class. Only
        narrow screens style it (the article full-screen), so on wide ones the class is set
        without restyling: a class change on the screen restyles every widget on it (~20 ms,
        which the first `n` after launch paid)."""
        self.set_class(reading, "-reading", update=self.has_class("-narrow"))

    def _panes(self: MainScreen) -> list[Widget]:
        if self.has_class("-narrow"):
            if self.has_class("-reading"):
                return [self.entry_view]
            return [self.feed_list, self.entry_list]
        return [self.feed_list, self.entry_list, self.entry_view]

    def action_focus_pane(self: MainScreen, step: int) -> None:
        # No wrap-around: h on the feed list stays there, as l does on the article; jumping
        # to the far pane made the next keys seem dead.
        if self.has_class("-narrow"):
            reading = self.has_class("-reading")
            if step < 0 and reading:
                self.action_back()  # the full-screen article's left neighbour is the list it hides
                return
            if step > 0 and not reading and self.focused is self.entry_list:
                self.action_open_entry()  # its right neighbour is the article, full-screen here
                return
        panes = self._panes()
        current = panes.index(self.focused) if self.focused in panes else 0
        self.set_focus(panes[max(0, min(len(panes) - 1, current + step))])

    def _focused_pane(self: MainScreen) -> Pane:
        focused = self.focused
        return focused if focused in (self.feed_list, self.entry_view) else self.entry_list  # type: ignore[return-value]

    def action_move(self: MainScreen, delta: int) -> None:
        pane = self._focused_pane()
        if pane is self.feed_list:
            # The view shown now, not when the Selected message arrives: the cursor, its
            # headlines and the feed's status then reach the terminal in one frame.
            if self.feed_list.place(self.feed_list.cursor + delta):
                view = self.feed_list.current_view
                if view is not None:
                    self.show_view(FeedList.Selected(self.feed_list, view))
            self.preview()
            return
        pane.move(delta)
        if pane is self.entry_list:
            # Now, not when the Highlighted message arrives: the cursor and its article then
            # reach the terminal in one frame instead of two (~17 ms apart).
            self.preview()
            self.prepare_later(self._neighbour(delta))

    def action_move_to_edge(self: MainScreen, end: int) -> None:
        self._focused_pane().jump(bool(end))

    def action_page(self: MainScreen, direction: int) -> None:
        self._focused_pane().page(direction)

    def action_open_entry(self: MainScreen) -> None:
        if self.focused is self.feed_list:
            self.set_focus(self.entry_list)
        elif (entry_id := self.entry_list.current_id) is not None:
            self.open_entry(entry_id)

    def action_read_on(self: MainScreen) -> None:
        """Space: page through the article, then go on to the next unread one."""
        if self.entry_view.shown_id is not None and not self.entry_view.at_end:
            self.entry_view.scroll_page_down(animate=False)
        else:
            self.action_next_unread(1)

    def action_back(self: MainScreen) -> None:
        if self.searching.active and not self.has_class("-reading"):
            self.searching.close()
        elif self.has_class("-reading"):
            self.set_reading(False)
            self.set_focus(self.entry_list)
        elif self.focused is self.entry_view:
            self.set_focus(self.entry_list)
        elif self.focused is self.entry_list:
            self.set_focus(self.feed_list)

    def action_next_unread(self: MainScreen, direction: int) -> None:
        """n/p: the next unread entry in this view, else in the next feed that has one."""
        cursor = self.entry_list.cursor
        if self.entry_list.current_id != self.opened_id:
            cursor -= 1 if direction > 0 else -1  # the highlighted entry counts: not read yet
        target = self._next_unread(cursor, direction)
        if target is None:
            view = self.queries.next_view_with_unread(
                self.feed_list.views, self.feed_list.current_view, direction, self.feeds
            )
            if view is None:
                self.notify("No more unread entries.", timeout=2)
                return
            self.select_view(view)
            start = -1 if direction > 0 else len(self.entry_list.ids)
            target = self._next_unread(start, direction)
            if target is None:
                return
        self.entry_list.move_to(target)
        self.open_entry(self.entry_list.ids[target])
        following = self._next_unread(target, direction)
        self.prepare_later(None if following is None else self.entry_list.ids[following])

    def _next_unread(self: MainScreen, cursor: int, direction: int) -> int | None:
        """Index of the next unread row after `cursor`, from the rows the headline list holds
        (queued marks applied, as shown); it reads more from the store only past them."""
        entries = self.entry_list
        step = 1 if direction > 0 else -1
        index = cursor + step
        while 0 <= index < len(entries.ids):
            row = entries.headline(index)
            if row is not None and not row.read:
                return index
            index += step
        return None

    def action_next_feed(self: MainScreen, direction: int) -> None:
        """newsboat's j/k in its article list: the next (or previous) feed's headlines."""
        views = [v for v in self.feed_list.views if v.kind == "feed"]
        if not views:
            return
        current = self.feed_list.current_view
        index = views.index(current) if current in views else -1
        self.select_view(views[(index + direction) % len(views)])

    def action_resize_feeds(self: MainScreen, step: int) -> None:
        """< and >: the feed pane narrower or wider, for this session."""
        current = self.feed_list.outer_size.width or self.feed_list.size.width
        widest = max(FEED_PANE_MIN, self.size.width // 2)
        self.feed_list.styles.width = max(FEED_PANE_MIN, min(widest, current + step))
