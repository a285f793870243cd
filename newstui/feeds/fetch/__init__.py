"""Conditional GET of one feed: bytes and headers in, a `FetchResult` value out.

This is the only module that imports httpx, and it never parses: deciding what the bytes mean is
`parse.py`'s job. Everything that can go wrong on the network (timeouts, DNS, TLS, refused
connections, 4xx/5xx answers, bodies that never end) comes back as a `FetchFailed` value with a
short message fit to show the user, because a broken feed is an everyday event, not a bug.

Two limits protect the refresh from hostile or broken servers: a *total* deadline per feed
(httpx's per-read timeouts alone never fire on a server that trickles a byte a second) and a cap
on the decoded body size, checked while streaming.
"""

# ruff: noqa: E402 - the imports follow the httpx._main line below
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

# httpx imports its command-line client (click, pygments, rich.syntax: ~70 ms, half of what a
# refresh imports) whenever click is installed; newstui never runs it. With None in its place
# that import fails and httpx defines a stub `main` instead.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx

from newstui import __version__
from newstui.feeds.addresses import BlockedAddress, GuardedBackend
from newstui.feeds.fetch import _streams
from newstui.feeds.fetch._messages import _size, _status_message, _transport_failure
from newstui.feeds.fetch.results import Fetched, FetchFailed, FetchResult, NotModified

DEFAULT_USER_AGENT = f"newstui/{__version__} (+https://github.com/newstui/newstui)"

# Feeds first; plain XML next because many feeds are served as application/xml or text/xml;
# anything else last, since plenty of servers label feeds text/html or text/plain.
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a TCP + TLS handshake; a server that cannot connect in 10 s is down."""

_PERMANENT = frozenset({301, 308})


_FETCHABLE = ("http", "https", "file")
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")


def url_problem(url: str, *, schemes: tuple[str, ...] = _FETCHABLE) -> str | None:
    """Why `url` cannot be fetched, as a short phrase for the user, or None when it can.

    Every URL newstui fetches passes here first, whoever supplied it (feeds.toml, a feed's entry
    link, a redirect, the command line): a `javascript:` link, a bare word or a port out of range
    must end in a message, not in an exception from deep inside the HTTP stack.
    """
    if not url.strip():
        return "no address given"
    if _UNSAFE_CHARS.search(url.strip()):
        return "not a valid address (it holds spaces or control characters)"
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as error:
        return f"not a valid address ({_url_error(error)})"
    scheme = parts.scheme.lower()
    if not scheme or "." in scheme:
        return "not a web address (it should start with https://)"
    if scheme not in schemes:
        allowed = " and ".join(s for s in schemes if s != "file") or "no"
        return f"cannot fetch {scheme}: addresses (only {allowed})"
    if scheme == "file":
        return None
    if not parts.hostname:
        return "not a valid address (no host name)"
    if port == 0:
        return "not a valid address (port 0)"
    try:
        httpx.URL(url.strip())
    except httpx.InvalidURL as error:
        return f"not a valid address ({str(error).rstrip('.')})"
    return None


def _url_error(error: ValueError) -> str:
    text = str(error)
    if "out of range" in text:
        return "port out of range: ports are 1 to 65535"
    if "IPv6" in text:
        return "unterminated or bad IPv6 address"
    if "cast to integer" in text:
        return "the port is not a number"
    return text.rstrip(".") or "cannot be parsed"


class _BadHop(Exception):
    """A redirect pointed at an address `url_problem` refuses (raised by the request hook)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


async def _check_hop(request: httpx.Request) -> None:
    """Request hook: every hop of a redirect chain is checked like the first URL."""
    problem = url_problem(str(request.url), schemes=("http", "https"))
    if problem is not None:
        raise _BadHop(problem)


def make_client(
    *,
    concurrency: int = 12,
    max_redirects: int = 5,
    user_agent: str | None = None,
    trust_env: bool = True,
    guarded: bool = False,
) -> httpx.AsyncClient:
    """Build the one client a whole refresh shares, so connections are pooled across feeds.

    Args:
        concurrency: Most connections open at once; the refresh's semaphore should match.
        max_redirects: Hops followed before giving up with `FetchFailed("redirects")`.
        user_agent: Default User-Agent; feeds may still override it per request.
        trust_env: Honour proxy and CA-bundle environment variables. Tests turn this off so a
            developer's proxy cannot intercept loopback requests.
        guarded: For pages that feed content links to: every connection is checked against
            the task's `newstui.feeds.addresses.PagePolicy` (resolved, checked, connected to
            the checked address). No connection is kept alive (a kept one would skip the check
            for the next page) and no proxy from the environment is used (a proxy connects for
            us, where the check cannot see).

    Returns:
        An `httpx.AsyncClient` the caller must close (`async with`).
    """
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=0 if guarded else concurrency
    )
    transport = None
    if guarded:
        transport = httpx.AsyncHTTPTransport(limits=limits)
        pool = transport._pool  # httpx offers no public way to set httpcore's network backend
        assert hasattr(pool, "_network_backend"), "httpcore changed: the SSRF guard needs a look"
        pool._network_backend = GuardedBackend(pool._network_backend)
    # Accept-Encoding is left to httpx: it offers exactly the codings it can decode (gzip and
    # deflate, plus br and zstd when those optional packages happen to be installed).
    client = httpx.AsyncClient(
        headers={"User-Agent": user_agent or DEFAULT_USER_AGENT, "Accept": ACCEPT},
        follow_redirects=True,
        max_redirects=max_redirects,
        limits=limits,
        timeout=httpx.Timeout(30.0, connect=CONNECT_TIMEOUT),
        trust_env=trust_env and not guarded,
        transport=transport,
        event_hooks={"request": [_check_hop]},
    )
    # The default transport (httpx builds it from the arguments above, environment proxies
    # aside): its kept connections' checks made cheap (`newstui.feeds.fetch._streams`). A
    # guarded client keeps no connection, so it has none to check.
    pool = getattr(client._transport, "_pool", None)
    if not guarded and _streams.AVAILABLE and hasattr(pool, "_network_backend"):
        pool._network_backend = _streams.CheapChecks(pool._network_backend)
    return client


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 30.0,
    max_bytes: int = 10_000_000,
    user_agent: str | None = None,
    accept: str | None = None,
) -> FetchResult:
    """Fetch one feed, conditionally when validators from the last fetch are given.

    Network problems never raise; they come back as `FetchFailed`.

    Args:
        client: From `make_client`; shared by all feeds of a refresh.
        url: An `http(s)://` or `file://` URL.
        etag: Sent as If-None-Match.
        last_modified: Sent as If-Modified-Since.
        timeout: Total seconds for connecting, waiting and reading the whole body.
        max_bytes: Largest decoded body accepted.
        user_agent: Overrides the client's User-Agent for this feed only.
        accept: Overrides the feed-preferring Accept header (reader mode asks for web pages).

    Returns:
        `Fetched`, `NotModified` or `FetchFailed` (kind `url` for an address that cannot be
        fetched at all: a `javascript:` link, a bare word, a port out of range).
    """
    problem = url_problem(url)
    if problem is not None:
        return FetchFailed("url", problem)
    url = url.strip()
    if urlsplit(url).scheme.lower() == "file":
        return await _fetch_file(url, max_bytes=max_bytes)

    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if user_agent:
        headers["User-Agent"] = user_agent
    if accept:
        headers["Accept"] = accept
    phases = httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))
    try:
        async with asyncio.timeout(timeout):
            return await _get(client, url, headers, phases, max_bytes)
    except TimeoutError:
        return FetchFailed("timeout", f"timed out after {timeout:g} s")
    except httpx.ConnectTimeout:
        return FetchFailed("timeout", f"could not connect within {phases.connect:g} s")
    except httpx.TimeoutException:
        return FetchFailed("timeout", f"timed out after {timeout:g} s")
    except httpx.TooManyRedirects:
        return FetchFailed("redirects", "too many redirects (redirect loop?)")
    except BlockedAddress as blocked:
        return FetchFailed("blocked", blocked.message)
    except _BadHop as hop:
        return FetchFailed("redirects", f"redirect refused: {hop.problem}")
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        # The URL itself was checked above, so only a redirect can lead here.
        return FetchFailed("redirects", "redirected to an address that is not http(s)")
    except httpx.DecodingError:
        return FetchFailed("network", "the server sent a corrupt compressed body")
    except (httpx.TransportError, OSError) as error:
        return _transport_failure(error)


async def _get(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    phases: httpx.Timeout,
    max_bytes: int,
) -> FetchResult:
    async with client.stream("GET", url, headers=headers, timeout=phases) as response:
        response_headers = dict(response.headers.items())
        status = response.status_code
        if status == 304:
            # Read the (empty) body: a response left unread closes its connection, and an
            # all-304 refresh of one host's feeds would connect (and shake hands) per feed.
            await response.aread()
            return NotModified(response_headers)
        if not 200 <= status < 300:
            return FetchFailed("http-status", _status_message(status), status, response_headers)
        too_large = FetchFailed(
            "too-large", f"feed larger than {_size(max_bytes)}", status, response_headers
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return too_large
        chunks: list[bytes] = []
        received = 0
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            if received > max_bytes:
                return too_large
            chunks.append(chunk)
        history = response.history
        moved = bool(history) and all(hop.status_code in _PERMANENT for hop in history)
        return Fetched(
            body=b"".join(chunks),
            headers=response_headers,
            final_url=str(response.url),
            status=status,
            permanent_redirect=str(response.url) if moved else None,
        )


async def _fetch_file(url: str, *, max_bytes: int) -> FetchResult:
    """Read a `file://` feed, for feeds written by local scripts and for offline testing.

    No content-type is guessed: feedparser takes `text/xml` without a charset to mean ASCII
    (RFC 3023), which would be worse than no header at all.
    """
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return FetchFailed("file", f"remote file URLs are not supported: {url}")
    path = Path(url2pathname(parts.path))
    try:
        body = await asyncio.to_thread(_read_capped, path, max_bytes)
    except FileNotFoundError:
        return FetchFailed("file", f"file not found: {path}")
    except IsADirectoryError:
        return FetchFailed("file", f"not a file: {path}")
    except PermissionError:
        return FetchFailed("file", f"permission denied: {path}")
    except OSError as error:
        return FetchFailed("file", f"cannot read {path}: {error.strerror or 'I/O error'}")
    if body is None:
        return FetchFailed("too-large", f"feed larger than {_size(max_bytes)}")
    return Fetched(body=body, headers={}, final_url=url, status=200)


def _read_capped(path: Path, max_bytes: int) -> bytes | None:
    """The file's bytes, or None when it holds more than `max_bytes` (without reading it all)."""
    with path.open("rb") as file:
        body = file.read(max_bytes + 1)
    return None if len(body) > max_bytes else body


# -- JSON APIs of sync servers (Miniflux, Google Reader) ------------------------------------

__all__ = [
    "ACCEPT",
    "CONNECT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "FetchFailed",
    "FetchResult",
    "Fetched",
    "NotModified",
    "fetch_feed",
    "make_client",
    "url_problem",
]
