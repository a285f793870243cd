"""A refresh's memory stays bounded: what is in flight between fetch and write is counted in
bytes (a body until it is parsed, then the feed's rows and the search index columns the parse
workers computed), no new fetch starts while the cap is reached, a parsed feed waiting for the
writer no longer holds its body, and the store keeps the index columns only until they are
indexed, up to a cap."""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pytest

from newstui.core.config import Settings
from newstui.core.models import FeedSpec
from newstui.core.rows import FeedRows
from newstui.feeds.parse_pool import ParsePool
from newstui.feeds.refresh import Refresher
from newstui.feeds.sources import READER_REFRESH_CACHE_KIB, http
from newstui.feeds.sources.http import HttpFeeds
from newstui.store import Store
from tests.support.httpserver import HTTPServer, Response
from tests.support.wait import DEADLINE
from tests.test_refresh import FAST, NOW, RSS_TYPE, Clock, Item, rss, stored_entries

WORDS = "airship harbour lantern meadow orchard quarry river summit thistle valley " * 40


def http_source(refresher: Refresher) -> HttpFeeds:
    (source,) = (s for s in refresher._sources if isinstance(s, HttpFeeds))
    return source


def requests_once_quiet(server: HTTPServer, quiet: float, *, limit: float) -> int:
    """The server's request count once no new request came for `quiet` s (or after `limit`
    s): how a stalled writer waits until the fetches stop."""
    deadline = time.monotonic() + limit
    asked, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(server.requests) != asked:
            asked, since = len(server.requests), time.monotonic()
        elif time.monotonic() - since > quiet:
            break
        time.sleep(0.01)
    return len(server.requests)


async def test_a_waiting_feed_counts_its_rows_and_index_columns_and_lets_its_body_go(
    http_server, tmp_path: Path, monkeypatch
) -> None:
    body = rss(*(Item(str(n), text=f"<p>{WORDS}</p>") for n in range(20)))
    http_server.route("/feed", Response(200, RSS_TYPE, body))
    url = http_server.url("/feed")
    db_path = tmp_path / "newstui.db"
    with Store(db_path) as store:
        store.sync_feeds([FeedSpec(url)], now=NOW)
    seen: list[tuple[int, int, int]] = []
    bodies: list[bytes] = []
    save_fetch = Store.save_fetch
    parse = ParsePool.parse

    async def keeping(pool: ParsePool, url: str, body: bytes, *args: object, **kwargs: object):
        bodies.append(body)
        return await parse(pool, url, body, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ParsePool, "parse", keeping)
    async with Refresher(db_path, FAST, clock=Clock()) as refresher:
        source = http_source(refresher)

        def recording(store: Store, feed_url: str, parsed: FeedRows, **kwargs: object):
            index_chars = sum(map(len, chain.from_iterable(parsed.index)))
            # References to the body: `bodies` and getrefcount's own argument, nothing else.
            # Waited for a moment: the parse pool's waiter thread drops its job (the body
            # with it) just after handing the result over, and on a loaded machine the loop
            # can get this far first (failed once so in a full-suite run at 01:51).
            deadline = time.monotonic() + DEADLINE
            while sys.getrefcount(bodies[0]) > 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            seen.append((source._in_flight._used, index_chars, sys.getrefcount(bodies[0])))
            return save_fetch(store, feed_url, parsed, **kwargs)

        monkeypatch.setattr(Store, "save_fetch", recording)
        updates = [update async for update in refresher.run([FeedSpec(url)])]
    assert [update.new for update in updates] == [20]
    ((counted, index_chars, references),) = seen
    assert bodies == [body]
    assert index_chars > len(body) // 2  # the columns repeat the body's text (and more)
    # While it waits, the feed's share of the budget covers its rows (about as large as the
    # body) and its index columns; the body itself is no longer held by the refresh.
    assert counted >= len(body) + index_chars
    assert references == 2, "the parsed feed still holds its body while it waits"
    assert source._in_flight._used == 0


@pytest.mark.parametrize("reader", [False, True], ids=["newstui refresh", "the reader's"])
async def test_no_new_fetch_starts_while_the_bytes_in_flight_are_at_the_cap(
    http_server, tmp_path: Path, monkeypatch, reader: bool
) -> None:
    # The writer is stalled (a search-index batch, a reader holding the lock): the feeds
    # fetched meanwhile wait for it, but only up to the cap; the rest wait to be fetched.
    # The reader's refresh process has a cap of its own (READER_IN_FLIGHT_BYTES), not the
    # headless one per worker: set only that one here, the headless one stays at its 16 MB.
    body = rss(*(Item(str(n), text=f"<p>{WORDS}</p>") for n in range(10)))
    specs = [
        FeedSpec(http_server.route(f"/f{i}", Response(200, RSS_TYPE, body))) for i in range(16)
    ]
    db_path = tmp_path / "newstui.db"
    with Store(db_path) as store:
        store.sync_feeds(specs, now=NOW)
    cap = "READER_IN_FLIGHT_BYTES" if reader else "IN_FLIGHT_BYTES"
    monkeypatch.setattr(http, cap, 3 * len(body))
    save_fetch = Store.save_fetch
    asked_while_stalled: list[int] = []
    most: list[int] = []

    async with Refresher(db_path, Settings(parse_workers=1, timeout=10.0, concurrency=2),
                         clock=Clock(), spare_a_core=reader) as refresher:  # fmt: skip
        source = http_source(refresher)

        def stalled_first(store: Store, *args: object, **kwargs: object) -> tuple[int, int]:
            if not asked_while_stalled:
                # Without the cap every feed would be fetched meanwhile.
                asked_while_stalled.append(requests_once_quiet(http_server, 0.3, limit=5.0))
            most.append(source._in_flight._used)
            return save_fetch(store, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Store, "save_fetch", stalled_first)
        updates = [update async for update in refresher.run(specs)]
    assert sorted(update.new for update in updates) == [10] * len(specs)
    # Up to the cap: a feed waiting for the writer is ~2 bodies (rows + index columns), so two
    # or three wait, plus the `concurrency` fetches started before the cap was reached.
    (asked,) = asked_while_stalled
    assert 2 <= asked <= 6, f"{asked} of {len(specs)} feeds fetched while the writer was stalled"
    assert max(most) <= 3 * len(body) + 2 * 3 * len(body)
    assert source._in_flight._used == 0


FEED_TASK = "HttpFeeds._guarded"
"""What each feed's task runs."""


async def test_only_the_feeds_being_refreshed_have_a_task(http_server, tmp_path: Path) -> None:
    # 2,000 feeds (the reader's refresh of a big feeds.toml) used to get 2,000 tasks at once,
    # each waiting for one of the `concurrency` slots: ~3 MB in the refresh process. A feed's
    # task is made once it has a slot; every feed is still refreshed.
    count = 60
    for n in range(count):
        http_server.route(f"/f{n}", Response(200, RSS_TYPE, rss(Item(f"{n}-a"))))
    specs = [FeedSpec(http_server.url(f"/f{n}")) for n in range(count)]
    db_path = tmp_path / "newstui.db"
    with Store(db_path) as store:
        store.sync_feeds(specs, now=NOW)
    concurrency = 4
    settings = Settings(parse_workers=1, timeout=5.0, concurrency=concurrency)
    not_yet_asked: list[int] = []
    """At each update, the feeds with a task that were not yet asked for."""
    feed_tasks_seen = 0
    async with Refresher(db_path, settings, clock=Clock()) as refresher:
        updates = []
        async for update in refresher.run(specs):
            asked_not_reported = len(http_server.requests) - len(updates)
            feeds = [t for t in asyncio.all_tasks() if t.get_coro().__qualname__ == FEED_TASK]
            not_yet_asked.append(len(feeds) - asked_not_reported)
            feed_tasks_seen += len(feeds)
            updates.append(update)
    assert sorted(u.url for u in updates) == sorted(s.url for s in specs)
    assert all(u.new == 1 for u in updates)
    # A feed already asked for may wait for the writer as long as it likes (its bytes are capped
    # elsewhere, and a slow writer makes many wait); a feed not yet asked for has a task only
    # while it holds one of the `concurrency` slots.
    assert max(not_yet_asked) <= concurrency, not_yet_asked
    assert feed_tasks_seen, f"no task runs {FEED_TASK}: the test no longer sees the feeds' tasks"


def stored_feeds(server: HTTPServer, db_path: Path, count: int, body: bytes) -> list[FeedSpec]:
    """`count` feeds on `server`, each answering `body`, already in the store at `db_path`."""
    specs = [FeedSpec(server.route(f"/f{i}", Response(200, RSS_TYPE, body))) for i in range(count)]
    with Store(db_path) as store:
        store.sync_feeds(specs, now=NOW)
    return specs


@dataclass
class StalledWriter:
    """What a refresh held while its writer stalled (`stall_the_writer`)."""

    used: list[int] = field(default_factory=list)
    """The bytes in flight after each change."""
    sizes: list[int] = field(default_factory=list)
    """Each waiting feed's size."""
    asked: list[int] = field(default_factory=list)
    """The feed requests the server had answered when the stall ended."""


def stall_the_writer(monkeypatch: pytest.MonkeyPatch, server: HTTPServer) -> StalledWriter:
    """The first write waits until the server has seen no request for 0.5 s (a search-index
    batch on a big store); the bytes in flight and the waiting feeds' sizes are watched, not
    changed."""
    seen = StalledWriter()
    add, measure, save_fetch = http._Budget._add, http.waiting_size, Store.save_fetch

    def watched_add(budget: http._Budget, change: int) -> None:
        add(budget, change)
        seen.used.append(budget._used)

    def measured(body_size: int, parsed: FeedRows) -> int:
        seen.sizes.append(measure(body_size, parsed))
        return seen.sizes[-1]

    def stalled_first(store: Store, *args: object, **kwargs: object) -> tuple[int, int]:
        if not seen.asked:
            # Without a cap every feed would be fetched meanwhile.
            seen.asked.append(requests_once_quiet(server, 0.5, limit=15.0))
        return save_fetch(store, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(http._Budget, "_add", watched_add)
    monkeypatch.setattr(http, "waiting_size", measured)
    monkeypatch.setattr(Store, "save_fetch", stalled_first)
    return seen


async def test_newstui_refresh_holds_at_most_4_mb_per_parse_worker_while_the_writer_stalls(
    http_server, tmp_path: Path, monkeypatch
) -> None:
    # `newstui refresh` with its two parse workers and the real cap (IN_FLIGHT_BYTES, not
    # patched): the writer stalls (a search-index batch on a big store) while 30 feeds of
    # ~400 KB are there to fetch. What waits for the writer stays under 4 MB per worker plus
    # the fetches already started when the cap was reached; at 16 MB per worker (before) all
    # 30 feeds were fetched and waited, ~24 MB. Every feed is still stored.
    workers, concurrency, count = 2, 4, 30
    body = rss(*(Item(str(n), text=f"<p>{WORDS * 14}</p>") for n in range(10)))
    assert 350_000 < len(body) < 450_000
    db_path = tmp_path / "newstui.db"
    specs = stored_feeds(http_server, db_path, count, body)
    seen = stall_the_writer(monkeypatch, http_server)
    settings = Settings(parse_workers=workers, timeout=30.0, concurrency=concurrency)
    async with Refresher(db_path, settings, clock=Clock()) as refresher:
        assert refresher.context.parser.size == workers
        updates = [update async for update in refresher.run(specs)]
    assert sorted(update.new for update in updates) == [10] * count
    assert all(len(stored_entries(db_path, spec.url)) == 10 for spec in specs)
    (asked,) = seen.asked
    assert asked < count, "every feed was fetched while the writer was stalled"
    # The cap, passed by at most the `concurrency` feeds started before it was reached.
    bound = workers * 4_000_000 + concurrency * max(seen.sizes)
    assert max(seen.used) <= bound, f"{max(seen.used):,} bytes in flight, more than {bound:,}"
    assert seen.used[-1] == 0


async def test_the_readers_refresh_holds_at_most_1_mb_while_the_writer_stalls(
    http_server, tmp_path: Path, monkeypatch
) -> None:
    # The reader's refresh process (`spare_a_core`) with its real cap (READER_IN_FLIGHT_BYTES,
    # not patched): its memory adds to the reader's, so what waits for a stalled writer stays
    # under 1 MB plus the fetches already started when the cap was reached. At 4 MB (before)
    # all 20 feeds of ~120 KB were fetched and waited, ~4.5 MB.
    concurrency, count = 4, 20
    body = rss(*(Item(str(n), text=f"<p>{WORDS * 4}</p>") for n in range(10)))
    assert 100_000 < len(body) < 150_000
    db_path = tmp_path / "newstui.db"
    specs = stored_feeds(http_server, db_path, count, body)
    seen = stall_the_writer(monkeypatch, http_server)
    settings = Settings(parse_workers=1, timeout=30.0, concurrency=concurrency)
    async with Refresher(db_path, settings, clock=Clock(), spare_a_core=True) as refresher:
        updates = [update async for update in refresher.run(specs)]
    assert sorted(update.new for update in updates) == [10] * count
    bound = 1_000_000 + concurrency * max(seen.sizes)
    assert max(seen.used) <= bound, f"{max(seen.used):,} bytes in flight, more than {bound:,}"
    assert seen.used[-1] == 0


@pytest.mark.parametrize("reader", [False, True], ids=["newstui refresh", "the reader's"])
async def test_the_readers_refresh_writes_with_a_smaller_page_cache(
    tmp_path: Path, reader: bool
) -> None:
    # SQLite's default page cache is ~2 MB; the reader's refresh process keeps 512 KiB (its
    # memory adds to the reader's), a headless refresh keeps the default.
    db_path = tmp_path / "newstui.db"
    Store(db_path).close()
    async with Refresher(db_path, FAST, clock=Clock(), spare_a_core=reader) as refresher:
        (size,) = await refresher.context.db(
            lambda store: store._db.execute("PRAGMA cache_size").fetchone()
        )
    assert size == (-READER_REFRESH_CACHE_KIB if reader else -2000)
