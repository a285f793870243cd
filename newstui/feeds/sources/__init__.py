"""Where a refresh gets entries from: the seam a second source (a sync server) plugs into.

A refresh (`newstui.feeds.refresh.Refresher`) hands each due feed to the first source that
claims it and merges the `FeedUpdate`s they yield, in the order they finish; the UI and the
commands only ever see the `Refresher` (the design follows lemon24/reader's retrievers and
parsers). Two sources:
- `HttpFeeds` (`sources/http.py`): each feed's own URL, polled over HTTP; it claims every feed
  except the sync server's, which newstui never polls.
- `ServerFeeds` (`sources/server.py`): a sync server's account (Miniflux, Google Reader API). It
  claims the server's feeds, and is an `AccountSource`: the account has feeds feeds.toml does
  not list, so a refresh runs it when it is due even if none of its feeds is in the refresh.
  One run is one whole sync (subscriptions, what changed, the pending marks pushed).

Every source writes through `RefreshContext.db`, which runs a call on the refresh's one writer
thread: the store is never touched from the event loop. No Textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from newstui.store import Store

if TYPE_CHECKING:
    import httpx

    from newstui.core.config import Settings
    from newstui.core.config_search import Filter
    from newstui.core.models import FeedSpec, FeedState, FeedUpdate
    from newstui.feeds.parse_pool import ParsePool

T = TypeVar("T")

READER_REFRESH_CACHE_KIB = 512
"""SQLite's page cache of the reader's refresh process's connection (`RefreshContext.db`), not
the default 2 MB: that process is one of the three the reader's memory adds up. Measured on the
reader's 500-feed refresh of the 100,000-entry store (`bench/child_memory.py`, two runs each):
its peak RSS 53.0 / 53.0 -> 51.7 / 52.6 MB, the refresh's time unchanged (13.4 / 13.3 ->
12.9 / 13.2 s). A headless `newstui refresh` keeps SQLite's default."""


class RefreshContext:
    """What every source of one refresh shares: settings, clock, the HTTP client, the parse
    pool, and the writer thread that owns the refresh's own database connection."""

    def __init__(
        self,
        db_path: str | Path,
        settings: Settings,
        clock: Callable[[], datetime],
        client: httpx.AsyncClient,
        parser: ParsePool,
        *,
        filters: tuple[Filter, ...] = (),
        spare_a_core: bool = False,
    ) -> None:
        self.settings = settings
        self.spare_a_core = spare_a_core
        """The reader's refresh (`Refresher(spare_a_core=True)`): its process shares the
        machine with the reader's own, so it holds less in flight too
        (`newstui.feeds.sources.http.READER_IN_FLIGHT_BYTES`) and a smaller page cache
        (`READER_REFRESH_CACHE_KIB`)."""
        self.clock = clock
        self.client = client
        """One HTTP client per refresh, so connections are pooled across feeds."""
        self.parser = parser
        self.filters = filters
        """`[[filters]]`: the store applies them to every new entry any source saves."""
        self._db_path = db_path
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="newstui-store")
        self._store: Store | None = None

    async def db(self, call: Callable[[Store], T]) -> T:
        """`call(store)` on the writer thread: one short transaction per call, never on the
        event loop, so a `kill -9` loses at most the feed being written."""

        def run() -> T:
            if self._store is None:
                kib = READER_REFRESH_CACHE_KIB if self.spare_a_core else None
                self._store = Store(self._db_path, cache_kib=kib)
                self._store.filters = self.filters
            return call(self._store)

        return await asyncio.get_running_loop().run_in_executor(self._writer, run)

    async def close(self) -> None:
        await self.client.aclose()
        if self._store is not None:
            await self.db(lambda store: store.close())
        self._writer.shutdown(wait=True)
        self.parser.shutdown()


class EntrySource(Protocol):
    """One way of getting feeds' entries into the store."""

    def claims(self, spec: FeedSpec, state: FeedState | None) -> bool:
        """Whether this source refreshes the feed (the first source that claims it does; a
        feed no source claims is not refreshed). `state`: what the store knows of it."""
        ...

    def refresh(
        self, specs: Sequence[FeedSpec], states: Mapping[str, FeedState]
    ) -> AsyncIterator[FeedUpdate]:
        """Refresh `specs` (all due: the refresh decided), yielding each result as it is
        ready; a failure is a `FeedUpdate` with an error, never an exception."""
        ...


class AccountSource(EntrySource, Protocol):
    """A source for a whole account on a server, whose feeds need not be in the refresh."""

    async def due(self, now: datetime, *, force: bool) -> bool:
        """Whether to run even though the refresh holds none of its feeds: `force` is an
        explicit refresh of everything (R, `newstui refresh --all`)."""
        ...
