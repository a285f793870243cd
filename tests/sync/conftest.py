"""One real Miniflux + PostgreSQL for the whole session, a fresh Miniflux user per test.

Skipped, with the reason, only when the binaries cannot be had (see tests/support/miniflux.py).
Feeds the server subscribes to are served by a loopback server of the session's own: the shared
`http_server` fixture forgets its routes after every test, but Miniflux may fetch a feed again
later.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstui.commands.sync import sync_pass
from newstui.core.config import Settings, SyncSettings
from newstui.feeds.sync import SyncReport
from tests.support.httpserver import HTTPServer, Response
from tests.support.miniflux import MinifluxServer, Unavailable, User


@pytest.fixture(scope="session")
def miniflux() -> Iterator[MinifluxServer]:
    try:
        server = MinifluxServer().start()
    except Unavailable as why:
        pytest.skip(f"no real Miniflux server for the sync tests: {why}")
    yield server
    server.close()


@pytest.fixture
def mf_server(miniflux: MinifluxServer) -> Iterator[MinifluxServer]:
    """The session's Miniflux, running again at the end of a test that stopped it."""
    yield miniflux
    if not miniflux.running:
        miniflux.start_miniflux()


@pytest.fixture
def mf_user(miniflux: MinifluxServer) -> User:
    return miniflux.new_user()


@pytest.fixture(scope="session")
def feed_site() -> Iterator[HTTPServer]:
    server = HTTPServer()
    yield server
    server.close()


def rss(items: list[tuple[str, str]], title: str = "Site") -> bytes:
    """An RSS document of (guid, title) items, each with a link and some text."""
    body = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{name}</title>"
        f"<link>https://example.org/{guid}</link><description>Text of {name}</description></item>"
        for guid, name in items
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>"
        f"<link>https://example.org/</link>{body}</channel></rss>"
    ).encode()


class Site:
    """Feeds served to Miniflux (and to newstui) from the session's loopback server."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def feed(self, items: list[tuple[str, str]], title: str = "Site") -> str:
        path = f"/{secrets.token_hex(5)}.xml"
        return self.server.route(
            path, Response(200, {"Content-Type": "application/rss+xml"}, rss(items, title))
        )


@pytest.fixture
def site(feed_site: HTTPServer) -> Site:
    return Site(feed_site)


def subscribe(server: MinifluxServer, user: User, url: str, category: str | None = None) -> int:
    """Subscribe `user` to `url` on the server (which fetches it at once); returns the id."""
    body: dict[str, object] = {"feed_url": url}
    if category:
        created = server.api("POST", "/v1/categories", {"title": category}, user=user)
        assert isinstance(created, dict)
        body["category_id"] = created["id"]
    answer = server.api("POST", "/v1/feeds", body, user=user)
    assert isinstance(answer, dict)
    return int(answer["feed_id"])


def server_entries(server: MinifluxServer, user: User) -> dict[str, dict]:
    """The user's entries on the server, by title."""
    answer = server.api("GET", "/v1/entries?limit=10000&status=read&status=unread", user=user)
    assert isinstance(answer, dict)
    return {entry["title"]: entry for entry in answer["entries"]}


def run_sync(
    db_path: Path,
    server: MinifluxServer,
    user: User,
    *,
    token: str | None = None,
    local_urls: tuple[str, ...] = (),
    settings: SyncSettings | None = None,
) -> SyncReport:
    settings = settings or SyncSettings("miniflux", server.url, token=token or user.token)

    return sync_store(db_path, settings, local_urls=local_urls)


def sync_store(
    db_path: Path, settings: SyncSettings, *, local_urls: tuple[str, ...] = ()
) -> SyncReport:
    """One sync as `newstui sync` runs it: a refresh with the server's source alone."""
    return asyncio.run(
        sync_pass(db_path, settings, Settings(parse_workers=1), local_urls=local_urls,
                  trust_env=False)
    )
