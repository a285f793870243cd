"""A sync server's account as an entry source of the refresh: one run is one whole sync.

`ServerFeeds` claims the feeds the server has (`FeedState.from_server`), so `HttpFeeds` never
polls them, and as an `AccountSource` it also runs when none of them is in the refresh: most of
a server's feeds are not in feeds.toml at all. One run (`newstui.feeds.sync.Syncer`) checks the
server, pulls the subscriptions and what changed since the cursor, and pushes the pending marks,
writing through the refresh's one writer thread (`RefreshContext.db`), beside the HTTP feeds of
the same pass. It yields one `FeedUpdate` per server feed (new and updated entries, else "not
modified"); when the sync fails, an error for each server feed the refresh asked for. The
`SyncReport` of the run is kept (`report`) for `newstui sync`, `newstui refresh` and the reader's
status line. No Textual here.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from newstui.core.models import FeedSpec, FeedState, FeedUpdate, UpdateStatus
from newstui.feeds.sources import RefreshContext
from newstui.feeds.sync import SyncReport, sync_once

if TYPE_CHECKING:
    from newstui.core.config import SyncSettings

Listener = Callable[[SyncReport | None], None]
"""Told when a sync starts (None) and ends (its report): the reader's status line."""


class ServerFeeds:
    """The `[sync]` server's feeds, for one refresh (build one per `Refresher`)."""

    def __init__(
        self,
        context: RefreshContext,
        settings: SyncSettings,
        *,
        local_urls: Sequence[str] = (),
        when_due: bool = True,
        always: bool = False,
        trust_env: bool = True,
        listener: Listener | None = None,
    ) -> None:
        """Args:
        local_urls: feeds.toml's feeds that stay local (`sync = false`) even when the
            server has them.
        when_due: run when `[sync] interval` has passed since the last attempt (or the
            refresh is forced) even if the refresh holds no server feed; False: only for a
            server feed in the refresh (`newstui refresh NAME`).
        always: run in every refresh it is part of (the reader decides when to sync).
        """
        self._context = context
        self._settings = settings
        self._local_urls = list(local_urls)
        self._when_due = when_due
        self._always = always
        self._trust_env = trust_env
        self._listener = listener
        self.report: SyncReport | None = None
        """The last run's report (None before the first)."""

    def claims(self, spec: FeedSpec, state: FeedState | None) -> bool:
        return state is not None and state.from_server and spec.url not in self._local_urls

    async def due(self, now: datetime, *, force: bool) -> bool:
        if self._always or (force and self._when_due):
            return True
        if not self._when_due:
            return False
        last = await self._context.db(lambda store: store.sync_value("last_attempt_at"))
        return last is None or datetime.fromisoformat(last) + self._settings.interval <= now

    async def refresh(
        self, specs: Sequence[FeedSpec], states: Mapping[str, FeedState]
    ) -> AsyncIterator[FeedUpdate]:
        if self._listener is not None:
            self._listener(None)
        report: SyncReport | None = None
        try:
            report = await sync_once(
                self._context.db,
                self._settings,
                local_urls=self._local_urls,
                trust_env=self._trust_env,
                clock=self._context.clock,
            )
            self.report = report
            next_sync = self._context.clock() + self._settings.interval
            await self._context.db(lambda store: store.schedule_server_feeds(next_sync))
        finally:
            if self._listener is not None:
                self._listener(report)
        if report.error is not None:
            for spec in specs:
                yield FeedUpdate(spec.url, UpdateStatus.ERROR, error=f"sync: {report.error}")
            return
        for url in report.feed_urls:
            new, updated = report.by_feed.get(url, (0, 0))
            status = (
                UpdateStatus.NEW if new
                else UpdateStatus.UPDATED if updated
                else UpdateStatus.NOT_MODIFIED
            )  # fmt: skip
            yield FeedUpdate(url, status, new=new, updated=updated)


class ServerSource:
    """Builds the `ServerFeeds` of a `Refresher` (pass it in `sources=`) and keeps it, so the
    caller can read the sync's report after the refresh. Options: those of `ServerFeeds`."""

    def __init__(
        self,
        settings: SyncSettings,
        *,
        local_urls: Sequence[str] = (),
        when_due: bool = True,
        always: bool = False,
        trust_env: bool = True,
        listener: Listener | None = None,
    ) -> None:
        self._make = functools.partial(
            ServerFeeds, settings=settings, local_urls=local_urls, when_due=when_due,
            always=always, trust_env=trust_env, listener=listener,
        )  # fmt: skip
        self.source: ServerFeeds | None = None

    def __call__(self, context: RefreshContext) -> ServerFeeds:
        self.source = self._make(context)
        return self.source

    @property
    def report(self) -> SyncReport | None:
        return self.source.report if self.source is not None else None
