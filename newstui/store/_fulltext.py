"""Reader-mode pages kept in the store, so full text is there offline and after a restart."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newstui.store._convert import epoch, from_epoch

FULL_TEXT_RETRY_SECONDS = 3600
"""The shortest wait before a failed page is fetched again."""
FULL_TEXT_GIVE_UP_SECONDS = 7 * 86_400
"""A page still failing a week after its entry appeared is not tried again (the user's `f`
still does)."""


@dataclass(frozen=True, slots=True)
class FullText:
    """What reader mode found for an entry: sanitized article HTML, or why there is none."""

    url: str
    html: str | None
    error: str | None
    fetched_at: datetime


class FullTextMixin:
    """Full-text methods of `Store`; relies on its `_write` and `_query`."""

    if TYPE_CHECKING:
        _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
        _query: Callable[..., list[sqlite3.Row]]

    def full_text(self, entry_id: int) -> FullText | None:
        rows = self._query(
            "SELECT url, html, error, fetched_at FROM full_texts WHERE entry = ?", (entry_id,)
        )
        if not rows:
            return None
        row = rows[0]
        fetched = from_epoch(row["fetched_at"])
        assert fetched is not None
        return FullText(row["url"], row["html"], row["error"], fetched)

    def save_full_text(
        self, entry_id: int, url: str, *, html: str | None, error: str | None, now: datetime
    ) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO full_texts (entry, url, html, error, fetched_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (entry) DO UPDATE SET url = excluded.url,"
                " html = excluded.html, error = excluded.error, fetched_at = excluded.fetched_at",
                (entry_id, url, html, error, epoch(now)),
            )

    def entry_id_for_link(self, url: str) -> int | None:
        """The stored entry whose link is `url` (the newest, if several share it)."""
        rows = self._query(
            "SELECT e.id FROM entries e JOIN feeds f ON f.url = e.feed_url"
            " WHERE e.link = ? ORDER BY f.hidden, e.sort_at DESC LIMIT 1",
            (url,),
        )
        return rows[0][0] if rows else None

    def entries_missing_full_text(
        self, feed_url: str, since: datetime, limit: int, *, now: datetime | None = None
    ) -> list[int]:
        """Entries of a full-text feed whose page should be fetched now, newest first.

        Those first seen since `since` that have no page yet, and those whose last attempt
        failed and whose back-off has passed: a failed page waits at least an hour, then as long
        as the entry had been waiting already (1 h, 2 h, 4 h...), and is given up a week after
        the entry first appeared. So a broken page is not fetched again on every refresh, and a
        page that was down for a while is still fetched once it is back.
        """
        now = now or since
        rows = self._query(
            "SELECT e.id FROM entries e LEFT JOIN full_texts t ON t.entry = e.id"
            " WHERE e.feed_url = ? AND e.link IS NOT NULL AND ("
            "   (t.entry IS NULL AND e.first_seen_at >= ?)"
            "   OR (t.html IS NULL AND e.first_seen_at >= ?"
            "       AND ? - t.fetched_at >= MAX(?, t.fetched_at - e.first_seen_at))"
            " ) ORDER BY e.sort_at DESC LIMIT ?",
            (
                feed_url,
                epoch(since),
                epoch(now) - FULL_TEXT_GIVE_UP_SECONDS,
                epoch(now),
                FULL_TEXT_RETRY_SECONDS,
                limit,
            ),
        )
        return [row[0] for row in rows]
