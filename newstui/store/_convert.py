"""Conversions between Python values and their stored form. Times are whole UTC epoch seconds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from newstui.core.models import Enclosure, Feed
from newstui.core.rows import enclosures_json, epoch

__all__ = [
    "FEED_COLUMNS",
    "NO_COUNTS",
    "enclosures_from_json",
    "enclosures_json",
    "epoch",
    "feed_from_row",
    "from_epoch",
]


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def enclosures_from_json(value: str | None) -> tuple[Enclosure, ...]:
    """See `enclosures_json`: rows written before durations were kept have three items."""
    if not value:
        return ()
    return tuple(Enclosure(*item[:4]) for item in json.loads(value))


FEED_COLUMNS = (
    "f.url, f.user_title, f.title, f.site_url, f.tags, f.hidden, f.last_fetched_at,"
    " f.last_ok_at, f.last_error, f.error_kind, f.warning, f.failures, f.next_due_at, f.moved_to,"
    " f.origin"
)
"""The columns `feed_from_row` reads, in this order (plain tuples: a Row per feed cost ~10 ms)."""

NO_COUNTS = (0, 0, 0)

COUNTS_BY_FEED = (
    "SELECT feed_url, COUNT(*) AS n, SUM(read = 0 AND hidden = 0) AS unread,"
    " SUM(bookmarked) AS bookmarks FROM entries GROUP BY feed_url"
)
"""Each feed's (url, entries, unread, bookmarks): `Store.feeds()` and `first_screen` read
the same numbers."""
HIDDEN_BOOKMARKS = (
    "SELECT COUNT(*) FROM entries WHERE bookmarked = 1"
    " AND feed_url IN (SELECT url FROM feeds WHERE hidden = 1)"
)
"""Bookmarks whose feed left feeds.toml (`Store.hidden_bookmarks()`, `first_screen`)."""


def feed_from_row(row: tuple[Any, ...], counts: tuple[int, int, int]) -> Feed:
    (url, user_title, title, site_url, tags, hidden, last_fetched_at, last_ok_at, last_error,
     error_kind, warning, failures, next_due_at, moved_to, origin) = row  # fmt: skip
    total, unread, bookmarks = counts
    return Feed(
        url=url,
        title=user_title or title or url,
        site_url=site_url,
        tags=tuple(json.loads(tags)) if tags and tags != "[]" else (),
        hidden=bool(hidden),
        total=total,
        unread=unread,
        bookmarks=bookmarks,
        last_fetched_at=from_epoch(last_fetched_at),
        last_ok_at=from_epoch(last_ok_at),
        last_error=last_error,
        error_kind=error_kind,
        warning=warning,
        failures=failures,
        next_due_at=from_epoch(next_due_at),
        moved_to=moved_to,
        origin=origin,
    )
