"""What the article pane shows, and reader mode (full text) for the entry on display.

Kept apart from MainScreen so the screen stays about navigation; it knows only the article
pane it fills (workers and notifications run on that widget), never the screen. Big bodies are
converted off the event loop and kept for a while; full text comes from the store when it was
fetched before (offline, after a restart), else from the web in a worker while the pane stays
usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import importlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Group, RenderableType
from rich.text import Text

from newstui.core.models import Entry, FeedSpec
from newstui.store import Store
from newstui.ui.theme_colors import article_render_styles
from newstui.ui.widgets.entry_view import EntryView
from newstui.ui.writes import Write, WriteQueue

if TYPE_CHECKING:
    from newstui.article.compose import Article, ArticleStyles
    from newstui.core.config import Settings

RENDER_IN_THREAD_ABOVE = 50_000
"""HTML characters above which an article is converted in a thread (~20 ms per 50 KB)."""
CACHE_SIZE = 32
T = TypeVar("T")
Shown = tuple[object, ...]
"""What of an entry its converted article shows (`shown_fields`): a converted one is reused
only while all of it is unchanged."""


RENDERER = "newstui.article.compose"
"""What the article pane needs to show anything, imported when first used (~40-100 ms)."""


class ArticlePresenter:
    def __init__(
        self,
        store: Store,
        view: EntryView,
        settings: Settings,
        clock: Callable[[], datetime],
        writes: WriteQueue,
        full_text_feeds: frozenset[str] = frozenset(),
        feeds: Sequence[FeedSpec] = (),
    ) -> None:
        self.store = store
        self.writes = writes
        self.pages: dict[int, str] = {}
        """Pages fetched by `f` in this session, so one is shown even before (or without)
        being saved: the database may be locked or full at that moment."""
        self.notices: dict[int, str] = {}
        """Why the last `f` of an entry failed, shown above its own text."""
        self.full_text_feeds = full_text_feeds
        """Feeds with `full_text = true`: their entries open in reader mode when the page was
        fetched (by the refresh), as the setting promises."""
        self.feed_text: set[int] = set()
        """Entries of such feeds the user switched back to the feed's own text (`f`)."""
        self.view = view
        self.settings = settings
        self.clock = clock
        self.feeds = {spec.url: spec for spec in feeds}
        """The user's feeds: a page fetch may reach its own feed's host, or private addresses
        where the feed allows it (`allow_private_links`)."""
        self.cache: OrderedDict[tuple[int, bool], tuple[Shown, Article]] = OrderedDict()
        """Recent articles by (entry id, full text?), with the HTML they were made from."""
        self.full_text: set[int] = set()
        """Entries the user switched to reader mode (`f`)."""
        self._rendering: dict[tuple[int, bool], tuple[Shown, asyncio.Future[Article]]] = {}
        """Renders running on threads, by (entry id, full text?), with their HTML."""

    def styles(self) -> ArticleStyles:
        """The article's styles from the current theme (no colour is decided here)."""
        from newstui.article.compose import ArticleStyles

        view = self.view
        app = view.app
        body = article_render_styles(app.theme_variables, dark=app.current_theme.dark)
        return ArticleStyles(
            title=view.get_component_rich_style("entry-view--title"),
            meta=view.get_component_rich_style("entry-view--meta"),
            link=body.link,
            error=view.get_component_rich_style("entry-view--error"),
            body=body,
        )

    def import_renderer(self) -> None:
        """Import the renderer on a thread, unless an article was shown already: else the
        first key that shows an article or a feed's status waits for the import."""
        if RENDERER not in sys.modules:
            threading.Thread(target=_import_quietly, name="newstui-warm-up", daemon=True).start()

    def restyle(self) -> None:
        """The theme changed: forget converted articles and show the current one again."""
        self.cache.clear()
        self._rendering.clear()
        self.view.forget_layouts()
        if self.view.shown_id is not None:
            self.show(self.view.shown_id)

    def show(self, entry_id: int) -> None:
        """Show an entry in the mode the user last chose for it."""
        chosen = self._choose(entry_id)
        if chosen is None:
            self.view.show_message("This entry is gone (pruned, or its feed removed).")
            return
        self._render(*chosen)

    def prepare(self, entry_id: int) -> None:
        """Convert and wrap an entry the user is likely to open next, so that its key shows
        it without that work (~5-10 ms of a key press). Only short entries (long ones are
        converted on a thread when shown); nothing changes on screen."""
        from newstui.article.compose import render_entry

        chosen = self._choose(entry_id)
        if chosen is None:
            return
        entry, full = chosen
        html = entry.content_html or entry.summary_html or ""
        cached = self.cache.get((entry.id, full))
        if cached is None or cached[0] != shown_fields(entry):
            if len(html) >= RENDER_IN_THREAD_ABOVE:
                return
            cached = (shown_fields(entry), render_entry(entry, self.styles()))
            self._keep(entry.id, full, *cached)
        self.view.prepare(self._with_notice(entry.id, full, cached[1].header), cached[1].body)

    def _choose(self, entry_id: int) -> tuple[Entry, bool] | None:
        """The entry as it is to be shown (its page's article in reader mode), and whether
        that is reader mode; None: the entry is gone."""
        entry = self.store.entry(entry_id)
        if entry is None:
            return None
        if (
            entry.feed_url in self.full_text_feeds
            and entry_id not in self.feed_text
            and entry_id not in self.full_text
        ):
            self.full_text.add(entry_id)  # falls back below when the page was not fetched
        if entry_id in self.full_text:
            html = self.pages.get(entry_id) or self._stored_page(entry_id)
            if html:
                return dataclasses.replace(entry, content_html=html, summary_html=None), True
            self.full_text.discard(entry_id)
        return entry, False

    def links(self) -> tuple[str, ...]:
        shown = self.view.shown_id
        if shown is None:
            return ()
        cached = self.cache.get((shown, shown in self.full_text))
        return cached[1].links if cached else ()

    def link_texts(self) -> tuple[str, ...]:
        """What each of `links()` says in the article."""
        shown = self.view.shown_id
        cached = self.cache.get((shown, shown in self.full_text)) if shown is not None else None
        return cached[1].link_texts if cached else ()

    # -- links -----------------------------------------------------------------------------

    def open_link(self, number: int) -> None:
        """Digit keys: open link [number] of the article on display."""
        links = self.links()
        if not 1 <= number <= len(links):
            self.view.notify(f"This article has no link [{number}].", timeout=2)
            return
        self.view.app.open_link(links[number - 1])  # type: ignore[attr-defined]

    def choose_link(self) -> None:
        """`L`: the article's links in a list, to open one."""
        from newstui.ui.screens.links import LinksScreen

        links = self.links()
        if not links:
            self.view.notify("This article has no links.", timeout=2)
            return
        app = self.view.app

        def chosen(url: str | None) -> None:
            if url:
                app.open_link(url)  # type: ignore[attr-defined]

        app.push_screen(LinksScreen(links, self.link_texts()), chosen)

    def open_entry_link(self, entry_id: int | None) -> None:
        if (link := self._entry_link(entry_id)) is not None:
            self.view.app.open_link(link)  # type: ignore[attr-defined]

    def copy_entry_link(self, entry_id: int | None) -> None:
        if (link := self._entry_link(entry_id)) is not None:
            self.view.app.copy_to_clipboard(link)
            self.view.notify(f"Copied {link}", title="Link copied", markup=False, timeout=3)

    def _entry_link(self, entry_id: int | None) -> str | None:
        entry = self.store.entry(entry_id) if entry_id is not None else None
        if entry is None or not entry.link:
            self.view.notify("This entry has no link.", severity="warning", timeout=3)
            return None
        return entry.link

    def _render(self, entry: Entry, full: bool) -> None:
        # Imported on the first article, after the first frame: the HTML converter and its
        # lxml are not needed to show the lists (~20 ms of a launch).
        from newstui.article.compose import render_entry

        html = entry.content_html or entry.summary_html or ""
        cached = self.cache.get((entry.id, full))
        if cached is not None and cached[0] == shown_fields(entry):
            header = self._with_notice(entry.id, full, cached[1].header)
            self.view.show(header, cached[1].body, entry_id=entry.id, reader=full)
            return
        if len(html) < RENDER_IN_THREAD_ABOVE:
            self._remember(entry.id, full, shown_fields(entry), render_entry(entry, self.styles()))
            return
        self.view.show(Text(entry.title), Text("Rendering…"), entry_id=entry.id)
        self.view.run_worker(
            functools.partial(self._render_later, entry, full), group="render", exclusive=True
        )

    async def _render_later(self, entry: Entry, full: bool) -> None:
        from newstui.article.compose import render_entry

        key, shown = (entry.id, full), shown_fields(entry)
        pending = self._rendering.get(key)
        if pending is None or pending[0] != shown:
            # A daemon thread: a render the user walked away from cannot be stopped, but it
            # must not hold up `q` (the default executor's threads are joined at exit), and
            # coming back to the article waits for it instead of starting a second one.
            future = _in_daemon_thread(render_entry, entry, self.styles())
            pending = (shown, future)
            self._rendering[key] = pending
            future.add_done_callback(lambda _, k=key, p=pending: self._rendering_done(k, p))
        article = await asyncio.shield(pending[1])
        if self.view.shown_id == entry.id:
            self._remember(entry.id, full, shown, article)

    def _rendering_done(self, key: tuple[int, bool], pending: tuple[Shown, Any]) -> None:
        if self._rendering.get(key) is not pending:
            return  # restyled meanwhile: converted with the old styles
        del self._rendering[key]
        future = pending[1]
        if not future.cancelled() and future.exception() is None:
            # Kept even when the user walked away (its worker was cancelled by the next
            # article's): coming back shows it at once instead of converting it again.
            self._keep(*key, pending[0], future.result())

    def _remember(self, entry_id: int, full: bool, shown: Shown, article: Article) -> None:
        self._keep(entry_id, full, shown, article)
        header = self._with_notice(entry_id, full, article.header)
        self.view.show(header, article.body, entry_id=entry_id, reader=full)

    def _keep(self, entry_id: int, full: bool, shown: Shown, article: Article) -> None:
        key = (entry_id, full)
        self.cache[key] = (shown, article)
        self.cache.move_to_end(key)
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)

    # -- reader mode -------------------------------------------------------------------------

    def toggle_full_text(self) -> None:
        """`f`: the web page's article instead of the feed's text, and back."""
        entry_id = self.view.shown_id
        if entry_id is None:
            self.view.notify("Open an entry first.", timeout=2)
            return
        if entry_id in self.full_text:
            self.full_text.discard(entry_id)
            self.feed_text.add(entry_id)
            self.show(entry_id)
            return
        self.feed_text.discard(entry_id)
        entry = self.store.entry(entry_id)
        if entry is None or not entry.link:
            self.view.notify("This entry has no link to fetch.", severity="warning", timeout=3)
            return
        self.notices.pop(entry_id, None)
        if self.pages.get(entry_id) or self._stored_page(entry_id):
            self.full_text.add(entry_id)
            self.show(entry_id)
            return
        # The pane says what is happening; keys keep working (the fetch is a worker).
        self.view.show(
            Text(entry.title, style=self.styles().title),
            Text(f"Fetching the full article from {entry.link} …", style=self.styles().meta),
            entry_id=entry_id,
        )
        self.view.run_worker(
            self._fetch(entry), group=f"full-text-{entry_id}", exclusive=True, exit_on_error=False
        )

    async def _fetch(self, entry: Entry) -> None:
        """The page for `f`. Every way this can end shows something in the pane: the article,
        or the entry's own text under the reason there is no article."""
        from newstui.feeds.fulltext import fetch_page

        assert entry.link is not None
        feed = self.feeds.get(entry.feed_url) or FeedSpec(entry.feed_url)
        try:
            page = await fetch_page(entry.link, self.settings, feed=feed)
            error = page.error
        except Exception as exc:  # a bug in extraction must not leave "Fetching..." forever
            page, error = None, f"could not read the page ({type(exc).__name__})"
        html = page.html if page is not None else None
        now, link = self.clock(), entry.link
        self.writes.submit(
            Write(
                "reader-mode page",
                1,
                lambda s: s.save_full_text(entry.id, link, html=html, error=error, now=now),
            )
        )
        if error is not None or not html:
            self.notices[entry.id] = f"Could not get the full article: {error or 'empty page'}"
        else:
            self.pages[entry.id] = html
            self.full_text.add(entry.id)
        self.cache.pop((entry.id, False), None)
        if self.view.shown_id == entry.id:
            self.show(entry.id)

    def _with_notice(self, entry_id: int, full: bool, header: RenderableType) -> RenderableType:
        """The header, under the reason reader mode failed when the entry's own text is shown."""
        notice = None if full else self.notices.get(entry_id)
        if notice is None:
            return header
        hint = f"{notice}. Press f to try again."
        return Group(Text(hint, style=self.styles().error), Text(""), header)

    def _stored_page(self, entry_id: int) -> str | None:
        cached = self.store.full_text(entry_id)
        return cached.html if cached is not None and cached.html else None


def shown_fields(entry: Entry) -> Shown:
    """Everything `newstui.article.compose.render_entry` draws from `entry` (its read and
    bookmark state it does not): a refresh may change the title or date, or the feed be
    renamed, between converting an article ahead of time and showing it."""
    html = entry.content_html or entry.summary_html or ""
    return (html, entry.title, entry.link, entry.author, entry.published_at, entry.feed_title,
            entry.enclosures)  # fmt: skip


def _import_quietly() -> None:
    with contextlib.suppress(Exception):  # the reader is closing: nothing needs it then
        importlib.import_module(RENDERER)


def _in_daemon_thread(function: Callable[..., T], *args: object) -> asyncio.Future[T]:
    """`function(*args)` on a daemon thread, as a future of the running loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result, error = function(*args), None
        except Exception as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the app has closed its loop
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="newstui-render", daemon=True).start()
    return future
