"""`/` in the reader: a search field whose ranked results fill the headline list as you type,
and the saved views' counts.

Every key goes to the field at once; the search itself waits until typing pauses (`DEBOUNCE`)
and runs on a thread with its own connection (WAL: it never waits for a refresh), so no key
waits for it. Results become a view like any other (read, mark, bookmark them); the words they
matched are marked in the titles and in the article. Escape puts back the view, the entry and
the focus the user had. Kept apart from MainScreen, which only calls `open`, `close` and asks
`active`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import TYPE_CHECKING

from textual.events import Key
from textual.timer import Timer
from textual.widgets import Input

from newstui.core.errors import StoreError
from newstui.core.highlight import Highlighter
from newstui.core.query import QueryError, parse_query
from newstui.core.views import View
from newstui.store.view_queries import SEARCH_LIMIT

if TYPE_CHECKING:
    from textual.widget import Widget

    from newstui.ui.screens.main import MainScreen

DEBOUNCE = 0.15
"""Seconds of no typing before the query runs: fast typists never wait for a search."""


class SearchField(Input):
    """The query line above the panes; it tells the controller what happens in it."""

    def __init__(self, controller: SearchController) -> None:
        super().__init__(
            placeholder='Search: words, "phrases", -word, OR, title:, feed:, is:unread…',
            id="search",
        )
        self.controller = controller
        # Focusable only while open (`SearchController.open`): hidden, it was still the first
        # focusable widget, so Textual focused it at start-up, and a key typed as the reader
        # launched (R, n) went into the closed field as a search for "R" ("No entries match.").
        self.can_focus = False

    def on_key(self, event: Key) -> None:
        if event.key == "escape":
            event.stop()
            self.controller.close()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.controller.changed(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.controller.submitted()


class SearchController:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.field = SearchField(self)
        self.active = False
        """Search results are in the headline list (until Escape)."""
        self.query = ""
        self._timer: Timer | None = None
        self._before: tuple[View | None, int | None, Widget | None] = (None, None, None)
        self._generation = 0

    # -- opening and closing -----------------------------------------------------------------

    def open(self) -> None:
        screen = self.screen
        if not self.active:
            self._before = (
                screen.feed_list.current_view,
                screen.entry_list.current_id,
                screen.focused,
            )
        self.field.add_class("-open")
        self.field.can_focus = True
        screen.set_focus(self.field)

    def close(self) -> None:
        """Back to where the user was before `/`."""
        screen = self.screen
        self.field.remove_class("-open")
        if self._timer is not None:
            self._timer.stop()
        self._generation += 1  # a search still running is ignored when it returns
        was_active, self.active = self.active, False
        self._mark(None)
        view, entry_id, focused = self._before
        if was_active and view is not None:
            screen.select_view(view)
            if entry_id is not None and entry_id in screen.entry_list.ids:
                screen.entry_list.move_to(screen.entry_list.ids.index(entry_id))
        if focused is self.field or focused is None or not focused.is_attached:
            focused = screen.entry_list
        screen.set_focus(focused)
        self.field.can_focus = False

    # -- typing -------------------------------------------------------------------------------

    def changed(self, value: str) -> None:
        """The field changed: search once typing pauses."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(DEBOUNCE, lambda: self._start(value))

    def submitted(self) -> None:
        """Enter: go to the results (searching now if the pause has not come yet)."""
        if self.field.value != self.query:
            self._start(self.field.value)
        self.screen.set_focus(self.screen.entry_list)

    def _start(self, text: str) -> None:
        self.query = text
        self._generation += 1
        generation = self._generation
        self.screen.run_worker(
            self._search(text, generation), group="search", exclusive=True, exit_on_error=False
        )

    async def _search(self, text: str, generation: int) -> None:
        screen = self.screen
        if not text.strip():
            return
        try:
            node = parse_query(text)
        except QueryError as error:
            self._show([], f"Query: {error}", None, generation, text)
            return
        store = await screen.queries.background_store(screen.db_path)
        now = screen.clock()
        try:
            ids = await asyncio.to_thread(store.search, node, now=now, limit=SEARCH_LIMIT)
        except QueryError as error:
            self._show([], f"Query: {error}", None, generation, text)
            return
        self._show(ids, "No entries match.", Highlighter(node), generation, text)

    def _show(
        self,
        ids: list[int],
        empty: str,
        marks: Highlighter | None,
        generation: int,
        text: str,
    ) -> None:
        if generation != self._generation:
            return  # a newer query was typed meanwhile
        screen = self.screen
        self.active = True
        shown = screen.entry_view.shown_id
        self._mark(marks, redisplay=False)
        screen.entry_list.empty_message = empty
        screen.entry_list.show(ids, show_feed=View.search(text).is_mixed)
        if shown is not None and screen.entry_list.current_id == shown:
            screen.display_entry(shown)  # the same article, with the new words marked
        else:
            screen.preview()

    async def catch_up(self) -> None:
        """After the first frame: index what a killed refresh or an import left unindexed (so
        the first `/` is quick), then count the saved views."""
        screen = self.screen
        store = await screen.queries.background_store(screen.db_path)
        with contextlib.suppress(StoreError):  # locked or full: the next refresh catches up
            await asyncio.to_thread(store.index_pending)
        if screen.queries.saved:
            await screen.reload_in_background()

    def show_saved(self, view: View) -> None:
        """A saved view's entries: its query runs on a thread, like a reload."""
        screen = self.screen
        screen.entry_list.empty_message = screen.queries.empty_message(view, screen.key)
        screen.run_worker(
            functools.partial(self._saved, view), group="saved", exclusive=True, exit_on_error=False
        )

    async def _saved(self, view: View) -> None:
        screen = self.screen
        store = await screen.queries.background_store(screen.db_path)
        ids = await asyncio.to_thread(screen.queries.ids, view, screen.feeds, store)
        if screen.feed_list.current_view == view:
            screen.entry_list.show(ids, show_feed=True)
            screen.preview()

    def _mark(self, marks: Highlighter | None, *, redisplay: bool = True) -> None:
        screen = self.screen
        title = (lambda text: marks.spans(text, field="title")) if marks else None
        screen.entry_list.marker = title
        screen.entry_view.marker = marks.spans if marks else None
        screen.entry_list.refresh()
        if redisplay and screen.entry_view.shown_id is not None:
            screen.display_entry(screen.entry_view.shown_id)  # marked (or no longer) there too
