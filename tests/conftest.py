"""Shared fixtures: a loopback HTTP server and an environment free of proxies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newstui.ui.writes import WriteQueue
from tests.support.httpserver import HTTPServer

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's proxy settings must not route loopback test traffic elsewhere."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(autouse=True)
def _no_write_thread_outlives_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each reader's write queue is closed when its test ends, as `run_app` closes it when the
    reader quits: a test that drives `NewsApp` itself would leave the thread retrying a write
    that failed (every 2 s, on a damaged or locked database) during the tests after it."""
    queues: list[WriteQueue] = []
    opened = WriteQueue.__init__

    def opening(queue: WriteQueue, *args: object, **kwargs: object) -> None:
        opened(queue, *args, **kwargs)  # type: ignore[arg-type]
        queues.append(queue)

    monkeypatch.setattr(WriteQueue, "__init__", opening)
    yield
    for queue in queues:
        queue.close()


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
