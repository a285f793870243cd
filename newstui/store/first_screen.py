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
The feeds with their counts, the first screenful of unread headlines and the theme last picked
in the reader are read first, for the early first frame (`newstui.early_frame`), which `wait`
hands out before the user interface exists (`take` then reuses what `wait` decoded); the
unread view's ids after that. This module imports nothing of the store but the feed rows' SQL
(`newstui.store._feed_sql`): the reads start ~20 ms into the launch, not after the store's
~60 ms of imports.

It also says whether the feed rows match feeds.toml (`feeds_in_sync`, the test
`Store.sync_feeds` makes): as a rule they do, and the reader skips that write and its reads
(~15 ms); when they do not, the reader writes them and reads the store again.
"""

from __future__ import annotations

import json
import operator
import sqlite3
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from newstui.core.models import Feed, FeedSpec, Headline
from newstui.store._feed_sql import (
    FEED_COLUMNS,
    FEED_COUNTS,
    HIDDEN_BOOKMARKS,
    entry_filters,
    feed_from_row,
    feed_list_changes,
    from_epoch,
    stored_tags,
)

FIRST_HEADLINES = 200
"""Headlines read for the early first frame: a screenful on any terminal (a taller one means
no early frame)."""

WAIT_AT_MOST = 5.0
"""Seconds `take` waits for the thread (it has been done for a while by then, as a rule)."""

_AT_POSITION = 15  # in a row of `_FEEDS`: FEED_COLUMNS, the position, then FEED_COUNTS' three
_FEEDS = (
    f"SELECT json_group_array(json_array({FEED_COLUMNS}, f.position, {FEED_COUNTS}))"
    " FROM feeds f WHERE f.hidden = 0"
)
_WHERE, _PARAMS = entry_filters(None, unread_only=True, bookmarked_only=False)
_UNREAD = (
    "SELECT json_group_array(id), json_group_array(sort_at), COUNT(*) FROM ("
    f" SELECT id, sort_at FROM entries WHERE {_WHERE} ORDER BY sort_at DESC, id DESC)"
)
_HEADLINES = (
    "SELECT json_group_array(json_array(e.id, e.feed_url, COALESCE(f.user_title, f.title, f.url),"
    " e.title, e.sort_at, e.read, e.bookmarked, e.enclosures IS NOT NULL)) FROM ("
    f" SELECT id FROM entries WHERE {_WHERE} ORDER BY sort_at DESC, id DESC"
    f" LIMIT {FIRST_HEADLINES + 1}) AS u"
    " JOIN entries e ON e.id = u.id JOIN feeds f ON f.url = e.feed_url"
)
_THEME_STATE = "SELECT json_group_object(key, value) FROM ui_state WHERE key LIKE 'theme%'"


class EarlyFeed(NamedTuple):
    """What the feed list shows of a feed (`newstui.core.list_rows.FeedFacts`): the early
    frame's 2,000 feeds are these (~2 ms), not `Feed`s (~25 ms, built by `take`)."""

    url: str
    title: str
    tags: tuple[str, ...]
    unread: int
    bookmarks: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class EarlyData:
    """What the early first frame shows: the feeds with their counts, the first unread
    headlines (newest first, as the list shows them) and the theme state (`ui_state`)."""

    feeds: list[EarlyFeed]
    hidden_bookmarks: int
    unread_count: int
    """The unread view's length, counted up to `FIRST_HEADLINES + 1` (more: a longer list)."""
    headlines: list[Headline]
    theme_state: dict[str, str]
    schema_version: int = 0
    """The database's schema (`PRAGMA user_version`), as read."""


@dataclass(frozen=True, slots=True)
class FirstScreenData:
    """What `Store.feeds()`, `Store.hidden_bookmarks()` and the unread view's
    `Store.entry_ids(unread_only=True)` return, read at once."""

    feeds: list[Feed]
    hidden_bookmarks: int
    unread_ids: Sequence[int]
    """An array of 8-byte ids, as `Store.entry_ids` gives them (not a list of int objects)."""
    feeds_in_sync: bool = False
    """The feed rows are those `Store.sync_feeds(specs)` would leave: it has nothing to write."""


_Early = tuple[int, int, str, int, str, str]
"""data_version, user_version, the feeds with counts, hidden bookmarks, headlines, theme."""


class FirstScreen:
    """Starts reading at once (on a thread); `take()` gives the result, or None when it is out
    of date or could not be read (the caller then reads the store itself).

    Two reads: first what the early first frame shows (`wait`: the feeds with their counts and
    a screenful of headlines, ~25 ms on the 100k-entry store), then, once `wait` has checked
    that nothing changed since (or `take` asks), the unread view's ids for the reader (~25 ms
    more). The second read checks that no other program wrote in between (`PRAGMA
    data_version`), so both describe one state of the database."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._early: _Early | None = None
        self._ids: tuple[str, str, int] | None = None
        self._rows: list[list[object]] | None = None
        self.palette_request: tuple[Path, str] | None = None
        """Where and under which key the reader is to keep its first frame's colours (set by
        `newstui.early_frame` when it had none to draw with)."""
        self.on_textual: Callable[[object], None] | None = None
        """Called with Textual's driver once it has the terminal (`EarlyFrame.handed_over`)."""
        self._db: sqlite3.Connection | None = None
        """The thread's connection: used by `wait` before the second read, by `take` after."""
        self._early_read = threading.Event()
        self._go_on = threading.Event()
        """Set by `wait` (after its check, which needs the connection) or `take`: the second
        read may start."""
        self._lock = threading.Lock()  # the connection: `wait`'s check or the second read
        self._thread = threading.Thread(target=self._read, name="newstui-first-screen", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            db = self._read_early()
        finally:
            self._early_read.set()
        if db is None:
            return
        self._go_on.wait(WAIT_AT_MOST)
        with self._lock:
            self._go_on.set()
            ids = self._read_ids(db)
            if ids is not None and self._early is not None and ids[0] == self._early[0]:
                self._ids = ids[1:]
            else:  # failed, or written between the two reads: nothing of it is used
                self._db = None
                db.close()

    def _read_ids(self, db: sqlite3.Connection) -> tuple[int, str, str, int] | None:
        """The second read: (data_version, the unread view's ids, their dates, how many)."""
        try:
            db.execute("BEGIN")
            ids, sort_ats, count = db.execute(_UNREAD, _PARAMS).fetchone()
            # After the read: the version its snapshot has, as the first read's did.
            version = db.execute("PRAGMA data_version").fetchone()[0]
            db.execute("COMMIT")
        except sqlite3.Error:
            return None
        return version, ids, sort_ats, count

    def _read_early(self) -> sqlite3.Connection | None:
        if not self.db_path.exists():
            return None  # a first launch: the store creates its database, nothing to read
        db = None
        try:
            db = sqlite3.connect(
                self.db_path, timeout=0.5, isolation_level=None, check_same_thread=False
            )
            db.execute("BEGIN")  # one read transaction: the counts and the headlines agree
            version = db.execute("PRAGMA data_version").fetchone()[0]
            (schema,) = db.execute("PRAGMA user_version").fetchone()
            (feeds,) = db.execute(_FEEDS).fetchone()
            (hidden,) = db.execute(HIDDEN_BOOKMARKS).fetchone()
            (headlines,) = db.execute(_HEADLINES, _PARAMS).fetchone()
            (theme,) = db.execute(_THEME_STATE).fetchone()
            db.execute("COMMIT")
        except sqlite3.Error:
            if db is not None:
                db.close()
            return None
        self._early = (version, schema, feeds, hidden, headlines, theme)
        self._db = db
        return db

    @property
    def read_done(self) -> bool:
        """The early frame's reads are over (read, or given up): `wait` would not wait."""
        return self._early_read.is_set()

    def wait(self, timeout: float, specs: Sequence[FeedSpec] | None = None) -> EarlyData | None:
        """The early first frame's data, if read within `timeout` seconds (None: not yet,
        nothing to read, or, with `specs` (feeds.toml's feeds), feed rows the reader will
        rewrite before its first frame). Consumes nothing: `take` still checks it is current."""
        self._early_read.wait(timeout)
        raw = self._early
        if raw is None or not self._early_read.is_set() or self._go_on.is_set():
            return None
        # The second read waits for this check, which needs the connection (and a late check
        # waits for the second read, ~25 ms).
        with self._lock:
            self._go_on.set()
            if self._db is None:
                return None  # the second read failed, or saw a change
            try:
                changed = self._db.execute("PRAGMA data_version").fetchone()[0] != raw[0]
            except sqlite3.Error:
                return None
        if changed:
            return None  # written since (an upgrade, a refresh in another program)
        try:
            _, schema, _, hidden, headlines_json, theme_json = raw
            rows = self._feed_rows(raw)
            if specs is not None and not _in_sync(rows, specs):
                return None
            at = _AT_POSITION
            feeds = [
                EarlyFeed(r[0], r[1] or r[2] or r[0], stored_tags(r[4]), r[at + 2], r[at + 3], r[8])
                for r in rows
            ]
            found = json.loads(headlines_json)
            found.sort(key=lambda r: (r[4], r[0]), reverse=True)  # ORDER BY sort_at, id DESC
            headlines = [
                Headline(r[0], r[1], r[2], r[3], _moment(r[4]), bool(r[5]), bool(r[6]), bool(r[7]))
                for r in found[:FIRST_HEADLINES]
            ]
            theme = json.loads(theme_json)
        except (ValueError, TypeError, KeyError, IndexError):
            return None
        return EarlyData(feeds, hidden, len(found), headlines, theme, schema)

    def _feed_rows(self, raw: _Early) -> list[list[object]]:
        """The feed rows with their counts, in feeds.toml order; decoded once."""
        if self._rows is None:
            rows = json.loads(raw[2])
            # feeds.toml order, as `Store.feeds()` sorts (NULL positions first, as SQLite does).
            at = _AT_POSITION
            rows.sort(key=lambda row: (row[at] is not None, row[at] or 0))
            self._rows = rows
        return self._rows

    def take(self, specs: Sequence[FeedSpec] | None = None) -> FirstScreenData | None:
        """The first screen as read, if the database has not changed since; call once.
        `specs`: feeds.toml's feeds, for `FirstScreenData.feeds_in_sync`."""
        self._go_on.set()
        self._thread.join(WAIT_AT_MOST)
        db, raw, ids = self._db, self._early, self._ids
        self._db = self._early = self._ids = None
        if db is None or raw is None or ids is None or self._thread.is_alive():
            return None
        try:
            try:
                if db.execute("PRAGMA data_version").fetchone()[0] != raw[0]:
                    return None  # written meanwhile (feeds.toml's changes, a refresh)
            finally:
                db.close()
        except sqlite3.Error:
            return None
        rows, self._rows = self._feed_rows(raw), None
        unread = _ordered_ids(*ids)
        if unread is None:
            return None
        in_sync = specs is not None and _in_sync(rows, specs)
        at = _AT_POSITION
        feeds = [feed_from_row(row[:at], row[at + 1 :]) for row in rows]
        return FirstScreenData(feeds, raw[3], unread, in_sync)


def _in_sync(rows: list[list[object]], specs: Sequence[FeedSpec]) -> bool:
    """Whether `Store.sync_feeds(specs)` would write nothing to these feed rows. Only visible
    rows were read: enough (see `feed_list_changes`)."""
    at = _AT_POSITION  # the origin just before it
    stored = {r[0]: (r[1], r[4], r[at], r[5]) for r in rows if r[at - 1] == "local"}
    server = {r[0] for r in rows if r[at - 1] == "server"}
    return feed_list_changes(specs, stored, server) == ([], [])


def _ordered_ids(ids: str, sort_ats: str, count: int) -> array[int] | None:
    """The ids, newest first, checked: SQL does not promise that an aggregate sees its
    subquery's rows in order, so an order it did not keep means None (read the usual way).
    (Checked on the dates alone: 1 ms for 30,000 ids, against 17 with the ids' tie-break.)"""
    id_list: list[int] = json.loads(ids)
    keys: list[int] = json.loads(sort_ats)
    if len(id_list) != count or len(keys) != count:
        return None
    if not all(map(operator.ge, keys, keys[1:])):
        return None
    return array("q", id_list)  # kept by the list until a reload: 8 bytes an id, not ~36


def _moment(value: int) -> datetime:
    moment = from_epoch(value)
    if moment is None:
        raise ValueError(value)
    return moment
