"""Where a refresh gets entries from: the seam a second source (a sync server) plugs into.

A refresh (`newstui.feeds.refresh.Refresher`) hands each due feed to the first source that
claims it and merges the `FeedUpdate`s they yield, in the order they finish; the UI and the
commands only ever see the `Refresher`. Today there is one source, `HttpFeeds`: each feed's own
URL, polled over HTTP. A server source (Miniflux, Google Reader API) claims the feeds the server
has and writes their entries through the same store API, so nothing above this layer changes
(the design follows lemon24/reader's retrievers and parsers).

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
    ) -> None:
        self.settings = settings
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
                self._store = Store(self._db_path)
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

    def claims(self, spec: FeedSpec) -> bool:
        """Whether this source refreshes the feed (the first source that claims it does)."""
        ...

    def refresh(
        self, specs: Sequence[FeedSpec], states: Mapping[str, FeedState]
    ) -> AsyncIterator[FeedUpdate]:
        """Refresh `specs` (all due: the refresh decided), yielding each result as it is
        ready; a failure is a `FeedUpdate` with an error, never an exception."""
        ...
