"""Full-text feeds: a page that fails is recorded, not fetched again on every refresh, and
retried after a back-off (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newstui.core.config import Settings
from newstui.core.models import FeedSpec
from newstui.feeds.refresh import Refresher
from newstui.store import Store
from tests.support.httpserver import HTTPServer, Response

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RSS = {"Content-Type": "application/rss+xml"}


async def refresh(db: Path, spec: FeedSpec, at: datetime) -> None:
    settings = Settings(parse_workers=1, timeout=5.0)
    async with Refresher(db, settings, clock=lambda: at) as refresher:
        [update async for update in refresher.run([spec], force=True)]


async def test_a_failed_page_waits_then_is_retried(http_server: HTTPServer, tmp_path) -> None:
    story = http_server.route("/story", Response(500, {}, b"down"))
    rss = (
        "<rss version='2.0'><channel><title>F</title>"
        f"<item><guid>1</guid><title>Ferries</title><link>{story}</link></item>"
        "</channel></rss>"
    ).encode()
    spec = FeedSpec(http_server.route("/feed.xml", Response(200, RSS, rss)), full_text=True)
    db = tmp_path / "db.sqlite"
    with Store(db) as store:
        store.sync_feeds([spec], now=T0)

    await refresh(db, spec, T0)
    with Store(db) as store:
        [entry_id] = store.entry_ids()
        failed = store.full_text(entry_id)
    assert failed is not None and failed.html is None and "500" in (failed.error or "")
    tries = [T0 + timedelta(minutes=m) for m in (10, 50)]  # within the first hour: not again
    for at in tries:
        await refresh(db, spec, at)
    assert len(http_server.requests_to("/story")) == 1

    page = "<html><body><article><h1>Ferries</h1>" + "<p>The ferry runs again.</p>" * 20
    http_server.route("/story", Response(200, {"Content-Type": "text/html"}, page.encode()))
    await refresh(db, spec, T0 + timedelta(minutes=61))
    assert len(http_server.requests_to("/story")) == 2
    with Store(db) as store:
        fetched = store.full_text(entry_id)
    assert fetched is not None and "The ferry runs again." in (fetched.html or "")
    await refresh(db, spec, T0 + timedelta(hours=5))
    assert len(http_server.requests_to("/story")) == 2  # a page that worked is kept


def test_back_off_doubles_and_gives_up_after_a_week(tmp_path) -> None:
    from newstui.core.models import ParsedEntry, ParsedFeed

    db = tmp_path / "db.sqlite"
    url = "https://example.org/feed.xml"
    with Store(db) as store:
        store.sync_feeds([FeedSpec(url, full_text=True)], now=T0)
        entry = ParsedEntry(guid="1", title="t", link="https://example.org/1")
        store.save_fetch(
            url, ParsedFeed(format="rss20", title="F", entries=(entry,)), now=T0,
            etag=None, last_modified=None, body_hash=None, next_due_at=T0,
        )  # fmt: skip
        [entry_id] = store.entry_ids()

        def due(attempt: datetime, at: datetime) -> bool:
            store.save_full_text(entry_id, entry.link, html=None, error="HTTP 500", now=attempt)
            return store.entries_missing_full_text(url, at, 5, now=at) == [entry_id]

        assert not due(T0, T0 + timedelta(minutes=59))
        assert due(T0, T0 + timedelta(minutes=60))
        # Tried at 3 h: the entry had waited 3 h, so the next try is 3 h later, not 1 h.
        assert not due(T0 + timedelta(hours=3), T0 + timedelta(hours=5))
        assert due(T0 + timedelta(hours=3), T0 + timedelta(hours=6))
        assert not due(T0 + timedelta(days=6), T0 + timedelta(days=8))  # given up
