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
The same read gives the first screenful of unread headlines and the theme last picked in the
reader, for the early first frame (`newstui.early_frame`), which `wait` hands out before the
user interface exists; `take` then reuses what `wait` decoded.

It also says whether the feed rows match feeds.toml (`feeds_in_sync`, the test
`Store.sync_feeds` makes): as a rule they do, and the reader skips that write and its reads
(~15 ms); when they do not, the reader writes them and reads the store again.
"""

from __future__ import annotations

import json
import operator
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newstui.core.models import Feed, FeedSpec, Headline
from newstui.store._convert import (
    COUNTS_BY_FEED,
    FEED_COLUMNS,
    HIDDEN_BOOKMARKS,
    NO_COUNTS,
    feed_from_row,
    feed_list_changes,
    from_epoch,
)
from newstui.store._entries import _filters

FIRST_HEADLINES = 200
"""Headlines read for the early first frame: a screenful on any terminal (a taller one means
no early frame)."""

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

_HEADLINES = (
    "SELECT json_group_array(json_array(e.id, e.feed_url, COALESCE(f.user_title, f.title, f.url),"
    " e.title, e.sort_at, e.read, e.bookmarked, e.enclosures IS NOT NULL)) FROM ("
    f" SELECT id FROM entries WHERE {_WHERE} ORDER BY sort_at DESC, id DESC"
    f" LIMIT {FIRST_HEADLINES}) AS u"
    " JOIN entries e ON e.id = u.id JOIN feeds f ON f.url = e.feed_url"
)
_THEME_STATE = "SELECT json_group_object(key, value) FROM ui_state WHERE key LIKE 'theme%'"


@dataclass(frozen=True, slots=True)
class EarlyData:
    """What the early first frame shows: the feeds with their counts, the first unread
    headlines (newest first, as the list shows them) and the theme state (`ui_state`)."""

    feeds: list[Feed]
    hidden_bookmarks: int
    unread_count: int
    headlines: list[Headline]
    theme_state: dict[str, str]


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
        self._raw: tuple[int, str, str, str, str, int, int, str, str] | None = None
        self._decoded: tuple[list[Feed], list[list[object]], list[int] | None] | None = None
        self.palette_request: tuple[Path, str] | None = None
        """Where and under which key the reader is to keep its first frame's colours (set by
        `newstui.early_frame` when it had none to draw with)."""
        self.on_textual: Callable[[object], None] | None = None
        """Called with Textual's driver once it has the terminal (`EarlyFrame.handed_over`)."""
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
            (headlines,) = db.execute(_HEADLINES, _PARAMS).fetchone()
            (theme,) = db.execute(_THEME_STATE).fetchone()
            db.execute("COMMIT")
        except sqlite3.Error:
            if db is not None:
                db.close()
            return
        self._raw = (version, feeds, counts, ids, sort_ats, count, hidden, headlines, theme)
        self._db = db

    @property
    def read_done(self) -> bool:
        """The reads are over (read, or given up): `wait` would not wait."""
        return not self._thread.is_alive()

    def wait(self, timeout: float, specs: Sequence[FeedSpec] | None = None) -> EarlyData | None:
        """The early first frame's data, if read within `timeout` seconds (None: not yet,
        nothing to read, or, with `specs` (feeds.toml's feeds), feed rows the reader will
        rewrite before its first frame). Consumes nothing: `take` still checks it is current."""
        self._thread.join(timeout)
        raw = self._raw
        if raw is None or self._thread.is_alive():
            return None
        try:
            if self._db is None or self._db.execute("PRAGMA data_version").fetchone()[0] != raw[0]:
                return None  # written since (an upgrade, a refresh in another program)
        except sqlite3.Error:
            return None
        try:
            _, _, _, _, _, count, hidden, headlines_json, theme_json = raw
            feeds, rows, unread = self._decode(raw)
            if unread is None or (specs is not None and not _in_sync(rows, specs)):
                return None
            by_id = {row[0]: row for row in json.loads(headlines_json)}
            headlines = [
                Headline(r[0], r[1], r[2], r[3], _moment(r[4]), bool(r[5]), bool(r[6]), bool(r[7]))
                for r in (by_id[i] for i in unread[:FIRST_HEADLINES] if i in by_id)
            ]
            theme = json.loads(theme_json)
        except (ValueError, TypeError, KeyError, IndexError):
            return None
        return EarlyData(feeds, hidden, count, headlines, theme)

    def _decode(
        self, raw: tuple[int, str, str, str, str, int, int, str, str]
    ) -> tuple[list[Feed], list[list[object]], list[int] | None]:
        """Feeds (feeds.toml order), their raw rows and the unread ids; decoded once."""
        if self._decoded is None:
            _, feeds_json, counts_json, ids, sort_ats, count, _, _, _ = raw
            unread = _ordered_ids(ids, sort_ats, count)
            counts = {url: (n, u, b) for url, n, u, b in json.loads(counts_json)}
            rows = json.loads(feeds_json)
            # feeds.toml order, as `Store.feeds()` sorts (NULL positions first, as SQLite does).
            rows.sort(key=lambda row: (row[-1] is not None, row[-1] or 0))
            feeds = [feed_from_row(row[:-1], counts.get(row[0], NO_COUNTS)) for row in rows]
            self._decoded = (feeds, rows, unread)
        return self._decoded

    def take(self, specs: Sequence[FeedSpec] | None = None) -> FirstScreenData | None:
        """The first screen as read, if the database has not changed since; call once.
        `specs`: feeds.toml's feeds, for `FirstScreenData.feeds_in_sync`."""
        self._thread.join(WAIT_AT_MOST)
        db, raw, self._db, self._raw = self._db, self._raw, None, None
        if db is None or raw is None or self._thread.is_alive():
            return None
        try:
            version = raw[0]
            try:
                if db.execute("PRAGMA data_version").fetchone()[0] != version:
                    return None  # written meanwhile (feeds.toml's changes, a refresh)
            finally:
                db.close()
        except sqlite3.Error:
            return None
        feeds, rows, unread = self._decode(raw)
        self._decoded = None
        if unread is None:
            return None
        in_sync = specs is not None and _in_sync(rows, specs)
        return FirstScreenData(feeds, raw[6], unread, in_sync)


def _in_sync(rows: list[list[object]], specs: Sequence[FeedSpec]) -> bool:
    """Whether `Store.sync_feeds(specs)` would write nothing to these feed rows. Only visible
    rows were read: enough (see `feed_list_changes`)."""
    stored = {r[0]: (r[1], r[4], r[-1], r[5]) for r in rows if r[-2] == "local"}
    server = {r[0] for r in rows if r[-2] == "server"}
    return feed_list_changes(specs, stored, server) == ([], [])


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


def _moment(value: int) -> datetime:
    moment = from_epoch(value)
    if moment is None:
        raise ValueError(value)
    return moment
