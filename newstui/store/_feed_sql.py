"""The lists' SQL and the feed rows' conversion, shared by `Store` and the first screen's read.

Apart from the other conversions (`newstui.store._convert`) because the reader's launch reads
its first screen (`newstui.store.first_screen`) from its first milliseconds, before the rest of
the store is imported: this module imports nothing but the models.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from newstui.core.models import Feed, FeedSpec


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


FEED_COLUMNS = (
    "f.url, f.user_title, f.title, f.site_url, f.tags, f.hidden, f.last_fetched_at,"
    " f.last_ok_at, f.last_error, f.error_kind, f.warning, f.failures, f.next_due_at, f.moved_to,"
    " f.origin"
)
"""The columns `feed_from_row` reads, in this order (plain tuples: a Row per feed cost ~10 ms)."""

FEED_COUNTS = (
    "(SELECT COUNT(*) FROM entries e WHERE e.feed_url = f.url),"
    " (SELECT COUNT(*) FROM entries e WHERE e.feed_url = f.url AND e.read = 0 AND e.hidden = 0),"
    " (SELECT COUNT(*) FROM entries e WHERE e.feed_url = f.url AND e.bookmarked = 1)"
)
"""Each feed's (entries, unread, bookmarks), as three columns after `FEED_COLUMNS` (`feeds f`):
`Store.feeds()` and the first screen read the same numbers. One index lookup per feed and
count (`entries_counts`): 22 ms with the feed rows on the 100k-entry store, against 36-43 ms
for a `GROUP BY feed_url` over every entry (which evaluates its sums row by row)."""

NO_COUNTS = (0, 0, 0)

HIDDEN_BOOKMARKS = (
    "SELECT COUNT(*) FROM entries WHERE bookmarked = 1"
    " AND feed_url IN (SELECT url FROM feeds WHERE hidden = 1)"
)
"""Bookmarks whose feed left feeds.toml (`Store.hidden_bookmarks()`, `first_screen`)."""


def entry_filters(
    feed_url: str | Sequence[str] | None, unread_only: bool, bookmarked_only: bool
) -> tuple[str, list[object]]:
    """WHERE clauses over `entries` (no join: a per-row feed lookup costs 3x at 100k rows).

    Bookmarks are the user's, not the feed's: they stay listed after their feed leaves
    feeds.toml (hidden), where everything else of that feed is out of sight.
    """
    visible = "feed_url NOT IN (SELECT url FROM feeds WHERE hidden = 1)"
    # Hidden entries (a filter's `hide`) are in no list at all: search `is:hidden` finds them.
    clauses = ["hidden = 0"] if bookmarked_only else [visible, "hidden = 0"]
    params: list[object] = []
    if isinstance(feed_url, str):
        clauses.append("feed_url = ?")
        params.append(feed_url)
    elif feed_url is not None:
        clauses.append(f"feed_url IN ({','.join('?' * len(feed_url))})")
        params.extend(feed_url)
    if unread_only:
        clauses.append("read = 0")
    if bookmarked_only:
        clauses.append("bookmarked = 1")
    return " AND ".join(clauses), params


def feed_from_row(row: Sequence[Any], counts: Sequence[int]) -> Feed:
    (url, user_title, title, site_url, tags, hidden, last_fetched_at, last_ok_at, last_error,
     error_kind, warning, failures, next_due_at, moved_to, origin) = row  # fmt: skip
    total, unread, bookmarks = counts
    return Feed(
        url=url,
        title=user_title or title or url,
        site_url=site_url,
        tags=stored_tags(tags),
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


def stored_tags(stored: str | None) -> tuple[str, ...]:
    """A feed row's `tags` column (JSON) as a tuple."""
    return _tags(stored) if stored and stored != "[]" else ()


@lru_cache(maxsize=512)
def _tags(stored: str) -> tuple[str, ...]:
    # 2,000 feeds share a few tag lists: each decoded once (a tuple: safe to share).
    return tuple(json.loads(stored))


@lru_cache(maxsize=512)
def _tags_json(tags: tuple[str, ...]) -> str:
    return json.dumps(list(tags))


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
        spec.url: (spec.title, _tags_json(spec.tags), position, 0)
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
