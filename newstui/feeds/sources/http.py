"""The feeds' own URLs, polled over HTTP: fetch → parse → store, many feeds at once.

Fetches run concurrently on the caller's event loop, bounded by `settings.concurrency`; the
same bound covers each feed's parse, so at most that many bodies are being fetched or parsed.
A parsed feed then gives its slot back and waits for the store's one writer thread: while the
writer is busy (a search-index batch takes it for a second) the next feeds are still fetched
and parsed, instead of every slot waiting for the writer with the parse workers idle. What is
in flight is capped by bytes (`IN_FLIGHT_BYTES` per parse worker, `READER_IN_FLIGHT_BYTES` in
the reader's refresh process): a body from its download until it is parsed, then the feed's
rows and search index columns until they are written (the body is let go once parsed); no new
fetch starts while the cap is reached.
A 304, or a body byte-identical to the last one, costs no parse and no entry write. One broken
feed never affects the others: every failure becomes that feed's `FeedUpdate`, and the feed is
scheduled again with a back-off; only a database that cannot be used (`StoreError`) ends the
whole run. No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from newstui.core.errors import ParseError, StoreError
from newstui.core.models import FeedSpec, FeedState, FeedUpdate, UpdateStatus
from newstui.core.rows import FeedRows
from newstui.feeds import schedule
from newstui.feeds.fetch import Fetched, FetchFailed, NotModified, fetch_feed
from newstui.feeds.sources import RefreshContext

TOUCH_BATCH = 100
"""Feeds answered 304 whose bookkeeping is written in one transaction."""

IN_FLIGHT_BYTES = 4_000_000
"""Per parse worker: the bytes a refresh may hold between fetch and write (bodies not parsed
yet, parsed feeds waiting for the writer thread: `waiting_size`) before it starts no new fetch.
~16 feeds of the benchmark's size per worker. Fetches already started finish, so the cap is
passed by at most `concurrency` feeds. It was 16 MB (~65 feeds, a second of parsing), and in
a cold 2,000-feed `newstui refresh` the main process grew to 97 MB holding feeds that waited
for the writer (its search-index batches), the tree to 153 MB; at 4 MB: 65 and 121 MB, the
wall no worse (27.6 -> 24.1 s; 500 feeds 6.3 -> 6.0 s; bench/README.md, "Memory, session 11")."""

READER_IN_FLIGHT_BYTES = 1_000_000
"""The cap in the reader's refresh process (`RefreshContext.spare_a_core`), whatever its
workers: that process is one of three the reader's memory adds up (reader, refresh process,
parse worker), and its writer, not its one worker, is what the waiting feeds wait for (the
index batches on a big store), so a longer queue only holds more. Measured on the reader's
500-feed refresh of the 100,000-entry store (`bench/child_memory.py`): the refresh process's
peak RSS 80 -> 63 MB at 16 -> 4 MB, the refresh's time unchanged (25-26 s); 53.2 -> 50.9 MB
at 4 -> 1 MB (2 -> 1 MB: 52.0 -> 51.0), 15.2 -> 14.6 s (two runs each)."""

MIN_PARSE_TIME = 1.0
"""Seconds a parse gets even when the fetch used up the feed's deadline: a slow server should
not also fail an ordinary feed for its parse."""


class HttpFeeds:
    """The default source: claims every feed no other source claimed first, except a sync
    server's (`FeedState.from_server`): its entries come from the server, and polling the site
    as well would only duplicate the work (with no sync configured, it is not refreshed)."""

    def __init__(self, context: RefreshContext) -> None:
        self._context = context
        self._touches: list[tuple[str, datetime, datetime]] = []
        """304s not yet written: (url, when, next due)."""
        self._in_flight = _Budget(
            READER_IN_FLIGHT_BYTES
            if context.spare_a_core
            else IN_FLIGHT_BYTES * max(1, context.parser.size)
        )

    def claims(self, spec: FeedSpec, state: FeedState | None) -> bool:
        return state is None or not state.from_server

    async def refresh(
        self, specs: Sequence[FeedSpec], states: Mapping[str, FeedState]
    ) -> AsyncIterator[FeedUpdate]:
        gate = asyncio.Semaphore(self._context.settings.concurrency)
        # Feeds never fetched will be parsed: the workers start at once (an all-304 refresh
        # still starts none).
        self._context.parser.warm_up(sum(_never_fetched(states.get(spec.url)) for spec in specs))
        finished: asyncio.Queue[asyncio.Future[Any]] = asyncio.Queue()
        running: set[asyncio.Future[Any]] = set()

        async def start_each() -> None:
            # A feed's task is made once it has a slot, in the feeds' order: 2,000 tasks made
            # up front, each waiting for a slot, held ~3 MB in the reader's refresh process.
            for spec in specs:
                slot = _Slot(gate)
                await slot.take()
                task = asyncio.ensure_future(self._guarded(slot, spec, states.get(spec.url)))
                running.add(task)
                task.add_done_callback(finished.put_nowait)

        def starter_ended(starter: asyncio.Future[None]) -> None:
            if not starter.cancelled() and starter.exception() is not None:
                finished.put_nowait(starter)  # it failed (it never does): say why, not hang

        starter = asyncio.ensure_future(start_each())
        starter.add_done_callback(starter_ended)
        try:
            for _ in specs:
                task = await finished.get()
                if task is starter:
                    task.result()
                running.discard(task)
                yield task.result()
            await self._write_touches()
        finally:
            starter.cancel()
            for task in running:
                task.cancel()
            await asyncio.gather(starter, *running, return_exceptions=True)

    async def _guarded(self, slot: _Slot, spec: FeedSpec, state: FeedState | None) -> FeedUpdate:
        """One feed's refresh, started with its `slot` taken."""
        try:
            return await self._refresh_one(spec, state or FeedState(spec.url), slot)
        except (asyncio.CancelledError, StoreError):
            raise  # a database that cannot be written fails the whole refresh, not each feed
        except Exception as exc:  # a bug must cost one feed, not the whole refresh
            message = f"internal error: {type(exc).__name__}: {exc}"
            with contextlib.suppress(Exception):
                await self._fail(spec, state, "internal", message, {})
            return FeedUpdate(spec.url, UpdateStatus.ERROR, error=message)
        finally:
            slot.give_back()

    async def _refresh_one(self, spec: FeedSpec, state: FeedState, slot: _Slot) -> FeedUpdate:
        context = self._context
        settings = context.settings
        interval = spec.refresh_interval or settings.refresh_interval
        await self._in_flight.room()  # a slow writer or parser: no new bodies meanwhile
        started = asyncio.get_running_loop().time()
        result = await fetch_feed(
            context.client,
            state.moved_to or spec.url,
            etag=state.etag,
            last_modified=state.last_modified,
            timeout=settings.timeout,
            max_bytes=settings.max_feed_size,
            user_agent=spec.user_agent,
        )
        now = context.clock()
        if isinstance(result, FetchFailed):
            await self._fail(spec, state, result.kind, result.message, result.headers)
            return FeedUpdate(spec.url, UpdateStatus.ERROR, error=result.message)
        if isinstance(result, NotModified):
            # 304s are written TOUCH_BATCH at a time: a transaction and a trip to the writer
            # thread per feed were most of an all-304 refresh's own cost. Losing unwritten ones
            # (kill -9) only means those feeds are asked again next time, conditionally.
            due = schedule.next_after_success(now, interval, headers=result.headers)
            self._touches.append((spec.url, now, due))
            if len(self._touches) >= TOUCH_BATCH:
                await self._write_touches()
            return FeedUpdate(spec.url, UpdateStatus.NOT_MODIFIED)
        # The feed's one deadline covers its parse too: whatever the fetch left of it.
        elapsed = asyncio.get_running_loop().time() - started
        parse_time = max(settings.timeout - elapsed, MIN_PARSE_TIME)
        storing = self._store_body(spec, state, result, interval, parse_time, slot)
        del result  # `_store_body` lets go of the body once it is parsed
        return await storing

    async def _write_touches(self) -> None:
        touches, self._touches = self._touches, []
        if touches:
            await self._context.db(lambda store: store.touch_many(touches))

    async def _store_body(
        self,
        spec: FeedSpec,
        state: FeedState,
        result: Fetched,
        interval: timedelta,
        parse_time: float,
        slot: _Slot,
    ) -> FeedUpdate:
        context = self._context
        headers = result.headers
        etag, modified = headers.get("etag"), headers.get("last-modified")
        body, final_url, moved = result.body, result.final_url, result.permanent_redirect
        del result  # only `body` holds the bytes now, and it goes once parsed
        body_hash = hashlib.sha256(body).hexdigest()
        if body_hash == state.body_hash:
            # Servers without validators often send the same bytes again: skip the parse.
            now = context.clock()
            due = schedule.next_after_success(now, interval, headers=headers)
            await context.db(
                lambda store: store.touch(
                    spec.url,
                    now=now,
                    next_due_at=due,
                    etag=etag,
                    last_modified=modified,
                    moved_to=moved,
                )
            )
            return FeedUpdate(spec.url, UpdateStatus.NOT_MODIFIED)
        size = len(body)
        with self._in_flight.claim(size) as claim:
            try:
                parsed = await context.parser.parse(
                    final_url,
                    body,
                    headers,
                    now=context.clock(),
                    deadline=parse_time,
                    max_bytes=context.settings.max_feed_size,
                )
            except ParseError as exc:
                del body
                claim.resize(0)
                await self._fail(spec, state, exc.kind, str(exc), headers)
                return FeedUpdate(spec.url, UpdateStatus.ERROR, error=str(exc))
            del body  # waiting for the writer, the feed holds only its rows
            claim.resize(waiting_size(size, parsed))
            moved_to = moved or state.moved_to
            slot.give_back()  # the next feed's fetch and parse need not wait for the writer
            now = context.clock()
            due = schedule.next_after_success(now, interval, ttl=parsed.ttl, headers=headers)
            new, updated = await context.db(
                lambda store: store.save_fetch(
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
        headers: Mapping[str, str],
    ) -> None:
        context = self._context
        now = context.clock()
        interval = spec.refresh_interval or context.settings.refresh_interval
        failures = (state.failures if state else 0) + 1
        due = schedule.next_after_failure(now, interval, failures, headers=dict(headers))
        await context.db(
            lambda store: store.record_failure(
                spec.url, kind=kind, message=message, now=now, next_due_at=due
            )
        )


def waiting_size(body_size: int, parsed: FeedRows) -> int:
    """About the bytes a parsed feed holds while it waits for the writer (its body let go):
    its rows (about as large as the body: the same text, entities decoded, tags cleaned) and
    the search index columns the parse workers computed (`FeedRows.index`: body text and CJK
    bigrams again, ~3/4 of the body in the benchmark's feeds). Summed by `len` per column:
    ~30 us a 50-entry feed, while measuring the rows' own strings would cost four times that."""
    return body_size + sum(map(len, chain.from_iterable(parsed.index)))


def _never_fetched(state: FeedState | None) -> bool:
    """No body, validator or failure on record: the next fetch is almost surely a body."""
    return state is None or not (state.body_hash or state.etag or state.failures)


class _Slot:
    """One of the `concurrency` slots, held from a feed's fetch to the end of its parse and
    given back at most once (early, before the write, or when the feed is done)."""

    def __init__(self, gate: asyncio.Semaphore) -> None:
        self._gate = gate
        self._held = False

    async def take(self) -> None:
        await self._gate.acquire()
        self._held = True

    def give_back(self) -> None:
        if self._held:
            self._held = False
            self._gate.release()


class _Budget:
    """Bytes in flight: claimed without waiting by what already exists (a body just fetched),
    while `room` makes what would add more (the next fetch) wait until the total is under the
    limit again. No lock: everything runs on the event loop, and giving back is synchronous,
    so a cancelled holder never keeps its bytes."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._used = 0
        self._waiters: list[asyncio.Future[None]] = []

    async def room(self) -> None:
        """Wait until less than the limit is in flight."""
        while self._used >= self._limit:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                self._waiters.remove(waiter)

    def claim(self, size: int) -> _Claim:
        """`size` bytes in flight until the claim (a context manager) ends."""
        return _Claim(self, size)

    def _add(self, change: int) -> None:
        self._used += change
        if change < 0 and self._used < self._limit:
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)


class _Claim:
    """One feed's share of a `_Budget`, resized as what it holds changes."""

    def __init__(self, budget: _Budget, size: int) -> None:
        self._budget = budget
        self._size = 0
        self.resize(size)

    def resize(self, size: int) -> None:
        self._budget._add(size - self._size)
        self._size = size

    def __enter__(self) -> _Claim:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.resize(0)
