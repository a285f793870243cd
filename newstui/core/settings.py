"""What feeds.toml says, as frozen data: the settings, the sync server, the whole configuration.

Built and validated by `newstui.core.config`; read everywhere else. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from newstui.core.config_search import Filter, SavedView
from newstui.core.models import FeedSpec

KEY_PRESETS = ("vim", "newsboat")


MIN_FEED_SIZE_MB = 0.001


@dataclass(frozen=True, slots=True)
class Settings:
    """The `[settings]` table. Every field has a default, so `Settings()` works without a file."""

    refresh_interval: timedelta = timedelta(minutes=30)
    """How long a feed rests between fetches, unless the feed overrides it."""
    concurrency: int = 12
    """Simultaneous fetches (1 to 64): enough to be quick, few enough to be polite."""
    timeout: float = 30.0
    """Total seconds allowed for one feed fetch (1 to 600), so a trickling server cannot stall."""
    max_feed_size: int = 10_000_000
    """Largest body read, in bytes. As `max_feed_size_mb` in the file (0.001 <= MB <= 200)."""
    max_redirects: int = 5
    """Redirects followed per fetch (0 to 20)."""
    retention_days: int = 0
    """0 keeps everything forever; otherwise read, un-bookmarked entries older than this many
    days may be pruned."""
    user_agent: str | None = None
    """None sends newstui's own User-Agent."""
    parse_workers: int = 0
    """Processes parsing feeds; 0 means one per CPU core."""
    theme: str | None = None
    """Theme name; None keeps the UI's default. Checked against the themes by the UI."""
    keys: str = "vim"
    """Key binding preset, one of `KEY_PRESETS`; `[keymap]` overrides single bindings."""
    refresh_on_start: bool = True
    auto_refresh: bool = True
    """Refresh periodically while the TUI is open."""
    mark_read_on_open: bool = True
    show_read: bool = True
    feed_pane_width: int | None = None
    """Columns of the reader's feed pane (12 to 100); None: the layout's default."""
    allow_private_links: bool = False
    """Let pages that feed content links to (reader mode, `full_text`) be fetched from
    loopback, private and link-local addresses; off, only public addresses and the feed's own
    host are reached."""


SYNC_SERVERS = ("miniflux", "greader")


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """The `[sync]` table: a feed server whose subscriptions and read state newstui shares.

    Exactly one way of logging in is given: `token` (an API key in the file), `token_command`
    (a command printing the API key, e.g. `pass show miniflux`), or `username` with
    `password_command`. Secrets are kept out of `repr`, so no traceback shows them.
    """

    server: str
    """One of `SYNC_SERVERS`."""
    url: str
    token: str | None = field(default=None, repr=False)
    token_command: str | None = None
    username: str | None = None
    password_command: str | None = None
    interval: timedelta = timedelta(minutes=15)
    """How often the reader syncs in the background."""
    line: int | None = None
    """The line of `token` in the file, for the warning when the file is world-readable."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything feeds.toml says, validated."""

    path: Path
    """The file this was read from, as given (not resolved), for messages and `newstui locate`."""
    feeds: tuple[FeedSpec, ...]
    settings: Settings
    keymap: Mapping[str, str]
    """Binding id (`entries.toggle-read`) to key string (`m,space`), read-only. Ids are checked by
    the UI, because binding ids are a UI concept."""
    sync: SyncSettings | None = None
    """The `[sync]` table; None when there is none (every feed is local)."""
    views: tuple[SavedView, ...] = ()
    """`[[views]]`: saved searches listed under the smart views."""
    filters: tuple[Filter, ...] = ()
    """`[[filters]]`: applied in order to new entries as they are stored."""
