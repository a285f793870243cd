"""The reader's first screen (feed rows, their counts, the unread ids), read on a thread while
the user interface is still importing.

Importing Textual and the screens keeps the main thread busy for ~300-400 ms at launch, and the
first screen's reads (counting 100,000 entries by feed, the unread ids newest first) took
~120 ms more after that on the 100k-entry benchmark store. Here they run on the other core
meanwhile. Each read is one SQL statement that returns ONE row (the rows packed with
`json_group_array`): SQLite works without Python's GIL inside a statement, but
a thread that needs the GIL back for every row of thousands waits on the importing thread
every time (tried in an earlier session: 70 ms of queries took 280 ms).

What was read is used only if no connection committed anything since (`PRAGMA data_version`):
a refresh in another process makes the screen read the store again, as it would without this.
It also says whether the feed rows match feeds.toml (`feeds_in_sync`, the test
`Store.sync_feeds` makes): as a rule they do, and the reader skips that write and its reads
(~15 ms); when they do not, the reader writes them and reads the store again.
"""

from __future__ import annotations

import json
import operator
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newstui.core.models import Feed, FeedSpec
from newstui.store._convert import (
    COUNTS_BY_FEED,
    FEED_COLUMNS,
    HIDDEN_BOOKMARKS,
    NO_COUNTS,
    feed_from_row,
    feed_list_changes,
)
from newstui.store._entries import _filters

WAIT_AT_MOST = 5.0
"""Seconds `take` waits for the thread (it has been done for a while by then, as a rule)."""

_FEEDS = (
    f"SELECT json_group_array(json_array({FEED_COLUMNS}, f.position)) FROM feeds f"
    " WHERE f.hidden = 0"
)
_COUNTS = (
    f"SELECT json_group_array(json_array(feed_url, n, unread, bookmarks)) FROM ({COUNTS_BY_FEED})"
)
_WHERE, _PARAMS = _filters(None, unread_only=True, bookmarked_only=False)
_UNREAD = (
    "SELECT json_group_array(id), json_group_array(sort_at), COUNT(*) FROM ("
    f" SELECT id, sort_at FROM entries WHERE {_WHERE} ORDER BY sort_at DESC, id DESC)"
)


@dataclass(frozen=True, slots=True)
class FirstScreenData:
    """What `Store.feeds()`, `Store.hidden_bookmarks()` and the unread view's
    `Store.entry_ids(unread_only=True)` return, read at once."""

    feeds: list[Feed]
    hidden_bookmarks: int
    unread_ids: list[int]
    feeds_in_sync: bool = False
    """The feed rows are those `Store.sync_feeds(specs)` would leave: it has nothing to write."""


class FirstScreen:
    """Starts reading at once (on a thread); `take()` gives the result, or None when it is out
    of date or could not be read (the caller then reads the store itself)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._raw: tuple[int, str, str, str, str, int, int] | None = None
        self._db: sqlite3.Connection | None = None
        self._thread = threading.Thread(target=self._read, name="newstui-first-screen", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        if not self.db_path.exists():
            return  # a first launch: the store creates its database, there is nothing to read
        db = None
        try:
            db = sqlite3.connect(
                self.db_path, timeout=0.5, isolation_level=None, check_same_thread=False
            )
            db.execute("BEGIN")  # one read transaction: the counts and the ids agree
            version = db.execute("PRAGMA data_version").fetchone()[0]
            (feeds,) = db.execute(_FEEDS).fetchone()
            (counts,) = db.execute(_COUNTS).fetchone()
            ids, sort_ats, count = db.execute(_UNREAD, _PARAMS).fetchone()
            (hidden,) = db.execute(HIDDEN_BOOKMARKS).fetchone()
            db.execute("COMMIT")
        except sqlite3.Error:
            if db is not None:
                db.close()
            return
        self._raw = (version, feeds, counts, ids, sort_ats, count, hidden)
        self._db = db

    def take(self, specs: Sequence[FeedSpec] | None = None) -> FirstScreenData | None:
        """The first screen as read, if the database has not changed since; call once.
        `specs`: feeds.toml's feeds, for `FirstScreenData.feeds_in_sync`."""
        self._thread.join(WAIT_AT_MOST)
        db, raw, self._db, self._raw = self._db, self._raw, None, None
        if db is None or raw is None or self._thread.is_alive():
            return None
        try:
            version, feeds_json, counts_json, ids, sort_ats, count, hidden = raw
            try:
                if db.execute("PRAGMA data_version").fetchone()[0] != version:
                    return None  # written meanwhile (feeds.toml's changes, a refresh)
            finally:
                db.close()
        except sqlite3.Error:
            return None
        unread = _ordered_ids(ids, sort_ats, count)
        if unread is None:
            return None
        counts = {url: (n, u, b) for url, n, u, b in json.loads(counts_json)}
        rows = json.loads(feeds_json)
        # feeds.toml order, as `Store.feeds()` sorts (NULL positions first, as SQLite does).
        rows.sort(key=lambda row: (row[-1] is not None, row[-1] or 0))
        feeds = [feed_from_row(row[:-1], counts.get(row[0], NO_COUNTS)) for row in rows]
        in_sync = False
        if specs is not None:
            # Only visible rows were read: enough (see `feed_list_changes`).
            stored = {r[0]: (r[1], r[4], r[-1], r[5]) for r in rows if r[-2] == "local"}
            server = {r[0] for r in rows if r[-2] == "server"}
            in_sync = feed_list_changes(specs, stored, server) == ([], [])
        return FirstScreenData(feeds, hidden, unread, in_sync)


def _ordered_ids(ids: str, sort_ats: str, count: int) -> list[int] | None:
    """The ids, newest first, checked: SQL does not promise that an aggregate sees its
    subquery's rows in order, so an order it did not keep means None (read the usual way).
    (Checked on the dates alone: 1 ms for 30,000 ids, against 17 with the ids' tie-break.)"""
    id_list: list[int] = json.loads(ids)
    keys: list[int] = json.loads(sort_ats)
    if len(id_list) != count or len(keys) != count:
        return None
    if not all(map(operator.ge, keys, keys[1:])):
        return None
    return id_list
