"""Conversions between Python values and their stored form. Times are whole UTC epoch seconds.

The feed rows' SQL and conversion live in `newstui.store._feed_sql` (re-exported here).
"""

from __future__ import annotations

import json

from newstui.core.models import Enclosure
from newstui.core.rows import enclosures_json, epoch
from newstui.store._feed_sql import (
    FEED_COLUMNS,
    FEED_COUNTS,
    HIDDEN_BOOKMARKS,
    NO_COUNTS,
    entry_filters,
    feed_from_row,
    feed_list_changes,
    from_epoch,
)

__all__ = [
    "FEED_COLUMNS",
    "FEED_COUNTS",
    "HIDDEN_BOOKMARKS",
    "NO_COUNTS",
    "enclosures_from_json",
    "enclosures_json",
    "entry_filters",
    "epoch",
    "feed_from_row",
    "feed_list_changes",
    "from_epoch",
]


def enclosures_from_json(value: str | None) -> tuple[Enclosure, ...]:
    """See `enclosures_json`: rows written before durations were kept have three items."""
    if not value:
        return ()
    return tuple(Enclosure(*item[:4]) for item in json.loads(value))
