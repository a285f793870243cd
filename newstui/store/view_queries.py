"""Turning a `View` into store queries, and finding the next feed with unread entries. No
widgets here."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from newstui.core.config_search import SavedView
from newstui.core.models import Feed
from newstui.core.query import QueryError, parse_query
from newstui.core.query_tree import asks_about_state
from newstui.core.timefmt import utc_now
from newstui.core.views import View
from newstui.store import READER_CACHE_KIB, Store

RECOUNT_EVERY = timedelta(minutes=10)
"""How often saved views' matches are recomputed in full (an entry rewritten by a refresh, or
one aging out of `newer:7d`, is counted right by then)."""
SEARCH_LIMIT = 500
"""Results a search shows (best first): more than anyone reads, few enough to load at once."""


BACKGROUND_BUSY_TIMEOUT = 0.5
"""Seconds the background connection waits for another program's write lock."""


class ViewQueries:
    """The entry ids each view shows, newest first (a search's: best first)."""

    def __init__(
        self,
        store: Store,
        *,
        show_read: bool,
        views: Sequence[SavedView] = (),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.show_read = show_read
        self.saved = {view.name: view for view in views}
        """`[[views]]` by name."""
        self.clock = clock
        self._background: Store | None = None
        self._matches: dict[str, set[int]] = {}
        self._counted_at: datetime | None = None
        self._counted_upto = 0
        self._unread: set[int] = set()
        self._unread_upto = 0
        self._changes = 0
        self._counts: dict[str, int] = {}

    def ids(
        self, view: View, feeds: Mapping[str, Feed], store: Store | None = None
    ) -> Sequence[int]:
        """The view's ids, from this object's store or another connection to it (an array for
        the views of `Store.entry_ids`, a list for searches and saved views)."""
        store = store or self.store
        unread_only = not self.show_read
        if view.kind == "unread":
            return store.entry_ids(unread_only=True)
        if view.kind == "bookmarks":
            return store.entry_ids(bookmarked_only=True)
        if view.kind == "tag":
            urls = [url for url, feed in feeds.items() if view.key in feed.tags]
            return store.entry_ids(urls, unread_only=unread_only) if urls else []
        if view.kind == "feed":
            return store.entry_ids(view.key, unread_only=unread_only)
        if view.kind == "saved":
            saved = self.saved.get(view.key)
            return store.query_ids(saved.node, now=self.clock()) if saved else []
        if view.kind == "search":
            try:
                return store.search(parse_query(view.key), now=self.clock(), limit=SEARCH_LIMIT)
            except QueryError:
                return []
        return store.entry_ids(unread_only=unread_only)

    def saved_counts(self, store: Store | None = None) -> dict[str, int]:
        """Each saved view's unread entries, by name.

        Counted in full at first (and every `RECOUNT_EVERY`: an entry rewritten by a refresh,
        or one aging out of `newer:7d`, is counted right by then); after that a reload only
        looks at what changed: the entries indexed since (each view's query over a range of
        new row ids) and the unread entries stored since (one range read). Only when old
        entries changed state (a read mark, a bookmark, a filter hiding or tagging, a feed
        hidden: the store's `count_state`) are the unread entries read again, the matches of
        views that ask about state (`asks_about_state`) found again, and every view's matches
        intersected with the unread entries. (On the 100,000-entry benchmark store: a full count
        of 10 views ~1 s; after a read mark tens of ms; a refresh's reload a few.)
        """
        store = store or self.store
        names = list(self.saved)
        now = self.clock()
        upto, changes = store.count_state()
        if self._counted_at is None or now - self._counted_at > RECOUNT_EVERY:
            nodes = [self.saved[name].node for name in names]
            self._matches = dict(zip(names, store.matching_ids(nodes, now=now), strict=True))
            self._counted_at, self._counted_upto = now, upto
            self._recount(store, changes)
        else:
            if changes != self._changes:
                stateful = [name for name in names if asks_about_state(self.saved[name].node)]
                nodes = [self.saved[name].node for name in stateful]
                self._matches.update(zip(stateful, store.matching_ids(nodes, now=now), strict=True))
                self._recount(store, changes)
            else:
                fresh, self._unread_upto = store.unread_since(self._unread_upto)
                if fresh:
                    self._unread |= fresh
                    for name in names:
                        self._counts[name] += len(fresh & self._matches[name])
            if upto > self._counted_upto:
                nodes = [self.saved[name].node for name in names]
                found = store.matching_ids(nodes, now=now, after_id=self._counted_upto)
                for name, ids in zip(names, found, strict=True):
                    new = ids - self._matches[name]
                    self._matches[name] |= new
                    self._counts[name] += len(new & self._unread)
                self._counted_upto = upto
        return {name: self._counts[name] for name in names}

    def _recount(self, store: Store, changes: int) -> None:
        """The unread entries read again, and every view's count from its matches."""
        self._unread, self._unread_upto = store.unread_since(0)
        self._changes = changes
        self._counts = {name: len(ids & self._unread) for name, ids in self._matches.items()}

    async def background_store(self, db_path: Path) -> Store:
        """The second connection, for queries on a thread (opened on one the first time)."""
        if self._background is None:
            # A short wait for another program's write lock: this connection's writes (search
            # index catch-up) can wait for the next time, and quitting closes it.
            self._background = await asyncio.to_thread(
                functools.partial(
                    Store, db_path, busy_timeout=BACKGROUND_BUSY_TIMEOUT, cache_kib=READER_CACHE_KIB
                )
            )
        return self._background

    async def lists_in_background(
        self, db_path: Path, view: View | None
    ) -> tuple[list[Feed], int, Sequence[int] | None, dict[str, int]]:
        """The feed list, the bookmarks of removed feeds, `view`'s ids and the saved views'
        counts, queried on a thread with a second connection (WAL: its reads never wait):
        during a refresh of thousands of feeds these queries would otherwise hold the keys up."""
        store = await self.background_store(db_path)

        def query() -> tuple[list[Feed], int, Sequence[int] | None, dict[str, int]]:
            feeds = store.feeds()
            by_url = {feed.url: feed for feed in feeds}
            ids = self.ids(view, by_url, store) if view and view.kind != "search" else None
            counts = self.saved_counts(store) if self.saved else {}
            return feeds, store.hidden_bookmarks(), ids, counts

        return await asyncio.to_thread(query)

    def close(self) -> None:
        if self._background is not None:
            self._background.close()
            self._background = None

    @staticmethod
    def empty_message(view: View, key: Callable[[str], str]) -> str:
        """What an empty `view` says; `key(binding_id)` names the user's key for an action."""
        bookmark, refresh = key("entry.toggle-bookmark"), key("feed.refresh")
        return {
            "unread": "All caught up: no unread entries.",
            "bookmarks": f"No bookmarks yet: press {bookmark} on an entry to keep it here.",
            "saved": "Nothing matches this view's query yet.",
            "search": "No entries match.",
        }.get(view.kind, f"No entries yet: press {refresh} to refresh this feed.")

    @staticmethod
    def next_view_with_unread(
        views: Sequence[View], current: View | None, direction: int, feeds: Mapping[str, Feed]
    ) -> View | None:
        """The next feed row (in list order) that has unread entries."""
        feed_views = [v for v in views if v.kind == "feed"]
        if not feed_views:
            return None
        start = feed_views.index(current) if current in feed_views else -1
        count = len(feed_views)
        for offset in range(1, count + 1):
            candidate = feed_views[(start + offset * (1 if direction > 0 else -1)) % count]
            feed = feeds.get(candidate.key)
            if candidate != current and feed is not None and feed.unread:
                return candidate
        return None
