"""The database schema as numbered migrations keyed by `PRAGMA user_version`.

Each step moves the schema from version N-1 to N and runs inside the same exclusive transaction
as the version bump, so a crash mid-upgrade leaves the old version intact. Steps are never
edited once released: a change is a new step, and `tests/test_store_migrations.py` upgrades a
database from every earlier version.

Each table keeps the columns the *feed* supplies apart from the *user's* state. Refreshes write
only the former; only the user's actions write the latter.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable

from newstui.store._schema_search import V9 as _V9
from newstui.store._schema_search import V11 as _V11
from newstui.store._schema_search import V12 as _V12
from newstui.store._search_index import Progress, index_pending, register

_V1 = """
CREATE TABLE feeds (
    url             TEXT PRIMARY KEY,
    -- feed data (overwritten by every successful fetch)
    title           TEXT,
    site_url        TEXT,
    format          TEXT,
    -- fetch bookkeeping (written by refreshes)
    etag            TEXT,
    last_modified   TEXT,
    body_hash       TEXT,
    current_ids     TEXT,               -- JSON list: entry ids in the last document (see prune)
    last_fetched_at INTEGER,
    last_ok_at      INTEGER,
    last_error      TEXT,
    error_kind      TEXT,
    warning         TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_due_at     INTEGER,
    moved_to        TEXT,               -- target of a permanent redirect
    -- user data (from feeds.toml)
    user_title      TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    position        INTEGER NOT NULL DEFAULT 0,
    hidden          INTEGER NOT NULL DEFAULT 0,  -- removed from feeds.toml: kept, not shown
    added_at        INTEGER NOT NULL
);

CREATE TABLE entries (
    id              INTEGER PRIMARY KEY,
    feed_url        TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
    entry_id        TEXT NOT NULL,
    -- feed data (written by refreshes when the entry changes)
    title           TEXT NOT NULL,
    link            TEXT,
    author          TEXT,
    published_at    INTEGER,
    updated_at      INTEGER,
    summary_html    TEXT,
    content_html    TEXT,
    enclosures      TEXT,               -- JSON list of [url, type, length]
    content_hash    TEXT NOT NULL,
    -- newstui data
    first_seen_at   INTEGER NOT NULL,
    sort_at         INTEGER NOT NULL,   -- published_at, else first_seen_at
    -- user state (never written by a refresh)
    read            INTEGER NOT NULL DEFAULT 0,
    read_at         INTEGER,
    bookmarked      INTEGER NOT NULL DEFAULT 0,
    bookmarked_at   INTEGER,
    UNIQUE (feed_url, entry_id)
);

CREATE INDEX entries_by_feed ON entries (feed_url, sort_at DESC);
CREATE INDEX entries_by_date ON entries (sort_at DESC);
CREATE INDEX entries_counts ON entries (feed_url, read, bookmarked);
CREATE INDEX entries_bookmarked ON entries (bookmarked_at DESC) WHERE bookmarked = 1;
"""

_V2 = """
-- Reader mode: the extracted main text of an entry's web page, kept for offline reading.
CREATE TABLE full_texts (
    entry           INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    html            TEXT,
    error           TEXT,
    fetched_at      INTEGER NOT NULL
);
"""

_V3 = """
-- Small UI state that must survive restarts without rewriting the user's feeds.toml
-- (the chosen theme, for instance).
CREATE TABLE ui_state (
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);
"""

_V4 = """
-- Lists over 100k entries: the newest-first views read only these covering indexes, never the
-- (large) entry rows, so "All unread" of a big store takes milliseconds, not a second.
DROP INDEX entries_by_date;
CREATE INDEX entries_recent ON entries (sort_at DESC, id DESC, feed_url, read, bookmarked);
"""

_V5 = """
-- The ids in each feed's last document (read only by prune) move out of `feeds`: at a few KB
-- per feed they made every read of the feed list (start-up, reloads during a refresh) read
-- megabytes for nothing. feeds.current_ids stays, always NULL: SQLite before 3.35 cannot drop
-- a column.
CREATE TABLE feed_documents (
    url             TEXT PRIMARY KEY REFERENCES feeds (url) ON DELETE CASCADE,
    current_ids     TEXT NOT NULL       -- JSON list: entry ids in the last document (see prune)
);
INSERT INTO feed_documents (url, current_ids)
    SELECT url, current_ids FROM feeds WHERE current_ids IS NOT NULL;
UPDATE feeds SET current_ids = NULL WHERE current_ids IS NOT NULL;
"""

_V6 = """
-- An entry's GUID as the feed gives it is `guid`; `entry_id` meant the row id everywhere else.
ALTER TABLE entries RENAME COLUMN entry_id TO guid;
"""

_V7 = """
-- Sync with a feed server. A feed's entries come from the site itself ('local') or from the
-- server ('server'); remote ids are the server's (text: Google Reader ids are not numbers).
ALTER TABLE feeds ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';
ALTER TABLE feeds ADD COLUMN remote_id TEXT;
ALTER TABLE entries ADD COLUMN remote_id TEXT;
CREATE UNIQUE INDEX entries_by_remote_id ON entries (remote_id) WHERE remote_id IS NOT NULL;
-- The user's read/bookmark changes to server entries that the server has not acknowledged:
-- the desired value per entry and field (never a toggle), written in the same transaction as
-- the mark itself, deleted once the server has it.
CREATE TABLE pending_marks (
    entry           INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    field           TEXT NOT NULL CHECK (field IN ('read', 'bookmarked')),
    value           INTEGER NOT NULL,
    changed_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (entry, field)
) WITHOUT ROWID;
-- Sync bookkeeping: the server it was with, the cursor of the last pull, the last result.
CREATE TABLE sync_state (
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);
"""


_V8 = """
-- Search (issue 13). Filters may hide an entry: it stays (findable with is:hidden), unshown.
ALTER TABLE entries ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
-- The list and count indexes cover `hidden` too, so views and counts still read only them.
DROP INDEX entries_recent;
CREATE INDEX entries_recent ON entries (sort_at DESC, id DESC, feed_url, read, bookmarked, hidden);
DROP INDEX entries_counts;
CREATE INDEX entries_counts ON entries (feed_url, read, bookmarked, hidden);
-- Tags a filter gave an entry (feed tags stay in feeds.tags).
CREATE TABLE entry_tags (
    entry           INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    tag             TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (entry, tag)
) WITHOUT ROWID;
CREATE INDEX entry_tags_by_tag ON entry_tags (tag, entry);
-- How many entries each [[filters]] table caught at ingestion, keyed by its query and action.
CREATE TABLE filter_hits (
    filter          TEXT PRIMARY KEY,
    hits            INTEGER NOT NULL DEFAULT 0,
    last_hit_at     INTEGER
);
-- The full-text index: rowid = entries.id. Columns: see newstui.core.searchtext.index_columns.
CREATE VIRTUAL TABLE search USING fts5 (
    title, author, feed, body, page, cjk_title, cjk_body, cjk_page,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Merge segments 16 at a time, not 4: a fifth less work per indexed entry (measured), a few
-- more segments for a query to read.
INSERT INTO search (search, rank) VALUES ('automerge', 16);
CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN
    DELETE FROM search WHERE rowid = old.id;
END;
-- What the index has caught up with (see newstui/store/_search_index.py): every entry id up to
-- indexed_upto, except those listed in search_stale.
CREATE TABLE search_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto    INTEGER NOT NULL
);
INSERT INTO search_state (id, indexed_upto) VALUES (1, 0);
CREATE TABLE search_stale (
    entry           INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE
);
"""


def _v8(connection: sqlite3.Connection, progress: Progress | None) -> None:
    """The search tables. As released, this step also indexed every stored entry, with code
    that wrote v8's table; v9 replaced that table, so the step now leaves every entry pending
    (`indexed_upto` 0: a valid v8 state, as after a killed refresh) and v9 indexes them once."""
    for statement in _statements(_V8):
        connection.execute(statement)


def _v9(connection: sqlite3.Connection, progress: Progress | None) -> None:
    """v8's index replaced by one over the stored text; every stored entry indexed again."""
    register(connection)
    for statement in _statements(_V9):
        connection.execute(statement)
    index_pending(connection, progress, counted=False)  # v12 adds the counter


_V10 = """
-- Podcast durations (issue 11) are kept in entries.enclosures as a fourth item per enclosure
-- ([url, type, length, seconds]; rows without one keep three). Episodes stored before that get
-- theirs at their feed's next fetch: forget its validators and body hash, so that fetch
-- downloads and parses the feed instead of getting a 304 or skipping an unchanged body.
UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL
    WHERE url IN (SELECT feed_url FROM entries WHERE enclosures IS NOT NULL);
"""


Step = str | Callable[[sqlite3.Connection, "Progress | None"], None]
"""SQL run statement by statement, or a function for a step that needs Python (building the
search index converts each stored entry's HTML)."""

MIGRATIONS: tuple[Step, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _v8, _v9, _V10, _V11, _V12)
"""MIGRATIONS[n] takes the schema from version n to n + 1."""

LATEST = len(MIGRATIONS)


def migrate(
    connection: sqlite3.Connection, *, target: int = LATEST, progress: Progress | None = None
) -> None:
    """Bring the database up to `target`, each step in its own transaction.

    The version is read again inside an exclusive transaction, so two processes opening a new
    database at once cannot both run a step. `progress` hears how far a long step (building
    the search index) has got.
    """
    while True:
        connection.execute("BEGIN EXCLUSIVE")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version >= target:
                connection.execute("COMMIT")
                return
            step = MIGRATIONS[version]
            if isinstance(step, str):
                for statement in _statements(step):
                    connection.execute(statement)
            else:
                step(connection, progress)
            connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (SQLITE_FULL): don't hide the real error.
            if connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit on its own)."""
    out, current = [], ""
    for line in script.splitlines():
        code = line.split("--", 1)[0]
        if not code.strip():
            continue
        current += code + "\n"
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out
