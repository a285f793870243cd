"""Refreshing feeds: every due feed from its source into the store, many at once. No Textual.

The pipeline is shaped by two facts measured on the target machine (2 cores): parsing
dominates the cost, and the TUI's event loop must never wait for it or for the database. So
fetches run concurrently on the caller's event loop, parsing runs in worker processes
(`newstui.feeds.parse_pool`), and store writes run on one dedicated thread with its own
connection, one short transaction per feed (`newstui.feeds.sources.RefreshContext`).

Where entries come from is a source's business (`newstui.feeds.sources`): the `Refresher`
plans, hands each feed to the source that claims it, and afterwards fetches full texts and
prunes. `summarise` (pure) sits beside it; which feeds are due is `schedule.plan_refresh`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from newstui.core.config import Settings
from newstui.core.config_search import Filter
from newstui.core.models import FeedSpec, FeedState, FeedUpdate, UpdateStatus
from newstui.core.timefmt import utc_now
from newstui.feeds.fetch import make_client
from newstui.feeds.parse_pool import ParsePool
from newstui.feeds.schedule import plan_refresh
from newstui.feeds.sources import EntrySource, RefreshContext
from newstui.feeds.sources.http import HttpFeeds

Clock = Callable[[], datetime]
INDEX_BATCH = 1000
"""New or changed entries indexed for search at a time during a refresh: FTS5 costs a third
less per entry in batches than feed by feed (see `newstui/store/_search_index.py`), but no less
at 5,000 than at 1,000 (measured: ~130 us each in v9, ~60 us since v11), and the last batch
runs alone at the end of the refresh (~0.7 s of 5,000 with both cores free, in v9)."""


def summarise(updates: Iterable[FeedUpdate]) -> dict[str, int]:
    """Counts for a one-line summary: feeds per status plus new/updated entries."""
    totals = {"feeds": 0, "new": 0, "updated": 0, "errors": 0, "not-modified": 0}
    for update in updates:
        totals["feeds"] += 1
        totals["new"] += update.new
        totals["updated"] += update.updated
        totals["errors"] += update.status is UpdateStatus.ERROR
        totals["not-modified"] += update.status is UpdateStatus.NOT_MODIFIED
    return totals


class Refresher:
    """Runs refreshes against one database; reusable, e.g. by the TUI's periodic refresh.

    Use as an async context manager so the HTTP client, the writer thread and the parse
    processes are shut down.
    """

    def __init__(
        self,
        db_path: str | Path,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        spare_a_core: bool = False,
        sources: Sequence[Callable[[RefreshContext], EntrySource]] = (),
        filters: Sequence[Filter] = (),
    ) -> None:
        """Args:
        db_path: The database; the refresh opens its own connection to it.
        spare_a_core: For the reader, whose own process needs a core for keys and drawing:
            unless `parse_workers` is set, parse on one core fewer than the machine has, in
            workers at a lower priority. Without it (`newstui refresh`) the workers run at
            the command's own priority.
        sources: Factories of the sources asked first, in order, before the feeds' own URLs
            over HTTP (which claim every feed left).
        filters: feeds.toml's `[[filters]]`: every source's new entries go through them as
            they are stored.
        """
        self._settings = settings
        self._clock = clock
        self.context = RefreshContext(
            db_path,
            settings,
            clock,
            make_client(
                concurrency=settings.concurrency,
                max_redirects=settings.max_redirects,
                user_agent=settings.user_agent,
            ),
            ParsePool(settings.parse_workers, spare_a_core=spare_a_core),
            filters=tuple(filters),
            spare_a_core=spare_a_core,
        )
        self._sources: list[EntrySource] = [make(self.context) for make in sources]
        self._sources.append(HttpFeeds(self.context))

    async def __aenter__(self) -> Refresher:
        await self.context.db(lambda store: None)  # open (and migrate) the database first
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.context.close()

    async def feed_states(self) -> dict[str, FeedState]:
        return await self.context.db(lambda store: store.feed_states())

    async def run(
        self, specs: Sequence[FeedSpec], *, force: bool = False
    ) -> AsyncIterator[FeedUpdate]:
        """Refresh the due feeds among `specs` (all of them when `force`), yielding each result
        as it finishes."""
        states = await self.feed_states()
        started = self._clock()
        todo = plan_refresh(specs, states, started, force=force)
        claimed: dict[int, list[FeedSpec]] = {}
        for spec in todo:
            state = states.get(spec.url)
            index = next(
                (i for i, source in enumerate(self._sources) if source.claims(spec, state)), None
            )
            if index is not None:  # else no source may refresh it (a sync server's, no sync)
                claimed.setdefault(index, []).append(spec)
        for index, source in enumerate(self._sources):
            due = getattr(source, "due", None)  # an AccountSource: runs for its whole account
            if index not in claimed and due is not None and await due(started, force=force):
                claimed[index] = []
        unindexed = 0
        async for update in _merged(
            [self._sources[i].refresh(part, states) for i, part in claimed.items()]
        ):
            unindexed += update.new + update.updated
            if unindexed >= INDEX_BATCH:
                unindexed = 0
                await self.context.db(lambda store: store.index_pending())
            yield update
        full_text_feeds = [spec for spec in todo if spec.full_text]
        if full_text_feeds:
            # Imported only when needed: reader mode pulls in lxml and the extractor.
            from newstui.feeds.fulltext import fetch_new_pages

            await fetch_new_pages(self.context, full_text_feeds, since=started)
        if self._settings.retention_days:
            cutoff = self._clock() - timedelta(days=self._settings.retention_days)
            await self.context.db(lambda store: store.prune(cutoff))
        # The search index catches up with this refresh before it ends.
        await self.context.db(lambda store: store.index_pending())


async def _merged(streams: list[AsyncIterator[FeedUpdate]]) -> AsyncIterator[FeedUpdate]:
    """The items of several async iterators as each arrives (one stream: passed straight on)."""
    if len(streams) == 1:
        async for item in streams[0]:
            yield item
        return
    queue: asyncio.Queue[FeedUpdate | None] = asyncio.Queue()

    async def drain(stream: AsyncIterator[FeedUpdate]) -> None:
        try:
            async for item in stream:
                await queue.put(item)
        finally:
            await queue.put(None)

    tasks = [asyncio.ensure_future(drain(stream)) for stream in streams]
    try:
        remaining = len(tasks)
        while remaining:
            item = await queue.get()
            if item is None:
                remaining -= 1
            else:
                yield item
        await asyncio.gather(*tasks)  # a source's exception reaches the caller
    finally:
        for task in tasks:
            task.cancel()
