"""The refresh end to end: a real HTTP server on 127.0.0.1 → `Refresher` → a real SQLite file.

Each test plays a scene a user lives through (a feed updates, a site goes down, a publisher
asks us to slow down, a feed moves) and checks what they would see afterwards in the store:
entries, read marks, bookmarks, the error shown on the feed and when it is fetched next.
The clock is fixed, so schedule times are compared exactly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from newstui.core.config import Settings
from newstui.core.models import (
    Entry,
    Feed,
    FeedSpec,
    FeedState,
    FeedUpdate,
    ParsedEntry,
    ParsedFeed,
    UpdateStatus,
)
from newstui.feeds import parse_lanes
from newstui.feeds.parse_worker import NICENESS
from newstui.feeds.refresh import Refresher, plan_refresh, summarise
from newstui.feeds.sources.http import TOUCH_BATCH
from newstui.store import Store
from tests.support.httpserver import Request, Response, hang

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=30)
FAST = Settings(parse_workers=1, timeout=5.0, concurrency=8)
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM_TYPE = {"Content-Type": "application/atom+xml; charset=utf-8"}
JSON_TYPE = {"Content-Type": "application/feed+json"}
CONTROL_CHARS = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\n", "\t"}


# --- feed documents -------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str
    title: str = ""
    text: str = "Body"
    days_old: float = 1

    @property
    def published(self) -> datetime:
        return NOW - timedelta(days=self.days_old)


def rss(*items: Item, title: str = "Example RSS", extra: str = "") -> bytes:
    body = "".join(
        f"<item><guid isPermaLink='false'>{escape(item.id)}</guid>"
        f"<title>{escape(item.title or 'Entry ' + item.id)}</title>"
        f"<link>https://example.org/{escape(item.id)}</link>"
        f"<description>{escape(item.text)}</description>"
        f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate></item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.org/</link>{extra}"
        f"{body}</channel></rss>"
    ).encode()


def atom(*items: Item, title: str = "Example Atom") -> bytes:
    body = "".join(
        f"<entry><id>urn:x:{escape(item.id)}</id><title>{escape(item.title or item.id)}</title>"
        f'<link href="https://example.org/atom/{escape(item.id)}"/>'
        f"<updated>{item.published.isoformat()}</updated>"
        f'<content type="html">{escape(item.text)}</content></entry>'
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:x:feed</id>"
        f"<updated>{NOW.isoformat()}</updated>{body}</feed>"
    ).encode()


def json_feed(*items: Item, title: str = "Example JSON") -> bytes:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": "https://example.org/",
        "items": [
            {
                "id": item.id,
                "title": item.title or item.id,
                "url": f"https://example.org/json/{item.id}",
                "content_html": item.text,
                "date_published": item.published.isoformat(),
            }
            for item in items
        ],
    }
    return json.dumps(document).encode()


HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Welcome</title></head>"
    b"<body><h1>Our new website</h1></body></html>"
)


# --- running refreshes and looking at the result ---------------------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


async def refresh(
    db_path: Path,
    specs: Sequence[FeedSpec],
    *,
    settings: Settings = FAST,
    clock: Callable[[], datetime] | None = None,
    force: bool = False,
    on_refresher: Callable[[Refresher], None] | None = None,
) -> dict[str, FeedUpdate]:
    """What `newstui refresh` does: sync the feed list, refresh, collect one update per feed."""
    clock = clock or Clock()
    with Store(db_path) as store:
        store.sync_feeds(specs, now=clock())
    async with Refresher(db_path, settings, clock=clock) as refresher:
        updates = [update async for update in refresher.run(specs, force=force)]
        if on_refresher:
            on_refresher(refresher)
    by_url = {update.url: update for update in updates}
    assert len(by_url) == len(updates), "each feed reports exactly once"
    return by_url


def stored_feeds(db_path: Path, *, include_hidden: bool = False) -> dict[str, Feed]:
    with Store(db_path) as store:
        return {feed.url: feed for feed in store.feeds(include_hidden=include_hidden)}


def stored_entries(db_path: Path, feed_url: str | None = None) -> dict[str, Entry]:
    with Store(db_path) as store:
        return {entry.guid: entry for entry in store.entries(feed_url)}


def entry_rows(db_path: Path) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT id, feed_url, guid, title, content_hash, read, bookmarked FROM entries"
            " ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def watch_entry_writes(db_path: Path) -> Callable[[], int]:
    """Count every INSERT, UPDATE and DELETE on `entries` from now on, by any connection."""
    db = sqlite3.connect(db_path)
    db.executescript(
        """
        CREATE TABLE test_entry_writes (n INTEGER NOT NULL);
        INSERT INTO test_entry_writes VALUES (0);
        CREATE TRIGGER test_entry_insert AFTER INSERT ON entries
            BEGIN UPDATE test_entry_writes SET n = n + 1; END;
        CREATE TRIGGER test_entry_update AFTER UPDATE ON entries
            BEGIN UPDATE test_entry_writes SET n = n + 1; END;
        CREATE TRIGGER test_entry_delete AFTER DELETE ON entries
            BEGIN UPDATE test_entry_writes SET n = n + 1; END;
        """
    )
    db.close()

    def count() -> int:
        reader = sqlite3.connect(db_path)
        try:
            return reader.execute("SELECT n FROM test_entry_writes").fetchone()[0]
        finally:
            reader.close()

    return count


def set_user_state(db_path: Path, *, read: Sequence[int] = (), bookmarked: Sequence[int] = ()):
    with Store(db_path) as store:
        store.set_read(read, True, now=NOW)
        store.set_bookmarked(bookmarked, True, now=NOW)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newstui.db"


# --- first refresh --------------------------------------------------------------------------


async def test_first_refresh_stores_entries_of_rss_atom_and_json_feed(http_server, db_path):
    specs = [
        FeedSpec(http_server.route("/rss", Response(200, RSS_TYPE, rss(Item("a"), Item("b"))))),
        FeedSpec(http_server.route("/atom", Response(200, ATOM_TYPE, atom(*map(Item, "xyz"))))),
        FeedSpec(http_server.route("/json", Response(200, JSON_TYPE, json_feed(Item("j"))))),
    ]

    updates = await refresh(db_path, specs)

    assert {url: (u.status, u.new, u.updated) for url, u in updates.items()} == {
        specs[0].url: (UpdateStatus.NEW, 2, 0),
        specs[1].url: (UpdateStatus.NEW, 3, 0),
        specs[2].url: (UpdateStatus.NEW, 1, 0),
    }
    assert summarise(updates.values()) == {
        "feeds": 3,
        "new": 6,
        "updated": 0,
        "errors": 0,
        "not-modified": 0,
    }
    feeds = stored_feeds(db_path)
    assert [feeds[s.url].title for s in specs] == ["Example RSS", "Example Atom", "Example JSON"]
    assert all(f.last_ok_at == NOW and f.last_error is None for f in feeds.values())
    assert all(f.next_due_at == NOW + INTERVAL for f in feeds.values())
    assert [(f.total, f.unread) for f in feeds.values()] == [(2, 2), (3, 3), (1, 1)]
    rss_entries = stored_entries(db_path, specs[0].url)
    assert rss_entries["a"].title == "Entry a"
    assert rss_entries["a"].link == "https://example.org/a"
    assert rss_entries["a"].published_at == Item("a").published
    assert "Body" in (rss_entries["a"].summary_html or rss_entries["a"].content_html or "")
    assert set(stored_entries(db_path, specs[1].url)) == {"urn:x:x", "urn:x:y", "urn:x:z"}
    assert stored_entries(db_path, specs[2].url)["j"].link == "https://example.org/json/j"


# --- nothing new: 304s and identical bodies -------------------------------------------------


async def test_etag_gives_304_and_no_entry_is_rewritten(http_server, db_path):
    body = rss(Item("a"), Item("b"))

    def answer(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, {"ETag": '"v1"'})
        return Response(200, {**RSS_TYPE, "ETag": '"v1"'}, body)

    spec = FeedSpec(http_server.route("/feed", answer))
    clock = Clock()
    assert (await refresh(db_path, [spec], clock=clock))[spec.url].status is UpdateStatus.NEW
    rows_before = entry_rows(db_path)
    writes = watch_entry_writes(db_path)
    clock.advance(timedelta(hours=1))

    update = (await refresh(db_path, [spec], clock=clock))[spec.url]

    assert update.status is UpdateStatus.NOT_MODIFIED
    assert (update.new, update.updated) == (0, 0)
    second = http_server.requests_to("/feed")[1]
    assert second.headers["if-none-match"] == '"v1"'
    assert writes() == 0
    assert entry_rows(db_path) == rows_before
    feed = stored_feeds(db_path)[spec.url]
    assert feed.last_ok_at == clock.now, "a 304 counts as a successful check"
    assert feed.next_due_at == clock.now + INTERVAL


async def test_every_304_is_recorded_however_many_share_a_write(http_server, db_path):
    """304s are written in batches: a refresh of more than a batch still records every
    feed as checked, so none is asked again before it is due."""

    def answer(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304)
        return Response(200, {**RSS_TYPE, "ETag": '"v1"'}, rss(Item("a")))

    specs = [FeedSpec(http_server.route(f"/f{i}", answer)) for i in range(TOUCH_BATCH + 1)]
    clock = Clock()
    await refresh(db_path, specs, clock=clock)
    clock.advance(timedelta(hours=1))

    updates = await refresh(db_path, specs, clock=clock)

    assert {u.status for u in updates.values()} == {UpdateStatus.NOT_MODIFIED}
    feeds = stored_feeds(db_path)
    assert {(feeds[s.url].last_ok_at, feeds[s.url].next_due_at) for s in specs} == {
        (clock.now, clock.now + INTERVAL)
    }


async def test_last_modified_gives_304_and_no_entry_is_rewritten(http_server, db_path):
    stamp = "Sat, 28 Feb 2026 09:00:00 GMT"

    def answer(request: Request) -> Response:
        if request.headers.get("if-modified-since") == stamp:
            return Response(304)
        return Response(200, {**RSS_TYPE, "Last-Modified": stamp}, rss(Item("a")))

    spec = FeedSpec(http_server.route("/feed", answer))
    await refresh(db_path, [spec])
    rows_before = entry_rows(db_path)
    writes = watch_entry_writes(db_path)

    update = (await refresh(db_path, [spec], force=True))[spec.url]

    assert update.status is UpdateStatus.NOT_MODIFIED
    assert http_server.requests_to("/feed")[1].headers["if-modified-since"] == stamp
    assert "if-none-match" not in http_server.requests_to("/feed")[1].headers
    assert writes() == 0
    assert entry_rows(db_path) == rows_before


async def test_a_304_keeps_the_etag_so_the_next_refresh_is_conditional_too(http_server, db_path):
    def answer(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304)  # many servers send no validator with a 304
        return Response(200, {**RSS_TYPE, "ETag": '"v1"'}, rss(Item("a")))

    spec = FeedSpec(http_server.route("/feed", answer))
    statuses = [(await refresh(db_path, [spec], force=True))[spec.url].status for _ in range(3)]

    # Forgetting the ETag on a 304 would make every other refresh download the whole feed.
    assert statuses == [UpdateStatus.NEW, UpdateStatus.NOT_MODIFIED, UpdateStatus.NOT_MODIFIED]
    third = http_server.requests_to("/feed")[2].headers
    assert third.get("if-none-match") == '"v1"'


async def test_a_feed_with_etag_and_last_modified_gets_both_conditions(http_server, db_path):
    stamp = "Sat, 28 Feb 2026 09:00:00 GMT"

    def answer(request: Request) -> Response:
        if "if-none-match" in request.headers or "if-modified-since" in request.headers:
            return Response(304)
        return Response(200, {**RSS_TYPE, "ETag": '"v1"', "Last-Modified": stamp}, rss(Item("a")))

    spec = FeedSpec(http_server.route("/feed", answer))
    for _ in range(3):
        await refresh(db_path, [spec], force=True)

    # Both, every time: some servers check only the date, others only the ETag.
    for request in http_server.requests_to("/feed")[1:]:
        conditions = {k: v for k, v in request.headers.items() if k.startswith("if-")}
        assert conditions == {"if-none-match": '"v1"', "if-modified-since": stamp}


async def test_identical_body_without_validators_is_not_modified_without_parsing(
    http_server, db_path
):
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a")))))
    await refresh(db_path, [spec])
    writes = watch_entry_writes(db_path)

    update = (await refresh(db_path, [spec], force=True))[spec.url]

    # UNCHANGED would mean the body was parsed and compared entry by entry.
    assert update.status is UpdateStatus.NOT_MODIFIED
    second = http_server.requests_to("/feed")[1].headers
    assert "if-none-match" not in second and "if-modified-since" not in second
    assert writes() == 0


async def test_new_bytes_with_the_same_entries_are_unchanged_and_write_no_entry(
    http_server, db_path
):
    url = http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a"), Item("b"))))
    spec = FeedSpec(url)
    await refresh(db_path, [spec])
    writes = watch_entry_writes(db_path)
    build_date = f"<lastBuildDate>{format_datetime(NOW, usegmt=True)}</lastBuildDate>"
    http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a"), Item("b"), extra=build_date)))

    update = (await refresh(db_path, [spec], force=True))[spec.url]

    assert update.status is UpdateStatus.UNCHANGED
    assert writes() == 0


# --- changed entries keep the user's state --------------------------------------------------


async def test_edited_entry_is_updated_and_keeps_read_and_bookmark(http_server, db_path):
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a"), Item("b")))))
    await refresh(db_path, [spec])
    before = stored_entries(db_path)
    set_user_state(db_path, read=[before["a"].id], bookmarked=[before["a"].id])
    edited = Item("a", title="Entry a (corrected)", text="Fixed body")
    http_server.route("/feed", Response(200, RSS_TYPE, rss(edited, Item("b"))))

    update = (await refresh(db_path, [spec], force=True))[spec.url]

    assert (update.status, update.new, update.updated) == (UpdateStatus.UPDATED, 0, 1)
    after = stored_entries(db_path)
    assert after["a"].id == before["a"].id
    assert after["a"].title == "Entry a (corrected)"
    assert "Fixed body" in (after["a"].summary_html or "") + (after["a"].content_html or "")
    assert after["a"].read and after["a"].bookmarked
    assert not after["b"].read and not after["b"].bookmarked
    feed = stored_feeds(db_path)[spec.url]
    assert (feed.total, feed.unread, feed.bookmarks) == (2, 1, 1)


async def test_new_entry_next_to_read_ones_is_new_and_unread(http_server, db_path):
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a")))))
    await refresh(db_path, [spec])
    set_user_state(db_path, read=[stored_entries(db_path)["a"].id])
    http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("c", days_old=0), Item("a"))))

    update = (await refresh(db_path, [spec], force=True))[spec.url]

    assert (update.status, update.new, update.updated) == (UpdateStatus.NEW, 1, 0)
    entries = stored_entries(db_path)
    assert entries["a"].read and not entries["c"].read


# --- broken feeds ---------------------------------------------------------------------------


async def test_one_broken_feed_never_affects_the_others(http_server, db_path):
    good = [
        FeedSpec(http_server.route("/good1", Response(200, RSS_TYPE, rss(Item("a"))))),
        FeedSpec(http_server.route("/good2", Response(200, ATOM_TYPE, atom(Item("b"))))),
    ]
    broken = {
        http_server.url("/missing"): "HTTP 404 Not Found",
        http_server.route("/hang", hang()): "timed out after 2 s",
        http_server.route(
            "/garbage", Response(200, RSS_TYPE, b"\x00\x01 this is not XML {{{ \xff\xfe")
        ): "not a valid feed: ",
        http_server.route(
            "/html", Response(200, {"Content-Type": "text/html"}, HTML_PAGE)
        ): "not a feed: the address serves an HTML page",
        http_server.route("/empty", Response(200, RSS_TYPE, b"")): "empty response",
    }
    specs = [good[0], *(FeedSpec(url) for url in broken), good[1]]
    # The deadline covers the wait for a cold parse worker too, so it leaves room for the
    # worker's start on a loaded machine; only the hanging feed should reach it.
    settings = Settings(parse_workers=1, timeout=2.0, concurrency=8)

    updates = await refresh(db_path, specs, settings=settings)

    assert set(updates) == {spec.url for spec in specs}
    for spec in good:
        assert (updates[spec.url].status, updates[spec.url].new) == (UpdateStatus.NEW, 1)
    feeds = stored_feeds(db_path)
    for url, message in broken.items():
        assert updates[url].status is UpdateStatus.ERROR
        assert updates[url].error.startswith(message), updates[url].error
        assert feeds[url].last_error == updates[url].error
        assert feeds[url].failures == 1
        assert feeds[url].last_ok_at is None
        assert "Traceback" not in feeds[url].last_error and "\n" not in feeds[url].last_error
    for spec in good:
        assert feeds[spec.url].last_error is None
        assert feeds[spec.url].total == 1
    assert summarise(updates.values())["errors"] == len(broken)


async def test_html_page_that_links_its_feed_says_where_the_feed_is(http_server, db_path):
    page = (
        b"<!DOCTYPE html><html><head>"
        b'<link rel="alternate" type="application/rss+xml" href="/blog/feed.xml">'
        b"</head><body>Blog</body></html>"
    )
    url = http_server.route("/blog", Response(200, {"Content-Type": "text/html"}, page))

    update = (await refresh(db_path, [FeedSpec(url)]))[url]

    assert update.status is UpdateStatus.ERROR
    assert http_server.url("/blog/feed.xml") in update.error
    assert stored_feeds(db_path)[url].last_error == update.error


async def test_a_failure_keeps_earlier_entries_and_user_state(http_server, db_path):
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a")))))
    await refresh(db_path, [spec])
    entry = stored_entries(db_path)["a"]
    set_user_state(db_path, read=[entry.id], bookmarked=[entry.id])
    http_server.route("/feed", Response(500, {}, b"oops"))

    update = (await refresh(db_path, [spec], force=True))[spec.url]

    assert update.status is UpdateStatus.ERROR
    assert update.error == "HTTP 500 Internal Server Error"
    after = stored_entries(db_path)["a"]
    assert (after.id, after.read, after.bookmarked) == (entry.id, True, True)
    feed = stored_feeds(db_path)[spec.url]
    assert feed.title == "Example RSS", "the last good title stays"
    assert feed.last_ok_at == NOW and feed.last_error == "HTTP 500 Internal Server Error"


# --- politeness: Retry-After, backoff, intervals --------------------------------------------


async def test_429_retry_after_delays_the_next_fetch_by_an_hour(http_server, db_path):
    url = http_server.route("/feed", Response(429, {"Retry-After": "3600"}, b"slow down"))
    spec = FeedSpec(url)
    clock = Clock()

    update = (await refresh(db_path, [spec], clock=clock))[url]

    assert update.status is UpdateStatus.ERROR
    assert update.error == "HTTP 429 Too Many Requests"
    assert stored_feeds(db_path)[url].next_due_at == NOW + timedelta(hours=1)

    clock.advance(timedelta(minutes=59))
    assert await refresh(db_path, [spec], clock=clock) == {}
    assert len(http_server.requests_to("/feed")) == 1, "no request before Retry-After passed"

    clock.advance(timedelta(minutes=1))
    assert (await refresh(db_path, [spec], clock=clock))[url].status is UpdateStatus.ERROR
    assert len(http_server.requests_to("/feed")) == 2


async def test_failures_back_off_and_success_resets_the_backoff(http_server, db_path):
    url = http_server.route("/feed", Response(503, {}, b"down"))
    spec = FeedSpec(url)
    clock = Clock()

    waits = []
    for _ in range(4):
        update = (await refresh(db_path, [spec], clock=clock))[url]
        assert update.status is UpdateStatus.ERROR
        feed = stored_feeds(db_path)[url]
        waits.append(feed.next_due_at - clock.now)
        clock.now = feed.next_due_at  # come back exactly when due
    assert waits == [INTERVAL, 2 * INTERVAL, 4 * INTERVAL, 8 * INTERVAL]
    assert stored_feeds(db_path)[url].failures == 4

    http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a"))))
    assert (await refresh(db_path, [spec], clock=clock))[url].status is UpdateStatus.NEW
    feed = stored_feeds(db_path)[url]
    assert (feed.failures, feed.last_error, feed.last_ok_at) == (0, None, clock.now)
    assert feed.next_due_at == clock.now + INTERVAL

    clock.now = feed.next_due_at
    http_server.route("/feed", Response(503, {}, b"down again"))
    await refresh(db_path, [spec], clock=clock)
    feed = stored_feeds(db_path)[url]
    assert feed.failures == 1
    assert feed.next_due_at == clock.now + INTERVAL, "backoff starts over after a success"


async def test_feed_interval_and_publisher_ttl_set_the_next_fetch(http_server, db_path):
    hourly = FeedSpec(
        http_server.route("/hourly", Response(200, RSS_TYPE, rss(Item("a")))),
        refresh_interval=timedelta(hours=1),
    )
    ttl = FeedSpec(
        http_server.route("/ttl", Response(200, RSS_TYPE, rss(Item("b"), extra="<ttl>180</ttl>")))
    )
    cached = FeedSpec(
        http_server.route(
            "/cached",
            Response(200, {**RSS_TYPE, "Cache-Control": "max-age=31536000"}, rss(Item("c"))),
        )
    )

    await refresh(db_path, [hourly, ttl, cached])

    feeds = stored_feeds(db_path)
    assert feeds[hourly.url].next_due_at == NOW + timedelta(hours=1)
    assert feeds[ttl.url].next_due_at == NOW + timedelta(hours=3)
    assert feeds[cached.url].next_due_at == NOW + timedelta(days=1), "a year is capped at a day"


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_is_recorded_and_followed_directly(http_server, db_path, status):
    new_url = http_server.route("/new", Response(200, RSS_TYPE, rss(Item("a"))))
    old_url = http_server.route("/old", Response(status, {"Location": new_url}))
    spec = FeedSpec(old_url)

    update = (await refresh(db_path, [spec]))[old_url]

    assert (update.status, update.new) == (UpdateStatus.NEW, 1)
    feed = stored_feeds(db_path)[old_url]
    assert feed.moved_to == new_url
    assert set(stored_entries(db_path, old_url)) == {"a"}, "entries stay with the listed feed"

    http_server.route("/new", Response(200, RSS_TYPE, rss(Item("b", days_old=0), Item("a"))))
    update = (await refresh(db_path, [spec], force=True))[old_url]

    assert (update.status, update.new) == (UpdateStatus.NEW, 1)
    assert len(http_server.requests_to("/old")) == 1, "the old address is not asked again"
    assert len(http_server.requests_to("/new")) == 2
    assert stored_feeds(db_path)[old_url].moved_to == new_url


async def test_temporary_redirect_is_not_recorded(http_server, db_path):
    new_url = http_server.route("/new", Response(200, RSS_TYPE, rss(Item("a"))))
    old_url = http_server.route("/old", Response(302, {"Location": new_url}))
    spec = FeedSpec(old_url)

    await refresh(db_path, [spec])
    await refresh(db_path, [spec], force=True)

    assert stored_feeds(db_path)[old_url].moved_to is None
    assert len(http_server.requests_to("/old")) == 2


async def test_permanent_redirect_to_the_same_content_is_recorded(http_server, db_path):
    body = rss(Item("a"))
    old_url = http_server.route("/old", Response(200, RSS_TYPE, body))
    spec = FeedSpec(old_url)
    await refresh(db_path, [spec])
    # The site moves its feed; the content is the same.
    new_url = http_server.route("/new", Response(200, RSS_TYPE, body))
    http_server.route("/old", Response(301, {"Location": new_url}))

    update = (await refresh(db_path, [spec], force=True))[old_url]

    assert update.status is UpdateStatus.NOT_MODIFIED
    assert stored_feeds(db_path)[old_url].moved_to == new_url


# --- planning -------------------------------------------------------------------------------


def test_plan_refresh_picks_due_and_never_fetched_feeds_in_list_order() -> None:
    specs = [FeedSpec(f"https://example.org/{name}") for name in "abcde"]
    states = {
        specs[0].url: FeedState(specs[0].url, next_due_at=NOW + timedelta(minutes=1)),
        specs[1].url: FeedState(specs[1].url, next_due_at=NOW - timedelta(minutes=1)),
        specs[2].url: FeedState(specs[2].url, next_due_at=NOW),
        specs[3].url: FeedState(specs[3].url, next_due_at=None),
        # specs[4] has no state at all: never seen
    }

    assert plan_refresh(specs, states, NOW) == specs[1:]
    assert plan_refresh(specs, states, NOW, force=True) == specs
    assert plan_refresh([], states, NOW, force=True) == []


async def test_refresh_skips_feeds_not_due_and_force_fetches_all(http_server, db_path):
    fast = FeedSpec(
        http_server.route("/fast", Response(200, RSS_TYPE, rss(Item("a")))),
        refresh_interval=timedelta(minutes=10),
    )
    slow = FeedSpec(http_server.route("/slow", Response(200, RSS_TYPE, rss(Item("b")))))
    clock = Clock()
    assert set(await refresh(db_path, [fast, slow], clock=clock)) == {fast.url, slow.url}

    assert await refresh(db_path, [fast, slow], clock=clock) == {}
    clock.advance(timedelta(minutes=10))
    assert set(await refresh(db_path, [fast, slow], clock=clock)) == {fast.url}
    assert set(await refresh(db_path, [fast, slow], clock=clock, force=True)) == {
        fast.url,
        slow.url,
    }
    assert len(http_server.requests_to("/fast")) == 3
    assert len(http_server.requests_to("/slow")) == 2


# --- the feed list changes ------------------------------------------------------------------


async def test_removed_feed_is_hidden_and_returns_with_its_read_state(http_server, db_path):
    kept = FeedSpec(http_server.route("/kept", Response(200, RSS_TYPE, rss(Item("k")))))
    removed = FeedSpec(
        http_server.route("/removed", Response(200, ATOM_TYPE, atom(Item("r1"), Item("r2")))),
        title="My Removed Feed",
    )
    await refresh(db_path, [kept, removed])
    entries = stored_entries(db_path, removed.url)
    set_user_state(db_path, read=[entries["urn:x:r1"].id], bookmarked=[entries["urn:x:r2"].id])

    await refresh(db_path, [kept], force=True)

    assert list(stored_feeds(db_path)) == [kept.url]
    assert set(stored_entries(db_path)) == {"k"}, "a hidden feed's entries are not listed"
    assert stored_feeds(db_path, include_hidden=True)[removed.url].hidden
    assert len(http_server.requests_to("/removed")) == 1, "a hidden feed is not fetched"

    await refresh(db_path, [kept, removed], force=True)

    feeds = stored_feeds(db_path)
    assert list(feeds) == [kept.url, removed.url]
    assert feeds[removed.url].title == "My Removed Feed"
    back = stored_entries(db_path, removed.url)
    assert back["urn:x:r1"].read and not back["urn:x:r1"].bookmarked
    assert back["urn:x:r2"].bookmarked and not back["urn:x:r2"].read
    assert (feeds[removed.url].unread, feeds[removed.url].bookmarks) == (1, 1)


async def test_retention_prunes_only_read_unbookmarked_old_entries_the_feed_dropped(
    http_server, db_path
):
    old = 60  # days; retention is 30
    first = rss(
        Item("read-old-dropped", days_old=old),
        Item("bookmarked-old-dropped", days_old=old),
        Item("unread-old-dropped", days_old=old),
        Item("read-old-listed", days_old=old),
        Item("read-recent-dropped", days_old=2),
    )
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, first)))
    settings = Settings(parse_workers=1, retention_days=30)
    await refresh(db_path, [spec], settings=settings)
    ids = {key: entry.id for key, entry in stored_entries(db_path).items()}
    set_user_state(
        db_path,
        read=[
            ids["read-old-dropped"],
            ids["bookmarked-old-dropped"],
            ids["read-old-listed"],
            ids["read-recent-dropped"],
        ],
        bookmarked=[ids["bookmarked-old-dropped"]],
    )
    second = rss(Item("fresh", days_old=0), Item("read-old-listed", days_old=old))
    http_server.route("/feed", Response(200, RSS_TYPE, second))

    await refresh(db_path, [spec], settings=settings, force=True)

    assert set(stored_entries(db_path)) == {
        "fresh",
        "read-old-listed",  # still in the feed: pruning it would bring it back unread
        "bookmarked-old-dropped",
        "unread-old-dropped",
        "read-recent-dropped",
    }


async def test_without_retention_nothing_is_pruned(http_server, db_path):
    spec = FeedSpec(
        http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("x", days_old=900))))
    )
    await refresh(db_path, [spec])
    set_user_state(db_path, read=[stored_entries(db_path)["x"].id])
    http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("y"))))

    await refresh(db_path, [spec], force=True)

    assert set(stored_entries(db_path)) == {"x", "y"}


# --- parsing in a thread or in worker processes ---------------------------------------------


async def test_feeds_are_fetched_and_parsed_while_the_database_writer_is_busy(
    http_server, db_path, monkeypatch
):
    # The writer thread is busy for a while in every big refresh (a search-index batch); the
    # feeds fetched meanwhile must not hold every fetch slot waiting for it.
    specs = [
        FeedSpec(http_server.route(f"/f{i}", Response(200, RSS_TYPE, rss(Item(f"e{i}")))))
        for i in range(8)
    ]
    save_fetch = Store.save_fetch
    fetched_while_busy: list[int] = []

    def slow_first_write(store: Store, *args: object, **kwargs: object) -> tuple[int, int]:
        if not fetched_while_busy:  # the first write: wait until every feed has been asked
            deadline = time.monotonic() + 10
            while len(http_server.requests) < len(specs) and time.monotonic() < deadline:
                time.sleep(0.01)
            fetched_while_busy.append(len(http_server.requests))
        return save_fetch(store, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "save_fetch", slow_first_write)
    settings = Settings(parse_workers=1, timeout=30.0, concurrency=2)

    updates = await refresh(db_path, specs, settings=settings)

    assert fetched_while_busy == [len(specs)], "the other feeds waited for the writer"
    assert [updates[spec.url].new for spec in specs] == [1] * len(specs)


@pytest.mark.parametrize("mode", ["process", "thread"])
async def test_parsing_in_a_worker_process_or_a_thread_gives_the_same_store(
    http_server, db_path, monkeypatch, mode
):
    if mode == "thread":  # where processes cannot be started, threads parse instead

        def no_processes(*_: object) -> None:
            raise OSError("cannot start processes here")

        monkeypatch.setattr(parse_lanes, "_Worker", no_processes)
    specs = [
        FeedSpec(http_server.route("/rss", Response(200, RSS_TYPE, rss(Item("a"), Item("b"))))),
        FeedSpec(http_server.route("/atom", Response(200, ATOM_TYPE, atom(Item("c"))))),
        FeedSpec(http_server.route("/json", Response(200, JSON_TYPE, json_feed(Item("d"))))),
        FeedSpec(http_server.route("/bad", Response(200, RSS_TYPE, b"\x00\x01 not XML {{{ \xff"))),
    ]
    used: list[str] = []

    updates = await refresh(
        db_path,
        specs,
        settings=Settings(parse_workers=2),
        on_refresher=lambda refresher: used.append(refresher.context.parser.mode),
    )

    assert used == [mode], "the test exercises the way of parsing it names"
    assert [(updates[s.url].status, updates[s.url].new) for s in specs[:3]] == [
        (UpdateStatus.NEW, 2),
        (UpdateStatus.NEW, 1),
        (UpdateStatus.NEW, 1),
    ]
    # A parse error crosses the process boundary as the same one-line message.
    assert updates[specs[3].url].status is UpdateStatus.ERROR
    assert updates[specs[3].url].error.startswith("not a valid feed: ")
    assert set(stored_entries(db_path)) == {"a", "b", "urn:x:c", "d"}


async def test_the_default_settings_refresh_works(http_server, db_path):
    """`Settings()` as a user without a [settings] table gets it: one parser per core."""
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a")))))

    updates = await refresh(db_path, [spec], settings=Settings())

    assert (updates[spec.url].status, updates[spec.url].new) == (UpdateStatus.NEW, 1)


@pytest.mark.parametrize(
    ("in_the_reader", "above_ours"), [(True, NICENESS), (False, 0)], ids=["reader", "headless"]
)
async def test_parse_workers_yield_the_cpu_only_in_the_reader(
    http_server, db_path, in_the_reader, above_ours
):
    """In the reader, parse workers run at a lower priority, so keys win the CPU over parsing.
    `newstui refresh` has no keys to wait for: its workers run at the command's own priority
    (niced, they lost both cores to every other program on a busy machine)."""
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a")))))
    with Store(db_path) as store:
        store.sync_feeds([spec], now=Clock()())
    async with Refresher(db_path, Settings(parse_workers=2), spare_a_core=in_the_reader) as r:
        [update] = [u async for u in r.run([spec], force=True)]
        pids = r.context.parser.pids
        niceness = {os.getpriority(os.PRIO_PROCESS, pid) for pid in pids}

    assert update.status is UpdateStatus.NEW
    assert pids and niceness == {min(os.nice(0) + above_ours, 19)}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
async def test_the_reader_leaves_a_core_for_itself(http_server, db_path):
    """In the reader, parsing uses one core fewer, so keys and drawing keep a core of their own."""
    spec = FeedSpec(http_server.route("/feed", Response(200, RSS_TYPE, rss(Item("a")))))
    with Store(db_path) as store:
        store.sync_feeds([spec], now=Clock()())
    async with Refresher(db_path, Settings(), spare_a_core=True) as refresher:
        [update] = [u async for u in refresher.run([spec], force=True)]
        pool = refresher.context.parser

    assert update.status is UpdateStatus.NEW
    assert pool.mode == "process"
    assert pool.size == (os.cpu_count() or 1) - 1


# --- entry sources ----------------------------------------------------------------------------


async def test_a_second_source_refreshes_the_feeds_it_claims(http_server, db_path):
    """A sync server plugs in beside the feeds' own URLs: it gets the feeds it claims (and
    writes through the same store API), HTTP gets the rest, and the caller sees one stream."""
    polled = FeedSpec(http_server.route("/polled", Response(200, RSS_TYPE, rss(Item("a")))))
    remote = FeedSpec(http_server.url("/never-fetched"))
    clock = Clock()
    handed: list[list[str]] = []

    class ServerSource:
        def __init__(self, context):
            self.context = context

        def claims(self, spec, state):
            return spec.url == remote.url

        async def refresh(self, specs, states):
            handed.append([spec.url for spec in specs])
            for spec in specs:
                parsed = ParsedFeed("server", entries=(ParsedEntry("s1", "From the server"),))
                new, _ = await self.context.db(
                    lambda store, url=spec.url, parsed=parsed: store.save_fetch(
                        url,
                        parsed,
                        now=clock(),
                        etag=None,
                        last_modified=None,
                        body_hash=None,
                        next_due_at=clock(),
                    )
                )
                yield FeedUpdate(spec.url, UpdateStatus.NEW, new=new)

    with Store(db_path) as store:
        store.sync_feeds([polled, remote], now=clock())
    async with Refresher(db_path, FAST, clock=clock, sources=[ServerSource]) as refresher:
        updates = {u.url: u async for u in refresher.run([polled, remote], force=True)}

    assert handed == [[remote.url]]
    assert (updates[remote.url].new, updates[polled.url].new) == (1, 1)
    assert http_server.requests_to("/never-fetched") == []
    assert [e.title for e in stored_entries(db_path, remote.url).values()] == ["From the server"]


# --- hostile text ---------------------------------------------------------------------------


def assert_terminal_safe(text: str | None) -> None:
    assert text is not None
    assert not set(text) & CONTROL_CHARS, repr(text)
    assert "\u202e" not in text, repr(text)


async def test_hostile_titles_are_stored_clean(http_server, db_path):
    osc52 = "\x1b]52;c;cm0gLXJmIH4vKg==\x07"
    json_body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Evil{osc52} JSON\x1b[2J\x1b[H",
            "items": [
                {
                    "id": "1",
                    "title": "\x1b]0;pwned\x1b\\Window \u202etitle\x9b31m",
                    "authors": [{"name": "Mallory\x1b[5m"}],
                    "content_html": "<p>fine</p>",
                }
            ],
        }
    ).encode()
    rss_body = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        b"<title>Evil\x1b]52;c;aGk=\x07 RSS\x1b[31m</title>"
        b"<item><guid isPermaLink='false'>1</guid><title>Red\x1b[31m alert\x1b[0m</title></item>"
        b"</channel></rss>"
    )
    json_spec = FeedSpec(http_server.route("/json", Response(200, JSON_TYPE, json_body)))
    rss_spec = FeedSpec(http_server.route("/rss", Response(200, RSS_TYPE, rss_body)))

    updates = await refresh(db_path, [json_spec, rss_spec])

    assert {u.status for u in updates.values()} == {UpdateStatus.NEW}
    feeds = stored_feeds(db_path)
    assert feeds[json_spec.url].title == "Evil JSON"
    assert feeds[rss_spec.url].title == "Evil RSS"
    json_entry = stored_entries(db_path, json_spec.url)["1"]
    assert json_entry.title == "Window title"
    assert json_entry.author == "Mallory"
    assert stored_entries(db_path, rss_spec.url)["1"].title == "Red alert"
    for feed in feeds.values():
        assert_terminal_safe(feed.title)
        if feed.warning:
            assert_terminal_safe(feed.warning)


async def test_hostile_html_page_error_is_stored_clean(http_server, db_path):
    page = (
        b"<!DOCTYPE html><html><head>"
        b'<link rel="alternate" type="application/rss+xml" href="/f\x1b]52;c;aGk=\x07.xml">'
        b"</head><body>x</body></html>"
    )
    url = http_server.route("/page", Response(200, {"Content-Type": "text/html"}, page))

    update = (await refresh(db_path, [FeedSpec(url)]))[url]

    assert update.status is UpdateStatus.ERROR
    assert_terminal_safe(update.error)
    assert_terminal_safe(stored_feeds(db_path)[url].last_error)


def parse_workers_running() -> int:
    """This process's parse worker processes alive now (from /proc: what `ps` would show)."""
    count = 0
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as stat, open(f"/proc/{name}/cmdline", "rb") as cmd:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                if parent == os.getpid() and b"parse_worker" in cmd.read():
                    count += 1
        except (OSError, ValueError, IndexError):
            continue
    return count


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
async def test_feeds_never_fetched_start_their_parsers_while_they_download(http_server, db_path):
    """A first refresh will parse every feed: its workers start (and import the parser) while
    the first bodies download, not once the first one has arrived. A warm refresh answered
    304 throughout starts none."""
    while_downloading: list[int] = []

    def slow(request: Request) -> Response:
        if "if-none-match" in request.headers:
            while_downloading.append(parse_workers_running())
            return Response(304, {"ETag": '"v1"'})
        deadline = time.monotonic() + 10
        while parse_workers_running() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        while_downloading.append(parse_workers_running())
        return Response(200, {**RSS_TYPE, "ETag": '"v1"'}, rss(Item("a")))

    specs = [FeedSpec(http_server.route(f"/feed{i}", slow)) for i in range(2)]
    settings = Settings(parse_workers=2, concurrency=2)
    cold = await refresh(db_path, specs, settings=settings)
    assert [cold[spec.url].new for spec in specs] == [1, 1]
    assert while_downloading == [2, 2], "the workers started only once a body had arrived"

    while_downloading.clear()
    warm = await refresh(db_path, specs, settings=settings, force=True)
    assert {update.status for update in warm.values()} == {UpdateStatus.NOT_MODIFIED}
    assert while_downloading == [0, 0]
