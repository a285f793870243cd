"""One real Miniflux + PostgreSQL for the whole session, a fresh Miniflux user per test.

Skipped, with the reason, only when the binaries cannot be had (see tests/support/miniflux.py).
Feeds the server subscribes to are served by a loopback server of the session's own: the shared
`http_server` fixture forgets its routes after every test, but Miniflux may fetch a feed again
later.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.httpserver import HTTPServer
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
