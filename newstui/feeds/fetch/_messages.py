"""Short messages for failed fetches: HTTP statuses and transport errors, in words a reader
understands ("connection refused", "HTTP 404 Not Found"), never a traceback.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from http import HTTPStatus

import httpx

from newstui.feeds.fetch.results import FetchFailed

_STATUS_HINTS = {
    401: "access denied",
    403: "access denied",
    410: "the feed was removed",
}


def _status_message(status: int) -> str:
    """`HTTP 410 Gone: the feed was removed`, from the standard phrase, not the server's:
    reason phrases are stranger-written text, often wrong, and absent in HTTP/2."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "server error" if status >= 500 else "unexpected answer"
    hint = _STATUS_HINTS.get(status)
    return f"HTTP {status} {phrase}: {hint}" if hint else f"HTTP {status} {phrase}"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: httpx wraps httpcore wraps anyio's OSError, which
    wraps the real socket error (or an ExceptionGroup of them, one per address tried)."""
    pending = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)


_ERRNO_MESSAGES = {
    errno.ENETUNREACH: "network unreachable (offline?)",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ECONNRESET: "connection reset by the server",
    errno.ECONNABORTED: "connection aborted",
    errno.EPIPE: "connection closed early",
}


def _transport_failure(error: BaseException) -> FetchFailed:
    causes = list(_causes(error))
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            if cause.errno == socket.EAI_AGAIN:
                return FetchFailed("dns", "DNS lookup failed (offline?)")
            return FetchFailed("dns", "server not found (DNS)")
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = cause.verify_message or "certificate verify failed"
            return FetchFailed("tls", f"TLS error: certificate verify failed ({detail})")
        if isinstance(cause, ssl.SSLError):
            reason = (cause.reason or "handshake failed").replace("_", " ").lower()
            return FetchFailed("tls", f"TLS error: {reason}")
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return FetchFailed("refused", "connection refused")
    for cause in causes:
        message = _ERRNO_MESSAGES.get(getattr(cause, "errno", None) or 0)
        if message:
            return FetchFailed("network", message)
    if isinstance(error, httpx.RemoteProtocolError):
        if "closed" in str(error) or "disconnected" in str(error):
            return FetchFailed("network", "connection closed early")
        return FetchFailed("network", "the server sent a broken HTTP response")
    if isinstance(error, httpx.ProxyError):
        return FetchFailed("network", "proxy error")
    if isinstance(error, httpx.ConnectError):
        return FetchFailed("network", "could not connect")
    return FetchFailed("network", "network error while reading the feed")


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.3g} MB"
    if n >= 1_000:
        return f"{n / 1_000:.3g} kB"
    return f"{n} bytes"
