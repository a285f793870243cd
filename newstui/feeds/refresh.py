"""Refreshing feeds: fetch → parse → store, many feeds at once. No Textual here.

The only module that knows fetch, parse and store together. The pipeline is shaped by two
facts measured on the target machine (2 cores): parsing dominates the cost, and the TUI's event
loop must never wait for it or for the database. So:
- fetches run concurrently on the caller's event loop (bounded by `settings.concurrency`; the
  same bound covers each feed's parse and store step, so at most that many bodies are in
  memory);
- parsing runs in a pool of worker processes (one per core by default), started only when a
  body actually needs parsing, so an all-304 refresh starts no process at all;
- store writes run on one dedicated thread with its own connection, in one short transaction
  per feed, so a `kill -9` loses at most the feed being written.
One broken feed never affects the others: every failure becomes that feed's `FeedUpdate`.
Only a database that cannot be used (`StoreError`) ends the whole run.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from newstui.core.config import Settings
from newstui.core.errors import ParseError, StoreError
from newstui.core.models import FeedSpec, FeedState, FeedUpdate, UpdateStatus
from newstui.core.timefmt import utc_now
from newstui.feeds import parse_worker, schedule
from newstui.feeds.fetch import Fetched, FetchFailed, NotModified, fetch_feed, make_client
from newstui.store import Store

Clock = Callable[[], datetime]
FULL_TEXT_CONCURRENCY = 4
FULL_TEXT_PER_FEED = 20
T = TypeVar("T")


def plan_refresh(
    specs: Sequence[FeedSpec],
    states: dict[str, FeedState],
    now: datetime,
    *,
    force: bool = False,
) -> list[FeedSpec]:
    """The feeds to fetch now: those due, or all of them when `force` (an explicit refresh)."""
    if force:
        return list(specs)
    return [
        spec
        for spec in specs
        if schedule.is_due(states[spec.url].next_due_at if spec.url in states else None, now)
    ]


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
    ) -> None:
        """`spare_a_core`: for the reader, whose own process needs a core for keys and
        drawing: unless `parse_workers` is set, parse on one core fewer than the machine has."""
        self._db_path = str(db_path)
        self._settings = settings
        self._clock = clock
        self._spare_a_core = spare_a_core
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="newstui-store")
        self._store: Store | None = None
        self._parser: Executor | None = None
        self._pool_lock = asyncio.Lock()
        self._client = make_client(
            concurrency=settings.concurrency,
            max_redirects=settings.max_redirects,
            user_agent=settings.user_agent,
        )

    async def __aenter__(self) -> Refresher:
        await self._db(lambda: None)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.aclose()
        if self._store is not None:
            await self._db(self._store.close)
        self._writer.shutdown(wait=True)
        if self._parser is not None:
            self._parser.shutdown(wait=True, cancel_futures=True)

    async def _db(self, call: Callable[[], T]) -> T:
        """Run `call` on the writer thread, which owns the refresh's own connection."""

        def run() -> T:
            if self._store is None:
                self._store = Store(self._db_path)
            return call()

        return await asyncio.get_running_loop().run_in_executor(self._writer, run)

    @property
    def store(self) -> Store:
        assert self._store is not None, "use the Refresher as an async context manager"
        return self._store

    async def feed_states(self) -> dict[str, FeedState]:
        return await self._db(lambda: self.store.feed_states())

    async def run(
        self, specs: Sequence[FeedSpec], *, force: bool = False
    ) -> AsyncIterator[FeedUpdate]:
        """Refresh the due feeds among `specs` (all of them when `force`), yielding each result
        as it finishes."""
        states = await self.feed_states()
        started = self._clock()
        todo = plan_refresh(specs, states, started, force=force)
        gate = asyncio.Semaphore(self._settings.concurrency)
        tasks = [
            asyncio.ensure_future(self._guarded(gate, spec, states.get(spec.url))) for spec in todo
        ]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        full_text_feeds = [spec for spec in todo if spec.full_text]
        if full_text_feeds:
            await self._fetch_full_texts(full_text_feeds, since=started)
        if self._settings.retention_days:
            cutoff = self._clock() - timedelta(days=self._settings.retention_days)
            await self._db(lambda: self.store.prune(cutoff))

    async def _fetch_full_texts(self, specs: Sequence[FeedSpec], *, since: datetime) -> None:
        """Reader mode for feeds with `full_text = true`: the pages of entries new in this run,
        a few at a time and at most `FULL_TEXT_PER_FEED` per feed (never every old entry)."""
        from newstui.feeds.fulltext import fetch_article

        gate = asyncio.Semaphore(FULL_TEXT_CONCURRENCY)
        settings = self._settings

        async def one(entry_id: int, link: str, user_agent: str | None) -> None:
            async with gate:
                page = await fetch_article(
                    self._client,
                    link,
                    timeout=settings.timeout,
                    max_bytes=settings.max_feed_size,
                    user_agent=user_agent,
                )
                now = self._clock()
                await self._db(
                    lambda: self.store.save_full_text(
                        entry_id, link, html=page.html, error=page.error, now=now
                    )
                )

        jobs = []
        for spec in specs:
            ids = await self._db(
                lambda spec=spec: self.store.entries_missing_full_text(  # type: ignore[misc]
                    spec.url, since, FULL_TEXT_PER_FEED
                )
            )
            for entry in await self._db(lambda ids=ids: self.store.entries_by_id(ids)):  # type: ignore[misc]
                if entry.link:
                    jobs.append(one(entry.id, entry.link, spec.user_agent))
        await asyncio.gather(*jobs, return_exceptions=True)

    async def _guarded(
        self, gate: asyncio.Semaphore, spec: FeedSpec, state: FeedState | None
    ) -> FeedUpdate:
        async with gate:
            try:
                return await self._refresh_one(spec, state or FeedState(spec.url))
            except (asyncio.CancelledError, StoreError):
                raise  # a database that cannot be written fails the whole refresh, not each feed
            except Exception as exc:  # a bug must cost one feed, not the whole refresh
                message = f"internal error: {type(exc).__name__}: {exc}"
                with contextlib.suppress(Exception):
                    await self._fail(spec, state, "internal", message, {})
                return FeedUpdate(spec.url, UpdateStatus.ERROR, error=message)

    async def _refresh_one(self, spec: FeedSpec, state: FeedState) -> FeedUpdate:
        settings = self._settings
        interval = spec.refresh_interval or settings.refresh_interval
        result = await fetch_feed(
            self._client,
            state.moved_to or spec.url,
            etag=state.etag,
            last_modified=state.last_modified,
            timeout=settings.timeout,
            max_bytes=settings.max_feed_size,
            user_agent=spec.user_agent,
        )
        now = self._clock()
        if isinstance(result, FetchFailed):
            await self._fail(spec, state, result.kind, result.message, result.headers)
            return FeedUpdate(spec.url, UpdateStatus.ERROR, error=result.message)
        if isinstance(result, NotModified):
            due = schedule.next_after_success(now, interval, headers=result.headers)
            await self._db(lambda: self.store.touch(spec.url, now=now, next_due_at=due))
            return FeedUpdate(spec.url, UpdateStatus.NOT_MODIFIED)
        return await self._store_body(spec, state, result, interval)

    async def _store_body(
        self, spec: FeedSpec, state: FeedState, result: Fetched, interval: timedelta
    ) -> FeedUpdate:
        headers = result.headers
        etag, modified = headers.get("etag"), headers.get("last-modified")
        body_hash = hashlib.sha256(result.body).hexdigest()
        if body_hash == state.body_hash:
            # Servers without validators often send the same bytes again: skip the parse.
            now = self._clock()
            due = schedule.next_after_success(now, interval, headers=headers)
            moved = result.permanent_redirect
            await self._db(
                lambda: self.store.touch(
                    spec.url,
                    now=now,
                    next_due_at=due,
                    etag=etag,
                    last_modified=modified,
                    moved_to=moved,
                )
            )
            return FeedUpdate(spec.url, UpdateStatus.NOT_MODIFIED)
        try:
            parsed = await self._parse(result.final_url, result.body, headers)
        except ParseError as exc:
            await self._fail(spec, state, exc.kind, str(exc), headers)
            return FeedUpdate(spec.url, UpdateStatus.ERROR, error=str(exc))
        now = self._clock()
        due = schedule.next_after_success(now, interval, ttl=parsed.ttl, headers=headers)
        moved_to = result.permanent_redirect or state.moved_to
        new, updated = await self._db(
            lambda: self.store.save_fetch(
                spec.url,
                parsed,
                now=now,
                etag=etag,
                last_modified=modified,
                body_hash=body_hash,
                next_due_at=due,
                moved_to=moved_to,
            )
        )
        status = (
            UpdateStatus.NEW if new else UpdateStatus.UPDATED if updated else UpdateStatus.UNCHANGED
        )
        return FeedUpdate(
            spec.url,
            status,
            new=new,
            updated=updated,
            warning=parsed.warning,
            title=parsed.title or None,
        )

    async def _fail(
        self,
        spec: FeedSpec,
        state: FeedState | None,
        kind: str,
        message: str,
        headers: dict[str, str],
    ) -> None:
        now = self._clock()
        interval = spec.refresh_interval or self._settings.refresh_interval
        failures = (state.failures if state else 0) + 1
        due = schedule.next_after_failure(now, interval, failures, headers=headers)
        await self._db(
            lambda: self.store.record_failure(
                spec.url, kind=kind, message=message, now=now, next_due_at=due
            )
        )

    async def _parse(self, url: str, body: bytes, headers: dict[str, str]):  # noqa: ANN202
        loop = asyncio.get_running_loop()
        call = partial(parse_worker.parse, url, body, headers, now=self._clock())
        try:
            return await loop.run_in_executor(await self._started_pool(), call)
        except BrokenProcessPool:
            # A worker died (out of memory on a hostile feed?): start a new pool and retry once.
            self._parser = None
            return await loop.run_in_executor(await self._started_pool(), call)
        except (OSError, ValueError):
            if not isinstance(self._parser, ProcessPoolExecutor):
                raise
            # Worker processes cannot be started here: parse on a thread instead, still
            # off the event loop, rather than fail every feed.
            self._parser.shutdown(wait=False, cancel_futures=True)
            self._parser = ThreadPoolExecutor(1, thread_name_prefix="newstui-parse")
            return await loop.run_in_executor(self._parser, call)

    async def _started_pool(self) -> Executor:
        """The parse pool, its worker processes started on a thread the first time: spawning
        them from the event loop held the reader's keys up for tens of milliseconds."""
        if self._parser is None:
            async with self._pool_lock:
                if self._parser is None:
                    await asyncio.to_thread(self._start_pool)
        assert self._parser is not None
        return self._parser

    def _start_pool(self) -> None:
        pool = self._parse_pool()
        if isinstance(pool, ProcessPoolExecutor):
            pool.submit(os.getpid)  # a process pool starts its workers on its first job

    def _parse_pool(self) -> Executor:
        if self._parser is None:
            cores = os.cpu_count() or 1
            spare = 1 if self._spare_a_core else 0
            workers = self._settings.parse_workers or max(1, cores - spare)
            if self._settings.parse_workers == 1 or cores == 1:
                self._parser = ThreadPoolExecutor(1, thread_name_prefix="newstui-parse")
            else:
                # spawn, not fork: forking a process that runs threads (the TUI, httpx) is
                # unsafe; and not forkserver, whose extra process cost ~13 MB for nothing.
                self._parser = ProcessPoolExecutor(
                    workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=parse_worker.warm_up,
                )
        return self._parser
