"""Reader mode end to end: pages from a loopback server, the cache in the store, the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from newstui.core.config import Settings
from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.feeds.fetch import make_client
from newstui.feeds.fulltext import fetch_page
from newstui.store import Store
from tests.support.httpserver import Response

PAGES = Path(__file__).parent / "data" / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = "After an absence of eleven winters"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_article_is_extracted_and_boilerplate_dropped(http_server) -> None:
    url = http_server.route(
        "/news/ferry", Response(200, HTML, (PAGES / "boilerplate.html").read_bytes())
    )
    async with make_client(trust_env=False) as client:
        page = await fetch_page(url, Settings(timeout=5.0), client=client)
    assert page.error is None and page.html is not None
    assert ARTICLE in page.html
    assert "Share your story" not in page.html and "cookies" not in page.html
    [request] = http_server.requests_to("/news/ferry")
    assert request.headers["accept"].startswith("text/html")
    assert request.headers["user-agent"].startswith("newstui/")


async def test_failing_page_gives_a_message(http_server) -> None:
    broken = http_server.route("/broken", Response(500, HTML, b"oops"))
    empty = http_server.route("/login", Response(200, HTML, (PAGES / "login.html").read_bytes()))
    async with make_client(trust_env=False) as client:
        failed = await fetch_page(broken, Settings(timeout=5.0), client=client)
        nothing = await fetch_page(empty, Settings(timeout=5.0), client=client)
    assert failed.html is None and "500" in (failed.error or "")
    assert nothing.html is None and "no readable article" in (nothing.error or "")


def _read(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "feeds.toml"
    if not config.exists():
        config.write_text("", "utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "newstui",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "data"),
            "read",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_PROXY": "*"},
    )


def test_read_any_page_piped(http_server, tmp_path: Path) -> None:
    url = http_server.route(
        "/news/ferry", Response(200, HTML, (PAGES / "boilerplate.html").read_bytes())
    )
    done = _read(tmp_path, url)
    assert done.returncode == 0, done.stderr
    assert ARTICLE in done.stdout
    assert "\x1b[" not in done.stdout  # plain text when piped
    assert "Share your story" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines() if not line.startswith("[")) <= 80


def test_read_a_failing_page_is_one_line_and_exit_1(http_server, tmp_path: Path) -> None:
    url = http_server.route("/gone", Response(404, HTML, b"no"))
    done = _read(tmp_path, url)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "404" in done.stderr
    assert "Traceback" not in done.stderr


def test_read_full_text_of_a_stored_entry_is_cached(http_server, tmp_path: Path) -> None:
    url = http_server.route(
        "/news/ferry", Response(200, HTML, (PAGES / "boilerplate.html").read_bytes())
    )
    feed = "https://feed.example/rss"
    (tmp_path / "feeds.toml").write_text(f'[[feeds]]\nurl = "{feed}"\n', "utf-8")
    (tmp_path / "data").mkdir()
    with Store(tmp_path / "data" / "newstui.db") as store:
        store.sync_feeds([FeedSpec(feed)], now=NOW)
        entry = ParsedEntry("1", "Ferries are back", link=url, summary_html="<p>Short summary.</p>")
        store.save_fetch(
            feed,
            ParsedFeed("rss20", entries=(entry,)),
            now=NOW,
            etag=None,
            last_modified=None,
            body_hash=None,
            next_due_at=NOW,
        )
    plain = _read(tmp_path, url)
    assert "Short summary." in plain.stdout and ARTICLE not in plain.stdout  # the feed's text
    assert http_server.requests_to("/news/ferry") == []
    full = _read(tmp_path, url, "--full-text")
    assert ARTICLE in full.stdout and "Ferries are back" in full.stdout
    http_server.routes.clear()  # offline now: the cached page is used
    again = _read(tmp_path, url, "--full-text")
    assert again.returncode == 0 and ARTICLE in again.stdout
    assert len(http_server.requests_to("/news/ferry")) == 1


async def test_full_text_feeds_fetch_new_entries_in_the_background(http_server, tmp_path) -> None:
    from newstui.core.config import Settings
    from newstui.feeds.refresh import Refresher

    story = http_server.route(
        "/story", Response(200, HTML, (PAGES / "boilerplate.html").read_bytes())
    )
    rss = (
        "<rss version='2.0'><channel><title>F</title>"
        f"<item><guid>1</guid><title>Ferries</title><link>{story}</link></item>"
        "</channel></rss>"
    ).encode()
    feed = http_server.route(
        "/feed.xml", Response(200, {"Content-Type": "application/rss+xml"}, rss)
    )
    db = tmp_path / "db.sqlite"
    spec = FeedSpec(feed, full_text=True)
    with Store(db) as store:
        store.sync_feeds([spec], now=NOW)
    async with Refresher(db, Settings(parse_workers=1, timeout=5.0)) as refresher:
        updates = [u async for u in refresher.run([spec], force=True)]
    assert updates[0].new == 1
    with Store(db) as store:
        [entry_id] = store.entry_ids()
        cached = store.full_text(entry_id)
    assert cached is not None and cached.html and ARTICLE in cached.html
    async with Refresher(db, Settings(parse_workers=1, timeout=5.0)) as refresher:
        [u async for u in refresher.run([spec], force=True)]
    assert len(http_server.requests_to("/story")) == 1  # never fetched again
