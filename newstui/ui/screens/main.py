"""MainScreen: feeds | headlines | article, plus the status line and footer.

The screen is where the store meets the widgets: it queries, hands data down as attributes and
reacts to the widgets' messages. Its helpers know only what they serve: `ArticlePresenter` the
article pane, `Marks` the store (read marks and bookmarks, saved a moment after the key
press), `ListReloads` the lists read again, and `RefreshController` reports back by messages.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Key
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from newstui.article.feed_status import StatusStyles, render_feed_status
from newstui.core.models import Feed, FeedUpdate
from newstui.core.settings import Config
from newstui.core.views import View
from newstui.store import Store
from newstui.store.first_screen import FirstScreen
from newstui.store.view_queries import ViewQueries
from newstui.ui.bindings import MAIN_BINDINGS
from newstui.ui.collector import PauseCollector
from newstui.ui.screens.articles import ArticlePresenter
from newstui.ui.screens.link_actions import LinkActions
from newstui.ui.screens.mark_actions import MarkActions
from newstui.ui.screens.marks import Marks
from newstui.ui.screens.nav_actions import NavigationActions
from newstui.ui.screens.refreshing import RefreshController, failure_text
from newstui.ui.screens.reloads import ListReloads
from newstui.ui.screens.searching import SearchController
from newstui.ui.screens.subscriptions import SubscriptionActions
from newstui.ui.screens.syncing import SyncController
from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.theme_colors import link_colour
from newstui.ui.widgets.entry_list import EntryList
from newstui.ui.widgets.entry_view import EntryView
from newstui.ui.widgets.feed_list import FeedList
from newstui.ui.widgets.keys_footer import KeysFooter
from newstui.ui.widgets.status_line import StatusLine
from newstui.ui.writes import WriteQueue

THEMES_AFTER = 0.3
"""Seconds without a key after which the bundled theme files are read (`LaterThemes`) and the
article renderer is imported on a thread: reading them (~40 ms) right after the first frame
held up the first key a user pressed, and so did the import (a thread, but one that holds the
GIL: a new reader's first feed-list key took 104-158 ms with it, 48-74 without, in process)."""
NARROW_WIDTH = 110
"""Below this many columns the article pane is not shown beside the lists: Enter opens it
full-screen and Escape comes back."""


class MainScreen(
    StoreErrorsShown,
    ListReloads,
    MarkActions,
    LinkActions,
    NavigationActions,
    SubscriptionActions,
    Screen[None],
):
    BINDINGS = MAIN_BINDINGS

    def __init__(
        self,
        config: Config,
        store: Store,
        db_path: Path,
        clock: Callable[[], datetime],
        writes: WriteQueue,
        *,
        first_screen: FirstScreen | None = None,
    ) -> None:
        super().__init__()
        self._first_screen = first_screen
        self.config = config
        self.store = store
        self.clock = clock
        self.queries = ViewQueries(
            store,
            show_read=config.settings.show_read,
            views=config.views,
            clock=clock,
        )
        self.db_path = db_path
        self.refresher = RefreshController(self, config, db_path, clock, store.feed_states)
        self.syncer = (
            SyncController(self, config, db_path, clock, self.refresher) if config.sync else None
        )
        self.feeds: dict[str, Feed] = {}
        self.writes = writes
        self.marks = Marks(store, clock, writes, after_frame=self.call_after_refresh)
        self._feeds_waiting = False
        """The store's feed rows wait in the write queue to match feeds.toml (another program
        holds the database's write lock): the lists show what the store has meanwhile."""
        self._refresh_waiting: tuple[bool, View | None, bool, bool] | None = None
        """A refresh asked for while the feed rows wait: (force, view, quiet, sync), started
        after."""
        self.hidden_bookmarks = 0
        self._link_digits = ""
        """A first digit typed, waiting for a second (links past [9])."""
        self._link_timer: Timer | None = None
        """Bookmarks of feeds no longer in feeds.toml: still shown under Bookmarks."""
        self._first_frame_shown = False
        self._early_frame_drawn = False
        """newstui drew the first frame before Textual (`newstui.early_frame`): the headlines
        are on screen already, so Textual's first frame shows the first article too (not the
        frame after it, ~100 ms later)."""
        self._palette_request: tuple[Path, str] | None = None
        self._last_key = 0.0
        """When the last key reached this screen (time.monotonic())."""
        self.collector = PauseCollector(self.set_timer)
        """Python's full collections when the keys pause (key and reload times tell it)."""
        self.started = False
        """Start-up's reads are done: a database error from now on is a notification."""
        self.opened_id: int | None = None
        """The entry last opened for reading (not just highlighted)."""
        self.status = StatusLine(id="status-line")
        self.feed_list = FeedList(id="feeds")
        # Rows with queued marks applied: a mark the database has not taken yet still shows.
        self.entry_list = EntryList(self.marks.headlines, clock, id="entries")
        self.entry_view = EntryView(id="article")
        self.articles = ArticlePresenter(
            store,
            self.entry_view,
            config.settings,
            clock,
            writes,
            frozenset(spec.url for spec in config.feeds if spec.full_text),
            feeds=config.feeds,
        )
        self.searching = SearchController(self)
        self.saved_counts: dict[str, int] = {}
        """Unread counts of the `[[views]]`, counted off the event loop."""

    def compose(self) -> ComposeResult:
        yield self.status
        yield self.searching.field
        with Horizontal(id="panes"):
            yield self.feed_list
            yield self.entry_list
            yield self.entry_view
        yield KeysFooter()

    def on_mount(self) -> None:
        # A title bar per pane, lit on the focused one (newstui.tcss): which pane j and G move
        # must be plain at a glance.
        self.feed_list.border_title = "Feeds"
        self.entry_list.border_title = "Headlines"
        self.entry_view.border_title = "Article"
        self._show_read_indicator()
        if (width := self.config.settings.feed_pane_width) is not None:
            self.feed_list.styles.width = width
        # Headlines first: the first article is drawn in the frame after them, so converting it
        # (and importing the converter) does not hold the first frame back.
        self.call_after_refresh(self._after_first_frame)
        self.app.theme_changed_signal.subscribe(self, self._restyle)
        # Read while Textual was importing, unless the database changed since (another
        # program wrote): else read now, as after writing feeds.toml's changes.
        first_screen, self._first_screen = self._first_screen, None
        if first_screen is not None and first_screen.on_textual is not None:
            # Textual drew over the early frame. Its driver is private: if it is not there, the
            # early frame's restore (newstui.cli) still puts the terminal's mode back at exit.
            self._early_frame_drawn = True
            with contextlib.suppress(Exception):
                first_screen.on_textual(getattr(self.app, "_driver", None))
        self._palette_request = first_screen.palette_request if first_screen else None
        first = first_screen.take(self.config.feeds) if first_screen else None
        if first is None or not first.feeds_in_sync:
            self.sync_feed_list(self.config.feeds)
            if not self._feeds_waiting:  # written (or nothing to write): read it back
                first = None
        if first is not None:
            self.hidden_bookmarks = first.hidden_bookmarks
            self.reload_feeds(first.feeds)
        else:
            self.reload_feeds()
        fetched = [f.last_fetched_at for f in self.feeds.values() if f.last_fetched_at]
        self.refresher.last_finished = max(fetched, default=None)
        self.status_update(self.refresher.idle_text())
        self.select_view(View.unread(), ids=first.unread_ids if first is not None else None)
        # Nothing to read yet (first launch, or all read): start where keys do something.
        (self.entry_list if self.entry_list.ids else self.feed_list).focus()
        self._apply_width(self.size.width)
        if self._early_frame_drawn:
            self.preview()
        settings = self.config.settings
        if settings.refresh_on_start:
            self.start_refresh(force=False, sync=True)  # one pass: local feeds and the sync
        if settings.auto_refresh:
            self.set_interval(60, lambda: self.start_refresh(force=False, quiet=True))
        if self.syncer is not None:
            self._start_syncing(self.syncer)
        self.started = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background job failed: say so (workers don't stop the app, nor stay silent)."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"Something went wrong: {type(error).__name__}: {error}",
                severity="error",
                markup=False,
                timeout=8,
            )

    def _restyle(self, _theme: object) -> None:
        self.articles.restyle()
        shown = self.entry_view.shown_source
        if self.entry_view.shown_id is None and isinstance(shown, Feed):
            # A feed's status keeps the styles it was built with: build it in the new theme's.
            self.show_feed_status(shown)
        self.reload_feeds(restyle=True)
        self.entry_list.refresh()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _screen_resized(self, size: Size) -> None:
        # Textual lays the whole screen out again for every Resize it passes on, changed or
        # not: twice at start-up at the size the first frame was laid out for (~30-40 ms
        # each, just when a user's first key comes). Anything else that changed asks for its
        # own layout.
        if size != self._compositor.size:
            super()._screen_resized(size)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_WIDTH, "-narrow")

    # -- data flow ---------------------------------------------------------------------------

    def on_unmount(self) -> None:
        self.queries.close()

    # -- refresh reports (from RefreshController) -------------------------------------------

    @on(RefreshController.Progress)
    def _refresh_progress(self, message: RefreshController.Progress) -> None:
        self.status.show_soon(message.text)  # the counts are as shown: only the activity

    @on(RefreshController.Changed)
    def _refresh_changed(self) -> None:
        self._in_background(self.reload_in_background)

    @on(RefreshController.Finished)
    def _refresh_finished(self, message: RefreshController.Finished) -> None:
        if message.stopped is not None:
            self.notify(message.stopped, severity="error", markup=False, timeout=10)
        self._in_background(functools.partial(self._after_refresh, message.errors, message.tried))

    # -- sync reports (from SyncController) -------------------------------------------------

    def _start_syncing(self, syncer: SyncController) -> None:
        last = self.store.sync_value("last_sync_at")
        syncer.last_sync = datetime.fromisoformat(last) if last else None
        syncer.last_error = self.store.sync_value("last_error")
        self.status_update()
        syncer.start()
        interval = syncer.settings.interval.total_seconds()
        self.set_interval(interval, syncer.start)

    @on(SyncController.Started)
    def _sync_started(self) -> None:
        self.status_update()

    @on(SyncController.Finished)
    def _sync_finished(self) -> None:
        self._in_background(self.reload_in_background)

    async def _after_refresh(self, errors: list[FeedUpdate], tried: int = 0) -> None:
        await self.reload_in_background()
        self.status_update(self.refresher.idle_text())
        view = self.feed_list.current_view
        if view is not None:
            self.entry_list.empty_message = self._empty_message(view)
            self.entry_list.refresh()
        titles = {url: feed.title for url, feed in self.feeds.items()}
        text = failure_text(errors, titles, tried=tried, retry_key=self.key("feed.refresh-all"))
        if text is not None:
            self.notify(text, severity="warning", markup=False, timeout=6)

    def status_update(self, activity: str | None = None, *, unread: int | None = None) -> None:
        """The status line (`unread`: the total when the caller knows it, else counted)."""
        # The waiting count is one COUNT over a table of the changes not yet pushed: cheap.
        sync = self.syncer.text(self.store.pending_count()) if self.syncer else None
        if unread is None:
            unread = sum(f.unread for f in self.feeds.values())
        self.status.show(unread=unread, activity=activity, sync=sync)

    def select_view(self, view: View, *, ids: Sequence[int] | None = None) -> None:
        """Show `view` in the headline list and highlight it in the feed list (`ids`: its
        entries, when they were read already)."""
        self.feed_list.select_view(view)
        self._show_view(view, ids)

    @on(FeedList.Selected)
    def show_view(self, event: FeedList.Selected) -> None:
        self._show_view(event.view)

    def _show_view(self, view: View, ids: Sequence[int] | None = None) -> None:
        if self.searching.active:
            self.searching.close()
        if view.kind == "saved":
            self.searching.show_saved(view)
            return
        if ids is None:
            ids = self.queries.ids(view, self.feeds)
        self.entry_list.empty_message = self._empty_message(view)
        self.entry_list.show(ids, show_feed=view.is_mixed)

    def _empty_message(self, view: View) -> str:
        """What an empty list says: after a refresh where every feed failed, that, not "All
        caught up"; before any entry was ever fetched, how to fetch them."""
        refresh_all = self.key("feed.refresh-all")
        if view.kind == "unread" and self.refresher.all_failed:
            return (
                f"Every feed failed to refresh: no network? Press {refresh_all} to try again,"
                " or select a feed to see why."
            )
        if view.kind == "unread" and not any(f.total for f in self.feeds.values()):
            return f"No entries yet: press {refresh_all} to fetch every feed."
        return self.queries.empty_message(view, self.key)

    def show_feed_status(self, feed: Feed) -> None:
        # Not the article renderer's (being imported on a thread at first): a new reader's
        # first keys are in the feed list, and each waited for that import.
        view = self.entry_view
        styles = StatusStyles(
            title=view.get_component_rich_style("entry-view--title"),
            meta=view.get_component_rich_style("entry-view--meta"),
            link=Style.combine([StatusStyles().link, link_colour(self.app.theme_variables)]),
            error=view.get_component_rich_style("entry-view--error"),
        )
        status = render_feed_status(feed, self.clock(), styles)
        view.show(status.header, status.body, entry_id=None, source=feed)

    @on(EntryList.Highlighted)
    def on_highlighted(self, event: EntryList.Highlighted) -> None:
        self.preview()

    def _after_first_frame(self) -> None:
        self._first_frame_shown = True
        if self._palette_request is not None:  # for the next launch's early frame
            from newstui.ui.first_frame_palette import keep_palette

            keep_palette(self, *self._palette_request)
            self._palette_request = None
        self.preview()
        self._in_background(self.searching.catch_up)
        self._last_key = time.monotonic()
        self.set_timer(THEMES_AFTER, self._warm_up_when_idle)

    def on_key(self) -> None:
        self._last_key = time.monotonic()
        self.collector.key()

    def typed_ahead(self, event: Key) -> bool:
        """Whether `event`, a key back at the app for its bindings, is a letter for the search
        field instead, typed into it now. A key typed together with `/` (one read from the
        terminal, or keys queued while the loop was busy) was handed by Textual to the pane
        focused before `/` opened the field; back at the app, its binding (b, m, A...) would
        run against the field's focus. The field itself stops every letter it takes, so a
        letter that comes back while it has the focus never reached it."""
        field = self.searching.field
        if self.focused is not field or not event.is_printable or not event.character:
            return False
        field.insert_text_at_cursor(event.character)
        return True

    def _warm_up_when_idle(self) -> None:
        """Once the keys pause: the theme files (`T` reads them at once if pressed before),
        and the article renderer's import, not left to the first key that shows an article
        (one shown before imports it then; a feed's status never needs it)."""
        wait = self._last_key + THEMES_AFTER - time.monotonic()
        if wait > 0:
            self.set_timer(wait, self._warm_up_when_idle)
        else:
            self.app.load_later_themes()  # type: ignore[attr-defined]
            self.articles.import_renderer()

    def preview(self) -> None:
        """The article pane follows the focus: a feed's status while the feed list has it,
        else the highlighted entry."""
        if not (self._first_frame_shown or self._early_frame_drawn):
            return
        view = self.feed_list.current_view
        entry_id = self.entry_list.current_id
        if self.feed_list.has_focus and view is not None and view.key in self.feeds:
            if self.entry_view.shown_source is not self.feeds[view.key]:  # else shown already
                self.show_feed_status(self.feeds[view.key])
        elif entry_id is None:
            self.entry_view.show_message(self.entry_list.empty_message)
        elif entry_id != self.entry_view.shown_id and (
            not self.has_class("-narrow") or self.has_class("-reading")
        ):
            self.display_entry(entry_id)

    def on_descendant_focus(self) -> None:
        self.preview()

    @on(EntryList.Opened)
    def on_opened(self, event: EntryList.Opened) -> None:
        self.open_entry(event.entry_id)

    def display_entry(self, entry_id: int) -> None:
        self.articles.show(entry_id)

    def open_entry(self, entry_id: int) -> None:
        """Read an entry: show it, mark it read (setting), and give the article the focus."""
        self.display_entry(entry_id)
        self.opened_id = entry_id
        if self.config.settings.mark_read_on_open:
            self.set_read([entry_id], True, remember=False)
        self.set_reading(True)
        self.set_focus(self.entry_view)

    # -- user state --------------------------------------------------------------------------

    def current_entry_id(self) -> int | None:
        if self.focused is self.entry_view and self.entry_view.shown_id is not None:
            return self.entry_view.shown_id
        return self.entry_list.current_id

    def key(self, binding_id: str) -> str:
        """The key the user has for `binding_id` now, for messages that name one."""
        return self.app.key_label(binding_id)  # type: ignore[attr-defined]

    # -- actions (bound in newstui.ui.bindings) -------------------------------------------------

    def action_refresh_feed(self) -> None:
        view = self.feed_list.current_view
        self.start_refresh(force=True, view=view)

    def action_refresh_all(self) -> None:
        self.start_refresh(force=True, sync=True)

    def action_search(self) -> None:
        self.set_reading(False)
        self.searching.open()

    def action_help(self) -> None:
        from newstui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
