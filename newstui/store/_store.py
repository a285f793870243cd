"""The `Store` class: one newstui database file (see the package's docstring, `newstui.store`,
for the rules every method keeps)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from newstui.core.config_search import Filter
from newstui.core.errors import StoreError
from newstui.core.models import Feed, FeedSpec, FeedState, ParsedFeed
from newstui.core.rows import GUID, FeedRows, feed_rows
from newstui.core.searchtext import fold
from newstui.store import schema
from newstui.store._convert import (
    FEED_COLUMNS,
    FEED_COUNTS,
    NO_COUNTS,
    epoch,
    feed_from_row,
    feed_list_changes,
    from_epoch,
)
from newstui.store._entries import EntriesMixin
from newstui.store._errors import translated
from newstui.store._fulltext import FullText, FullTextMixin
from newstui.store._imports import (
    ImportCounts,
    ImportedEntry,
    ImportsMixin,
    NewsboatCache,
    NewsboatItem,
    read_newsboat_cache,
)
from newstui.store._search_index import Prepared, Progress, index_pending, pending, register
from newstui.store._state import StateMixin
from newstui.store._sync import SyncMixin
from newstui.store.search import SearchMixin

BUSY_TIMEOUT_SECONDS = 30.0

READER_CACHE_KIB = 256
"""SQLite's page cache for each of the reader's connections (`Store(cache_kib=...)`), not the
default 2 MB: the reader holds four (its own, the background reloads', two for its writes),
and while a refresh writes, each read transaction finds the database changed and starts its
cache over anyway, so the pages only add to the reader's memory. The queries the reader makes
read what they need again from the operating system's cache."""


class Store(EntriesMixin, FullTextMixin, ImportsMixin, SyncMixin, SearchMixin, StateMixin):
    """A newstui database file (or `":memory:"` for tests)."""

    def __init__(
        self,
        path: str | Path,
        *,
        progress: Progress | None = None,
        busy_timeout: float | None = None,
        cache_kib: int | None = None,
    ) -> None:
        """Open (and if needed create or upgrade) the database at `path`.

        `progress` hears (done, total) while an upgrade builds the search index.
        `busy_timeout`: seconds a write waits for another program's lock before failing as
        `locked` (default `BUSY_TIMEOUT_SECONDS`); the reader's key presses use 0, so a locked
        database never stalls its event loop.
        `cache_kib`: SQLite's page cache for this connection (default SQLite's, 2 MB; the
        reader's connections: `READER_CACHE_KIB`).
        """
        self.path = str(path)
        self.filters: tuple[Filter, ...] = ()
        """`[[filters]]` that `save_fetch` applies to new entries (set by a refresh)."""
        self._prepared: Prepared = {}
        """New entries' search columns as the parse workers computed them, by row id, until
        `index_pending` writes them (`store/_search_index.py`); at most `PREPARED_MAX`, and
        empty again after every `index_pending`."""
        with translated(self.path):
            self._db = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS if busy_timeout is None else busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
            )
        self._lock = threading.RLock()
        try:
            with translated(self.path):
                self._db.execute("PRAGMA foreign_keys = ON")
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                if cache_kib is not None:
                    self._db.execute(f"PRAGMA cache_size = {-int(cache_kib)}")  # KiB when < 0
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version > schema.LATEST:
                    raise StoreError(
                        self.path,
                        f"written by a newer newstui (schema {version}, this one knows "
                        f"{schema.LATEST}); upgrade newstui",
                        "newer",
                    )
                # feed: queries fold feed names the way the index folds words.
                self._db.create_function("newstui_fold", 1, fold, deterministic=True)
                register(self._db)  # the search index's view (store/_search_index.py)
                if version < schema.LATEST:
                    schema.migrate(self._db, progress=progress)
        except BaseException:
            self._db.close()
            raise

    @staticmethod
    def needs_upgrade(path: str | Path) -> bool:
        """Whether opening `path` will upgrade an existing database (which may take seconds:
        a new schema may build an index), so a command can show progress first."""
        if str(path) == ":memory:" or not Path(path).exists():
            return False
        try:
            raw = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
            try:
                version = raw.execute("PRAGMA user_version").fetchone()[0]
            finally:
                raw.close()
        except sqlite3.Error:
            return False  # opening it for real will say what is wrong
        return bool(0 < version < schema.LATEST)

    def index_pending(self, progress: Progress | None = None) -> int:
        """Bring the search index up to date (new, changed entries); returns how many were
        indexed. Refreshes call this in batches; searches call it first."""
        with self._read() as db:
            if not pending(db):
                self._prepared.clear()  # indexed by another connection (a reader's search)
                return 0
        with self._write() as db:
            return index_pending(db, progress, self._prepared)

    def close(self) -> None:
        with self._lock, translated(self.path):
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Every statement runs inside one of these four helpers, and each turns a sqlite3 error into
    # a StoreError: the one place where errors are translated.

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction: all of it is stored, or none of it."""
        with self._lock, translated(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same snapshot of the database."""
        with self._lock, translated(self.path):
            self._db.execute("BEGIN")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """End a failed transaction without hiding why it failed.

        SQLite has already rolled back after some errors (SQLITE_FULL, an interrupted
        statement): a second ROLLBACK would fail with "no transaction is active" and that
        error, not the real one, would reach the user.
        """
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def _ids(self, sql: str, params: Sequence[object] = ()) -> array[int]:
        """The first column of every row, as 8-byte integers read straight off the cursor.

        Not a list: a view's ids are kept by the reader (55,000 unread once a refresh is in)
        and read again at every reload, and as a list each id is an int object and a pointer
        (~36 bytes: 2.2 MB, strewn over the heap, freed and made again every 2 s while a
        refresh delivers); as an array 8 bytes, in one block, and each row's tuple is let go
        as soon as its id is copied out."""
        with self._lock, translated(self.path):
            return array("q", (row[0] for row in self._db.execute(sql, params)))

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock, translated(self.path):
            cursor = self._db.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # -- feeds ------------------------------------------------------------------------------

    def sync_feeds(self, specs: Sequence[FeedSpec], *, now: datetime) -> None:
        """Make the stored feed list match feeds.toml.

        New URLs are added; feeds no longer listed are hidden, never deleted, so their read
        marks and bookmarks come back when the user lists them again. When nothing changed
        (every start-up but the first after an edit), nothing is written.
        """
        stored = {
            row[0]: (row[1], row[2], row[3], row[4])
            for row in self._query(
                "SELECT url, user_title, tags, position, hidden FROM feeds WHERE origin = 'local'"
            )
        }
        server = {row[0] for row in self._query("SELECT url FROM feeds WHERE origin = 'server'")}
        changed, gone = feed_list_changes(specs, stored, server)
        if not changed and not gone:
            return
        with self._write() as db:
            db.executemany("UPDATE feeds SET hidden = 1 WHERE url = ?", [(url,) for url in gone])
            db.executemany(
                "INSERT INTO feeds (url, user_title, tags, position, hidden, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET user_title = excluded.user_title,"
                " tags = excluded.tags, position = excluded.position, hidden = 0",
                [(*row, epoch(now)) for row in changed],
            )

    def display_titles(self) -> dict[str, str]:
        """Each feed's title as lists show it (the user's, else the feed's own), for feeds that
        have one: what `feeds()` gives without counting every entry."""
        titles = {}
        for url, user_title, title in self._query("SELECT url, user_title, title FROM feeds"):
            shown = user_title or title
            if shown and shown != url:
                titles[url] = shown
        return titles

    def feed_states(self) -> dict[str, FeedState]:
        """What the refresh needs to know before fetching each visible feed."""
        return {
            row["url"]: FeedState(
                url=row["url"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                body_hash=row["body_hash"],
                failures=row["failures"],
                next_due_at=from_epoch(row["next_due_at"]),
                moved_to=row["moved_to"],
                from_server=row["origin"] == "server",
            )
            for row in self._query(
                "SELECT url, etag, last_modified, body_hash, failures, next_due_at, moved_to,"
                " origin FROM feeds WHERE hidden = 0"
            )
        }

    def feeds(self, *, include_hidden: bool = False) -> list[Feed]:
        """Every feed in feeds.toml order, with entry counts."""
        count = len(NO_COUNTS)
        with self._read() as db:
            rows = db.execute(
                # Named columns, not f.*: the fetch bookkeeping is not shown.
                f"SELECT {FEED_COLUMNS}, {FEED_COUNTS} FROM feeds f"
                + ("" if include_hidden else " WHERE f.hidden = 0")
                + " ORDER BY f.hidden, f.position"
            )
            # Off the cursor, not fetchall(): each row's tuple goes as its Feed is made, not
            # 2,000 of them at once beside the Feeds (a reload every 2 s during a refresh).
            return [feed_from_row(row[:-count], row[-count:]) for row in rows]

    def save_fetch(
        self,
        url: str,
        parsed: ParsedFeed | FeedRows,
        *,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        body_hash: str | None,
        next_due_at: datetime,
        moved_to: str | None = None,
        filters: Sequence[Filter] | None = None,
    ) -> tuple[int, int]:
        """Store a successful fetch; returns (new entries, updated entries).

        `parsed` as the parse workers send it (`FeedRows`: the entries' rows already built
        there) or as a `ParsedFeed`. Unchanged entries are not rewritten, and no user state is
        touched, except by `filters` (`[[filters]]`; default `self.filters`), applied in order
        to the new entries in the same transaction.
        """
        if filters is None:
            filters = self.filters
        rows = parsed if isinstance(parsed, FeedRows) else feed_rows(parsed)
        with self._write() as db:
            (user_title,) = db.execute(
                "SELECT user_title FROM feeds WHERE url = ?", (url,)
            ).fetchone()
            new, updated = self._upsert_entries(
                db, url, rows.rows, now,
                feed_title=user_title or parsed.title or url, filters=filters,
                own_columns=rows.index, prepared=self._prepared,
            )  # fmt: skip
            db.execute(
                "UPDATE feeds SET title = ?, site_url = ?, format = ?, etag = ?,"
                " last_modified = ?, body_hash = ?, last_fetched_at = ?,"
                " last_ok_at = ?, last_error = NULL, error_kind = NULL, warning = ?,"
                " failures = 0, next_due_at = ?, moved_to = ? WHERE url = ?",
                (
                    parsed.title or None,
                    parsed.site_url,
                    parsed.format,
                    etag,
                    last_modified,
                    body_hash,
                    epoch(now),
                    epoch(now),
                    parsed.warning,
                    epoch(next_due_at),
                    moved_to,
                    url,
                ),
            )
            db.execute(
                "INSERT INTO feed_documents (url, current_ids) VALUES (?, ?)"
                " ON CONFLICT (url) DO UPDATE SET current_ids = excluded.current_ids",
                (url, json.dumps([row[GUID] for row in rows.rows])),
            )
        return new, updated

    def touch(
        self,
        url: str,
        *,
        now: datetime,
        next_due_at: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        moved_to: str | None = None,
    ) -> None:
        """A fetch that found nothing new (304, or a byte-identical body): no entry is written."""
        with self._write() as db:
            db.execute(
                "UPDATE feeds SET last_fetched_at = ?, last_ok_at = ?, last_error = NULL,"
                " error_kind = NULL, failures = 0, next_due_at = ?,"
                " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
                " moved_to = COALESCE(?, moved_to) WHERE url = ?",
                (epoch(now), epoch(now), epoch(next_due_at), etag, last_modified, moved_to, url),
            )

    def touch_many(self, touches: Sequence[tuple[str, datetime, datetime]]) -> None:
        """`touch` for many feeds answered 304, (url, now, next_due_at) each, in one
        transaction."""
        with self._write() as db:
            db.executemany(
                "UPDATE feeds SET last_fetched_at = ?, last_ok_at = ?, last_error = NULL,"
                " error_kind = NULL, failures = 0, next_due_at = ? WHERE url = ?",
                [(epoch(now), epoch(now), epoch(due), url) for url, now, due in touches],
            )

    def record_failure(
        self, url: str, *, kind: str, message: str, now: datetime, next_due_at: datetime
    ) -> None:
        """Remember why a feed failed; its entries and the user's state stay as they were."""
        with self._write() as db:
            db.execute(
                "UPDATE feeds SET last_fetched_at = ?, last_error = ?, error_kind = ?,"
                " failures = failures + 1, next_due_at = ? WHERE url = ?",
                (epoch(now), message, kind, epoch(next_due_at), url),
            )

    # -- small UI state ---------------------------------------------------------------------


__all__ = [
    "FullText",
    "ImportCounts",
    "ImportedEntry",
    "NewsboatCache",
    "NewsboatItem",
    "Store",
    "StoreError",
    "read_newsboat_cache",
]
