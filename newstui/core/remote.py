"""Plain data of syncing with a feed server (Miniflux, Google Reader API). Frozen, no I/O.

The server's ids are kept as strings: Miniflux's are integers, Google Reader's are long
`tag:google.com,2005:reader/item/...` strings, and the store need not know which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from newstui.core.models import Enclosure


class Origin(StrEnum):
    """Where a feed's entries come from."""

    LOCAL = "local"  # newstui fetches the site itself
    SERVER = "server"  # the sync server fetches it; newstui pulls its entries from there


class MarkField(StrEnum):
    READ = "read"
    BOOKMARKED = "bookmarked"


@dataclass(frozen=True, slots=True)
class PendingMark:
    """A change the user made here and the server has not acknowledged yet: the *desired*
    value, not a toggle, so pushing it twice is harmless."""

    entry_id: int
    field: MarkField
    value: bool
    changed_at_ms: int
    """When the user made it (epoch milliseconds): the later change wins a conflict."""
    remote_id: str | None
    """The server's id of the entry; None while it is not matched to the server's yet."""


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server."""

    remote_id: str
    url: str
    title: str
    site_url: str | None = None
    category: str | None = None
    """The server's category (folder), which newstui shows as a tag."""


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    """An entry as the server has it, with its read and starred state."""

    remote_id: str
    feed_remote_id: str
    title: str
    guid_hash: str | None
    """Miniflux's `hash`: SHA-256 of the feed's GUID (else of the link), hex."""
    link: str | None
    author: str | None
    content_html: str | None
    published_at: datetime | None
    changed_at: datetime
    """When the server last changed the entry (its state included)."""
    read: bool
    starred: bool
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerMarks:
    """What `Store.save_server_entries` did with one batch."""

    new: int = 0
    updated: int = 0
    marks_applied: int = 0
    """Read/starred states taken from the server."""
    marks_kept: int = 0
    """Local changes newer than the server's, kept to be pushed."""
