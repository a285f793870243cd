"""Server-side request forgery (issue 10): a page fetch that feed content asks for (reader
mode, `full_text = true`) reaches no loopback, private or link-local address, on any hop,
unless the link is on the feed's own host or the user allows it (`allow_private_links`).

All traffic stays on loopback: 127.0.0.1 and 127.0.0.2 play two different hosts, and every
other address is only judged, never connected to.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpcore
import pytest

from newstui.core.config import Settings, load_config
from newstui.core.models import FeedSpec
from newstui.feeds.addresses import (
    BlockedAddress,
    GuardedBackend,
    PagePolicy,
    guarded,
    is_public,
    unguarded,
)
from newstui.feeds.fulltext import fetch_page
from newstui.feeds.refresh import Refresher
from newstui.store import Store
from tests.support.httpserver import HTTPServer, Response

PAGES = Path(__file__).parent.parent / "data" / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = "After an absence of eleven winters"
SETTINGS = Settings(parse_workers=1, timeout=5.0)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def blocked(host: str) -> str:
    return f"not fetched: {host} is a private address; set allow_private_links = true to allow it"


@pytest.fixture(scope="module")
def other_host() -> Iterator[HTTPServer]:
    """A second loopback host, 127.0.0.2: not the feed's host, and not public."""
    server = HTTPServer(host="127.0.0.2")
    yield server
    server.close()


@pytest.fixture
def other(other_host: HTTPServer) -> Iterator[HTTPServer]:
    other_host.reset()
    yield other_host
    other_host.reset()


def secret_page(server: HTTPServer, path: str = "/secret") -> str:
    return server.route(path, Response(200, HTML, (PAGES / "boilerplate.html").read_bytes()))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
        "fe80::1%eth0", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "64:ff9b::a00:1", "2002:7f00:1::", "ff02::1", "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public(address)  # judged only: nothing is sent to them


async def test_a_link_to_another_loopback_host_is_blocked(http_server, other) -> None:
    feed = FeedSpec(http_server.url("/feed.xml"))
    page = await fetch_page(secret_page(other), SETTINGS, feed=feed)
    assert (page.html, page.error) == (None, blocked("127.0.0.2"))
    assert other.requests_to("/secret") == []


async def test_localhost_is_blocked(http_server) -> None:
    url = secret_page(http_server).replace("127.0.0.1", "localhost")
    page = await fetch_page(url, SETTINGS, feed=FeedSpec("https://example.org/feed"))
    assert page.error == blocked("localhost")
    assert http_server.requests_to("/secret") == []


async def test_without_a_feed_a_link_is_still_checked(http_server) -> None:
    page = await fetch_page(secret_page(http_server), SETTINGS)
    assert page.error == blocked("127.0.0.1")


async def test_a_redirect_from_an_allowed_host_to_a_private_one_is_blocked(
    http_server, other
) -> None:
    # The feed lives on 127.0.0.2, so its own links there are fine; the hop to 127.0.0.1 is not.
    target = secret_page(http_server)
    hop = other.route("/go", Response(302, {"Location": target}))
    page = await fetch_page(hop, SETTINGS, feed=FeedSpec(other.url("/feed.xml")))
    assert page.error == blocked("127.0.0.1")
    assert len(other.requests_to("/go")) == 1
    assert http_server.requests_to("/secret") == []


async def test_a_link_on_the_feeds_own_host_is_fetched(http_server) -> None:
    feed = FeedSpec(http_server.url("/feed.xml"))
    page = await fetch_page(secret_page(http_server), SETTINGS, feed=feed)
    assert page.error is None and ARTICLE in (page.html or "")


async def test_the_setting_or_the_feed_allows_private_links(http_server, other) -> None:
    url = secret_page(other)
    feed = FeedSpec(http_server.url("/feed.xml"))
    everywhere = Settings(timeout=5.0, allow_private_links=True)
    by_setting = await fetch_page(url, everywhere, feed=feed)
    allowing_feed = FeedSpec(http_server.url("/feed.xml"), allow_private_links=True)
    by_feed = await fetch_page(url, SETTINGS, feed=allowing_feed)
    assert ARTICLE in (by_setting.html or "") and ARTICLE in (by_feed.html or "")


async def test_a_url_the_user_typed_is_fetched(http_server) -> None:
    page = await fetch_page(secret_page(http_server), SETTINGS, typed_by_user=True)
    assert page.error is None and ARTICLE in (page.html or "")


async def test_full_text_feeds_do_not_fetch_private_links(http_server, other, tmp_path) -> None:
    secret = secret_page(other)
    rss = (
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><guid>1</guid><title>Inside</title><link>{secret}</link></item>"
        "</channel></rss>"
    ).encode()
    spec = FeedSpec(
        http_server.route("/feed.xml", Response(200, {"Content-Type": "application/rss+xml"}, rss)),
        full_text=True,
    )
    db = tmp_path / "db.sqlite"
    with Store(db) as store:
        store.sync_feeds([spec], now=NOW)
    async with Refresher(db, SETTINGS) as refresher:
        [update] = [u async for u in refresher.run([spec], force=True)]
    assert update.new == 1
    with Store(db) as store:
        [entry_id] = store.entry_ids()
        cached = store.full_text(entry_id)
    assert cached is not None and cached.html is None and cached.error == blocked("127.0.0.2")
    assert other.requests_to("/secret") == []


async def test_the_guard_connects_to_the_address_it_checked(http_server) -> None:
    """DNS is asked once, by the guard: the connection goes to the checked IP address, so a
    name that answers differently the second time (rebinding) cannot slip past the check."""
    asked: list[str] = []

    class Recording(httpcore.AsyncNetworkBackend):
        def __init__(self) -> None:
            self.inner = httpcore.AnyIOBackend()

        async def connect_tcp(self, host: str, port: int, *args: Any) -> Any:
            asked.append(host)
            return await self.inner.connect_tcp(host, port, *args)

    backend = GuardedBackend(Recording())
    token = guarded(PagePolicy(own_host="localhost"))
    try:
        stream = await backend.connect_tcp("localhost", http_server.port, 5.0)
        await stream.aclose()
        with pytest.raises(BlockedAddress):
            await backend.connect_tcp("127.0.0.2", http_server.port, 5.0)
    finally:
        unguarded(token)
    assert asked and asked[0] in ("127.0.0.1", "::1")  # an address, never the name


def test_allow_private_links_is_a_setting_and_a_feed_key(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        "[settings]\nallow_private_links = true\n\n"
        '[[feeds]]\nurl = "http://intranet.example/feed"\nallow_private_links = true\n'
    )
    config = load_config(path)
    assert config.settings.allow_private_links and config.feeds[0].allow_private_links
    assert not Settings().allow_private_links and not FeedSpec("http://x/").allow_private_links


async def test_a_feed_link_never_reads_a_local_file(tmp_path):
    """An entry linking to file:///... must not show the user's own files in reader mode."""
    from newstui.core.config import Settings
    from newstui.core.models import FeedSpec
    from newstui.feeds.fulltext import fetch_page

    secret = tmp_path / "secret.html"
    body = "token-1234 " * 50
    secret.write_text(f"<html><body><article><p>{body}</p></article></body></html>")
    page = await fetch_page(
        secret.as_uri(), Settings(timeout=5.0), feed=FeedSpec("https://news.example/feed.xml")
    )
    assert page.html is None and "only http and https" in (page.error or "")
