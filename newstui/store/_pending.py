"""Recording the user's read/bookmark changes to server entries as pending marks.

Called by `_entries._set_flag`, the one path every read and bookmark change takes, inside its
write transaction. Kept apart from `_sync.py` so `_entries.py` need not import the sync mixin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime


def record_pending(
    db: sqlite3.Connection, column: str, ids: Sequence[int], value: bool, now: datetime
) -> None:
    """Upsert the desired `value` of `column` for the entries of `ids` that belong to a feed
    the sync server owns; entries of local feeds have nowhere to be pushed."""
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    db.execute(
        "INSERT INTO pending_marks (entry, field, value, changed_at_ms)"
        f" SELECT id, ?, ?, ? FROM entries WHERE id IN ({marks})"
        "  AND feed_url IN (SELECT url FROM feeds WHERE origin = 'server')"
        " ON CONFLICT (entry, field) DO UPDATE SET value = excluded.value,"
        " changed_at_ms = excluded.changed_at_ms",
        (column, int(value), epoch_ms(now), *ids),
    )


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
