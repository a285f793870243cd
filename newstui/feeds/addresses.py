"""Which addresses a page fetch that feed content asked for may reach. No Textual here.

A feed is written by a stranger, and its entry links are fetched by newstui itself (reader mode,
`full_text = true`, later images): without a check, a link to `http://127.0.0.1:8080/admin` or
to a router at `192.168.1.1` would be fetched from inside the user's network and the answer
shown and stored (server-side request forgery). So such fetches may only reach public
addresses, unless the link points at the feed's own host (an intranet feed linking to its own
pages) or the user allowed it (`allow_private_links = true`, in `[settings]` or per feed).

The check is made where the connection is made: `GuardedBackend` wraps httpcore's network
backend, resolves each hop's host itself, checks every address, and connects to the checked
address (TLS still verifies the host name). So a redirect, or DNS answering differently the
second time (rebinding), cannot slip past it. A URL the user typed is not checked at all.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore


@dataclass(frozen=True, slots=True)
class PagePolicy:
    """The rule for one page fetch."""

    own_host: str | None = None
    """The host of the feed the link came from: it may always be reached."""
    allow_private: bool = False
    """The user's `allow_private_links`: every address may be reached."""


class BlockedAddress(Exception):
    """A hop of a guarded fetch would have reached a non-public address."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host

    @property
    def message(self) -> str:
        return (
            f"not fetched: {self.host} is a private address; "
            "set allow_private_links = true to allow it"
        )


_POLICY: contextvars.ContextVar[PagePolicy | None] = contextvars.ContextVar(
    "newstui_page_policy", default=None
)


def guarded(policy: PagePolicy) -> contextvars.Token[PagePolicy | None]:
    """Apply `policy` to the connections this task opens from now on (`unguarded` undoes it)."""
    return _POLICY.set(policy)


def unguarded(token: contextvars.Token[PagePolicy | None]) -> None:
    _POLICY.reset(token)


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local,
    shared (CGNAT), multicast, reserved or unspecified; IPv4 inside IPv6 is judged as IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("%eth0")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def allowed(policy: PagePolicy, host: str, addresses: Iterable[str]) -> list[str]:
    """The addresses of `host` a connection may use under `policy` (empty: blocked)."""
    found = list(dict.fromkeys(addresses))
    if policy.allow_private or (policy.own_host and host.lower() == policy.own_host.lower()):
        return found
    return [address for address in found if is_public(address)]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the `PagePolicy` of the current task applied to every
    TCP connection (no policy: connections pass unchanged, as for feed fetches)."""

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
        policy = _POLICY.get()
        if policy is None:
            return await self._inner.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )
        targets = allowed(policy, host, (info[4][0] for info in infos))
        if not targets:
            raise BlockedAddress(host)
        error: Exception | None = None
        for address in targets:  # the checked address itself: DNS is not asked again
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        if _POLICY.get() is not None:
            raise BlockedAddress(path)
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
