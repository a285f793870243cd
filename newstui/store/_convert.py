"""Conversions between Python values and their stored form. Times are whole UTC epoch seconds."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from newstui.core.models import Enclosure, Feed, FeedSpec
from newstui.core.rows import enclosures_json, epoch

__all__ = [
    "FEED_COLUMNS",
    "NO_COUNTS",
    "enclosures_from_json",
    "enclosures_json",
    "epoch",
    "feed_from_row",
    "feed_list_changes",
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


StoredFeed = tuple[str | None, str, int | None, int]
"""A local feed row as `feed_list_changes` compares it: (user_title, tags JSON, position,
hidden)."""


def feed_list_changes(
    specs: Sequence[FeedSpec], stored: Mapping[str, StoredFeed], server: Collection[str]
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """What `Store.sync_feeds` writes to make the feed rows match feeds.toml: the rows to insert
    or update (url, user_title, tags, position, hidden) and the URLs to hide. `stored`: the
    local rows, `server`: the URLs the sync server owns. The first screen asks the same with
    only the visible rows (`first_screen`): a hidden or missing row of a listed feed is a
    change either way, and a hidden one is never hidden again."""
    wanted = {
        spec.url: (spec.title, json.dumps(list(spec.tags)), position, 0)
        for position, spec in enumerate(specs)
    }
    # Feeds the sync server owns are not feeds.toml's to hide (store/_sync.py); one the file
    # lists as well is updated from it all the same.
    changed = [
        (url, *values)
        for url, values in wanted.items()
        if url in server or stored.get(url) != values
    ]
    gone = [url for url, values in stored.items() if url not in wanted and not values[3]]
    return changed, gone
