"""What a fetch returns: the body, "not modified", or a failure with a short message.

Fetch failures are expected events, so they are values, not exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Fetched:
    """A 2xx answer with its whole body."""

    body: bytes
    """Decoded bytes: Content-Encoding (gzip, deflate) undone, charset untouched."""
    headers: dict[str, str]
    """Response headers with lower-cased names; repeated headers joined with ", "."""
    final_url: str
    """The URL the body came from, after redirects (the base for relative links)."""
    status: int
    permanent_redirect: str | None = None
    """The new URL when every hop of the redirect chain was permanent (301/308), else None:
    the refresh can then record the move instead of redirecting forever."""


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304: the stored copy is current."""

    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class FetchFailed:
    """The feed could not be fetched this time.

    `kind` is one of `url` (not an address newstui can fetch), `timeout`, `dns`, `refused`,
    `tls`, `network`, `http-status`, `too-large`, `redirects`, `blocked` (a private address a
    page fetch may not reach) or `file`, so the refresh can decide how hard to back off.
    """

    kind: str
    message: str
    """One short line for the user, never a traceback."""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    """Response headers when there was a response, so the caller can honour Retry-After."""


FetchResult = Fetched | NotModified | FetchFailed
