"""Plain data passed between newstui's layers. Frozen, slotted, no I/O.

Every datetime here is timezone-aware UTC. The parse results (`ParsedFeed`, `ParsedEntry`) cross
a process boundary when parsing runs in a worker pool, so they hold only picklable values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One `[[feeds]]` table of feeds.toml: what the user asked for."""

    url: str
    title: str | None = None
    """Display title chosen by the user; overrides the feed's own."""
    tags: tuple[str, ...] = ()
    refresh_interval: timedelta | None = None
    """Overrides `settings.refresh_interval` for this feed."""
    user_agent: str | None = None
    """Overrides the default `newstui/<version>` User-Agent for this feed."""
    full_text: bool = False
    """Fetch each new entry's web page in the background (reader mode)."""
    sync: bool = True
    """False (`sync = false`): stays local even when the sync server has it too."""
    allow_private_links: bool = False
    """Pages this feed links to may be fetched from private addresses (see
    `Settings.allow_private_links`)."""


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A podcast episode, video or other attached file."""

    url: str
    type: str | None = None
    length: int | None = None
    duration: int | None = None
    """Seconds (`<itunes:duration>`, JSON Feed's `duration_in_seconds`), when the feed says."""


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as the feed supplied it, cleaned and with a stable identity."""

    guid: str
    title: str
    link: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    summary_html: str | None = None
    content_html: str | None = None
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What `parse.parse_feed` makes of one fetched document."""

    format: str
    """`rss20`, `atom10`, `rss10`, `json11`, ... (feedparser's version names, plus JSON Feed)."""
    title: str = ""
    site_url: str | None = None
    ttl: timedelta | None = None
    """RSS `<ttl>`: how long the publisher asks readers to wait between fetches."""
    entries: tuple[ParsedEntry, ...] = ()
    warning: str | None = None
    """A survivable problem (undefined entity, wrong declared encoding), shown but not fatal."""


class UpdateStatus(StrEnum):
    """How one feed's refresh ended."""

    NEW = "new"  # new entries were stored (maybe some updated too)
    UPDATED = "updated"  # existing entries changed, none new
    UNCHANGED = "unchanged"  # fetched and parsed, nothing changed
    NOT_MODIFIED = "not-modified"  # 304, or a body byte-identical to the last one
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """The result of refreshing one feed."""

    url: str
    status: UpdateStatus
    new: int = 0
    updated: int = 0
    error: str | None = None
    """Short human message when `status` is ERROR."""
    warning: str | None = None
    title: str | None = None
    """The feed's own title, when this fetch parsed one."""


@dataclass(frozen=True, slots=True)
class Feed:
    """What the store knows about a feed, with counts, for lists and `newstui status`."""

    url: str
    title: str
    """Display title: the user's, else the feed's, else the URL."""
    site_url: str | None = None
    tags: tuple[str, ...] = ()
    hidden: bool = False
    total: int = 0
    unread: int = 0
    bookmarks: int = 0
    last_fetched_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    error_kind: str | None = None
    warning: str | None = None
    """A survivable problem with the last document (e.g. a wrong declared encoding)."""
    failures: int = 0
    next_due_at: datetime | None = None
    moved_to: str | None = None
    """Where the feed permanently redirected to: the user may want to update feeds.toml."""
    origin: str = "local"
    """`local` (newstui fetches the site) or `server` (its entries come from the sync server)."""


@dataclass(frozen=True, slots=True)
class EntryKey:
    feed_url: str
    guid: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored entry: the feed's data plus the user's state."""

    id: int
    """The store's row id: stable for the life of the entry, cheap to pass around."""
    feed_url: str
    guid: str
    title: str
    link: str | None
    author: str | None
    published_at: datetime
    """The entry's date, falling back to when newstui first saw it."""
    updated_at: datetime | None
    first_seen_at: datetime
    summary_html: str | None
    content_html: str | None
    enclosures: tuple[Enclosure, ...] = ()
    read: bool = False
    read_at: datetime | None = None
    bookmarked: bool = False
    bookmarked_at: datetime | None = None
    feed_title: str = ""

    @property
    def key(self) -> EntryKey:
        return EntryKey(self.feed_url, self.guid)


@dataclass(frozen=True, slots=True)
class Headline:
    """The few columns a headline row shows: cheap to load by the thousand."""

    id: int
    feed_url: str
    feed_title: str
    title: str
    published_at: datetime
    read: bool
    bookmarked: bool
    attachment: bool = False
    """It has an enclosure (a podcast episode, a video): the list marks it."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """Per-feed fetch bookkeeping the refresh needs before fetching."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    failures: int = 0
    next_due_at: datetime | None = None
    moved_to: str | None = None
    from_server: bool = False
    """The sync server fetches this feed; newstui pulls its entries from there, never polls it."""
