"""Shared fixtures: a loopback HTTP server and an environment free of proxies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.httpserver import HTTPServer

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's proxy settings must not route loopback test traffic elsewhere."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="session")
def _http_server_session() -> Iterator[HTTPServer]:
    server = HTTPServer()
    yield server
    server.close()


@pytest.fixture
def http_server(_http_server_session: HTTPServer) -> Iterator[HTTPServer]:
    """The session's loopback server, with no routes and no recorded requests."""
    _http_server_session.reset()
    yield _http_server_session
    _http_server_session.reset()
