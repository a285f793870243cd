"""httpcore's network streams with a cheaper "is this kept connection still open?" check.

Before each request and after each response, httpcore's connection pool asks every idle kept
connection whether the server closed it (`get_extra_info("is_readable")`). Its anyio stream
answers by looking up the raw socket through anyio's attribute table, which anyio rebuilds on
every lookup, calling `getpeername()` each time: ~0.7 s of the event loop's time in a 500-feed
refresh over 12 kept connections, on the one thread that also drives every fetch. The socket
of a stream never changes, so `CheapChecks` looks it up once per stream and then asks the same
question of the same socket (`httpcore._utils.is_socket_readable`, httpcore's own check):
the answer, and so which connection is reused or closed, is unchanged.

That check lives in a private module of httpcore (httpx allows any httpcore 1.x): if a release
moves it, `AVAILABLE` is False and the pool keeps httpcore's own streams, slower and the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore

try:
    from httpcore._utils import is_socket_readable
except ImportError:  # moved in a later httpcore: keep its own (slower) check
    AVAILABLE = False
else:
    AVAILABLE = True

_UNSET: Any = object()


class _Stream(httpcore.AsyncNetworkStream):
    """One stream, passed through, its socket looked up at the first check."""

    __slots__ = ("_inner", "_socket")

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: Any = _UNSET

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            if self._socket is _UNSET:
                self._socket = self._inner.get_extra_info("socket")
            if self._socket is not None:
                return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


class CheapChecks(httpcore.AsyncNetworkBackend):
    """A network backend whose streams answer `is_readable` without the per-call lookup."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
