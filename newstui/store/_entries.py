"""Entry storage for `Store`: upserts that spare user state, queries, read marks, bookmarks.

Kept out of `store/__init__.py` so each file has one job; `Store` mixes this in.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

from newstui.core.config_search import Filter
from newstui.core.models import Entry, Headline
from newstui.core.rows import GUID, HASH, PUBLISHED, EntryRow, epoch
from newstui.core.rows import content_hash as _content_hash
from newstui.core.rows import feed_columns as _feed_columns
from newstui.core.searchtext import EntryColumns
from newstui.store._convert import HIDDEN_BOOKMARKS, enclosures_from_json, from_epoch
from newstui.store._convert import entry_filters as _filters
from newstui.store._filters import judge
from newstui.store._pending import record_pending
from newstui.store._search_index import PREPARED_MAX, Prepared

__all__ = ["EntriesMixin", "_content_hash", "_feed_columns"]  # the last two: store._imports

if TYPE_CHECKING:
    from collections.abc import Callable

_ENTRY_COLUMNS = (
    "e.id, e.feed_url, e.guid, e.title, e.link, e.author, e.published_at, e.updated_at,"
    " e.first_seen_at, e.sort_at, e.summary_html, e.content_html, e.enclosures, e.read,"
    " e.read_at, e.bookmarked, e.bookmarked_at,"
    " COALESCE(f.user_title, f.title, f.url) AS feed_title"
)
_CHUNK = 500  # stay well below SQLite's host-parameter limit


class EntriesMixin:
    """Entry methods of `Store`; relies on its `_write` and `_query`."""

    if TYPE_CHECKING:
        _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
        _query: Callable[..., list[sqlite3.Row]]
        _ids: Callable[..., array[int]]

    # -- written by refreshes ---------------------------------------------------------------

    @staticmethod
    def _upsert_entries(
        db: sqlite3.Connection,
        feed_url: str,
        rows: Sequence[EntryRow],
        now: datetime,
        *,
        feed_title: str = "",
        filters: Sequence[Filter] = (),
        own_columns: Sequence[EntryColumns] = (),
        prepared: Prepared | None = None,
    ) -> tuple[int, int]:
        """Insert new entries and rewrite changed ones; returns (new, updated).

        One query answers which entries are known (and with what content), then one
        `executemany` each inserts and updates: per entry, only a dictionary lookup. Only feed
        columns are written: `read` and `bookmarked` keep whatever the user set, so an entry
        whose text is edited upstream stays read. New entries start as `filters` leave them.
        Search indexing is left pending; a rewritten entry leaves the index at once (triggers,
        see `_search_index`). `own_columns`: the rows' `FeedRows.index`, if any: the new entries'
        columns are kept in `prepared` by row id for `index_pending`.
        """
        known: dict[str, tuple[str, int]] = {}
        guids = [row[GUID] for row in rows]
        for start in range(0, len(guids), _CHUNK):
            chunk = guids[start : start + _CHUNK]
            known.update(
                (guid, (digest, entry_id))
                for guid, digest, entry_id in db.execute(
                    "SELECT guid, content_hash, id FROM entries WHERE feed_url = ?"
                    f" AND guid IN ({','.join('?' * len(chunk))})",
                    (feed_url, *chunk),
                )
            )
        seen = epoch(now)
        fresh: list[tuple[int, EntryRow]] = []
        updates = []
        for position, row in enumerate(rows):
            previous = known.get(row[GUID])
            if previous is None:
                fresh.append((position, row))
            elif previous[0] != row[-1]:
                updates.append((*row[1:], feed_url, row[GUID]))
        new_rows = [row for _, row in fresh]
        verdicts = (
            judge(db, feed_url, feed_title, new_rows, filters, now) if filters and fresh else None
        )
        inserts = []
        for index, (position, row) in enumerate(fresh):
            state: tuple[object, ...] = (0, None, 0, None, 0)
            if verdicts is not None:
                v = verdicts[index]
                state = (int(v.read), seen if v.read else None, int(v.bookmarked),
                         seen if v.bookmarked else None, int(v.hidden))  # fmt: skip
            # Undated entries sort by when they were first seen, a second apart in the
            # feed's own order (newest first); nothing sorts later than it was seen.
            dated = row[PUBLISHED]
            published = min(dated, seen) if dated is not None else seen - position
            inserts.append((feed_url, *row, seen, published, *state))
        keep = (
            bool(inserts and own_columns)
            and prepared is not None
            and len(prepared) + len(inserts) <= PREPARED_MAX
        )
        if keep:  # row ids go up by one per insert (max + 1: no AUTOINCREMENT), checked below
            before = db.execute("SELECT COALESCE(max(id), 0) FROM entries").fetchone()[0]
        if inserts:
            db.executemany(
                "INSERT INTO entries (feed_url, guid, title, link, author, published_at,"
                " updated_at, summary_html, content_html, enclosures, content_hash,"
                " first_seen_at, sort_at, read, read_at, bookmarked, bookmarked_at, hidden)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
            if keep and prepared is not None:
                last = db.execute("SELECT last_insert_rowid()").fetchone()[0]
                if last == before + len(inserts):
                    for entry_id, (position, row) in enumerate(fresh, start=before + 1):
                        prepared[entry_id] = (row[HASH], own_columns[position])
        if updates:
            db.executemany(
                "UPDATE entries SET title = ?, link = ?, author = ?, published_at = ?,"
                " updated_at = ?, summary_html = ?, content_html = ?, enclosures = ?,"
                # An edited entry keeps its place: undated, where it was; dated, never later
                # than first seen (feeds that stamp every item with the build time moved them
                # all to the top of All unread on every refresh).
                " content_hash = ?,"
                " sort_at = CASE WHEN ?4 IS NULL THEN sort_at ELSE MIN(?4, first_seen_at) END"
                " WHERE feed_url = ? AND guid = ?",
                updates,
            )
        tagged = {
            row[GUID]: v.tags for row, v in zip(new_rows, verdicts or (), strict=False) if v.tags
        }
        if tagged:
            found = db.execute(
                "SELECT guid, id FROM entries WHERE feed_url = ?"
                f" AND guid IN ({','.join('?' * len(tagged))})",
                (feed_url, *tagged),
            ).fetchall()
            db.executemany(
                "INSERT OR IGNORE INTO entry_tags (entry, tag) VALUES (?, ?)",
                [(entry_id, tag) for guid, entry_id in found for tag in tagged[guid]],
            )
        return len(inserts), len(updates)

    # -- queries ----------------------------------------------------------------------------

    def entries(
        self,
        feed_url: str | None = None,
        *,
        unread_only: bool = False,
        bookmarked_only: bool = False,
        limit: int | None = None,
    ) -> list[Entry]:
        """Entries of one visible feed (or all), newest first."""
        where, params = _filters(feed_url, unread_only, bookmarked_only)
        sql = (
            f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.url = e.feed_url"
            f" WHERE e.id IN (SELECT id FROM entries WHERE {where})"
            " ORDER BY e.sort_at DESC, e.id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_entry(row) for row in self._query(sql, params)]

    def entry_ids(
        self,
        feed_url: str | Sequence[str] | None = None,
        *,
        unread_only: bool = False,
        bookmarked_only: bool = False,
    ) -> array[int]:
        """Row ids of a view, newest first: cheap even for 100k rows, for windowed lists (an
        array of 8-byte ids, not a list: `Store._ids`)."""
        where, params = _filters(feed_url, unread_only, bookmarked_only)
        return self._ids(
            f"SELECT id FROM entries WHERE {where} ORDER BY sort_at DESC, id DESC", params
        )

    def entries_by_id(self, ids: Sequence[int]) -> list[Entry]:
        """The entries with these row ids, in the order given (missing ids are skipped)."""
        found: dict[int, Entry] = {}
        for chunk in _chunks(ids):
            rows = self._query(
                f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.url = e.feed_url"
                f" WHERE e.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row["id"], _entry(row)) for row in rows)
        return [found[i] for i in ids if i in found]

    def headlines(self, ids: Sequence[int]) -> list[Headline]:
        """Headline rows for these ids, in the order given: what a list shows, no bodies."""
        found: dict[int, Headline] = {}
        for chunk in _chunks(ids):
            rows = self._query(
                "SELECT e.id, e.feed_url, COALESCE(f.user_title, f.title, f.url), e.title,"
                " e.sort_at, e.read, e.bookmarked, e.enclosures IS NOT NULL FROM entries e"
                " JOIN feeds f ON f.url = e.feed_url"
                f" WHERE e.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row[0]] = Headline(
                    row[0], row[1], row[2], row[3], _utc(row[4]), bool(row[5]), bool(row[6]),
                    bool(row[7]),
                )  # fmt: skip
        return [found[i] for i in ids if i in found]

    def hidden_bookmarks(self) -> int:
        """Bookmarks whose feed left feeds.toml: still in the Bookmarks view, so still counted."""
        return self._ids(HIDDEN_BOOKMARKS)[0]

    def entry(self, entry_id: int) -> Entry | None:
        """One entry with its bodies, or None when it is gone (pruned, feed hidden)."""
        found = self.entries_by_id([entry_id])
        return found[0] if found else None

    # -- written by the user ----------------------------------------------------------------

    def set_read(self, ids: Sequence[int], read: bool, *, now: datetime) -> list[int]:
        """Mark entries read or unread; returns the ids that actually changed (for undo)."""
        return self._set_flag("read", ids, read, now)

    def set_bookmarked(self, ids: Sequence[int], bookmarked: bool, *, now: datetime) -> list[int]:
        """Add or remove bookmarks; returns the ids that actually changed."""
        return self._set_flag("bookmarked", ids, bookmarked, now)

    def _set_flag(self, column: str, ids: Sequence[int], value: bool, now: datetime) -> list[int]:
        changed: list[int] = []
        with self._write() as db:
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                done = [
                    row[0]
                    for row in db.execute(
                        f"UPDATE entries SET {column} = ?, {column}_at = ?"
                        f" WHERE id IN ({marks}) AND {column} != ? RETURNING id",
                        (int(value), epoch(now) if value else None, *chunk, int(value)),
                    )
                ]
                changed += done
                # In the same transaction as the mark, so no crash can keep one without the
                # other: the desired state of each changed entry of a server feed, for the
                # next sync to push (store/_sync.py).
                record_pending(db, column, done, value, now)
        return changed

    def mark_all_read(self, feed_url: str | None = None, *, now: datetime) -> list[int]:
        """Mark every unread entry of a feed (or of all visible feeds) read; returns their ids."""
        return self.set_read(self.entry_ids(feed_url, unread_only=True), True, now=now)

    def prune(self, older_than: datetime) -> int:
        """Delete read, un-bookmarked entries dated before `older_than`; returns how many.

        Unread and bookmarked entries are never pruned. Nor is anything the feed still lists:
        deleting those would bring them back as unread on the next refresh.
        """
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM entries WHERE read = 1 AND bookmarked = 0 AND sort_at < ?"
                " AND guid NOT IN (SELECT value FROM json_each("
                "  (SELECT current_ids FROM feed_documents WHERE url = entries.feed_url)))",
                (epoch(older_than),),
            )
            return cursor.rowcount


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _utc(value: int) -> datetime:
    moment = from_epoch(value)
    assert moment is not None
    return moment


def _entry(row: sqlite3.Row) -> Entry:
    first_seen = from_epoch(row["first_seen_at"])
    assert first_seen is not None
    return Entry(
        id=row["id"],
        feed_url=row["feed_url"],
        guid=row["guid"],
        title=row["title"],
        link=row["link"],
        author=row["author"],
        published_at=from_epoch(row["sort_at"]) or first_seen,
        updated_at=from_epoch(row["updated_at"]),
        first_seen_at=first_seen,
        summary_html=row["summary_html"],
        content_html=row["content_html"],
        enclosures=enclosures_from_json(row["enclosures"]),
        read=bool(row["read"]),
        read_at=from_epoch(row["read_at"]),
        bookmarked=bool(row["bookmarked"]),
        bookmarked_at=from_epoch(row["bookmarked_at"]),
        feed_title=row["feed_title"],
    )
