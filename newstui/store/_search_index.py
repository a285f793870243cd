"""Keeping the FTS5 `search` table in step with `entries` (schema v8). No Textual here.

An entry's row in `search` has the entry's row id. Writing it costs far more than the entry
itself (FTS5 tokenizes every column and merges its segments), and FTS5 is several times cheaper
per entry when it indexes many entries in one transaction than 50 at a time, one transaction per
feed. So a refresh does not index each feed's entries as it stores them: it records what is
pending and indexes in batches (`index_pending`) while it runs and once more at its end; search
itself catches up first, so a refresh that was killed halfway never hides entries from it.

What is pending:
- new entries: every id above `search_state.indexed_upto` (ids only grow: no AUTOINCREMENT, and
  new rows get ids above the largest);
- changed ones, listed in `search_stale`: an entry rewritten by a refresh, given a reader-mode
  page, or whose feed was renamed;
- deleted ones need nothing: the `entries_search_delete` trigger removes their row at once.

HTML becomes text once per indexing, from the stored, already sanitized HTML
(`searchtext.entry_text`, a regex pass: ~15 µs per entry).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from newstui.core.searchtext import entry_text, index_columns

Progress = Callable[[int, int], None]
"""Called as (done, total) while a big index catches up (the upgrade of an existing store)."""

_INSERT = (
    "INSERT INTO search (rowid, title, author, feed, body, page, cjk_title, cjk_body, cjk_page)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT = (
    "SELECT e.id, e.title, e.author, COALESCE(f.user_title, f.title, f.url), e.content_html,"
    " e.summary_html, t.html FROM entries e JOIN feeds f ON f.url = e.feed_url"
    " LEFT JOIN full_texts t ON t.entry = e.id"
)
_BATCH = 500


def pending(db: sqlite3.Connection) -> int:
    """How many entries wait to be indexed (cheap: two index lookups)."""
    upto = db.execute("SELECT indexed_upto FROM search_state").fetchone()[0]
    newest = db.execute("SELECT COALESCE(max(id), 0) FROM entries").fetchone()[0]
    stale = db.execute("SELECT count(*) FROM search_stale").fetchone()[0]
    return max(0, newest - upto) + stale


def mark_stale(db: sqlite3.Connection, entry_ids: list[int]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO search_stale (entry) SELECT ? WHERE ? <= ("
        "SELECT indexed_upto FROM search_state)",
        [(i, i) for i in entry_ids],
    )


def mark_feed_stale(db: sqlite3.Connection, feed_url: str) -> None:
    """A feed's display name changed: its entries are indexed by it, so all are redone."""
    db.execute(
        "INSERT OR IGNORE INTO search_stale (entry) SELECT id FROM entries WHERE feed_url = ?"
        " AND id <= (SELECT indexed_upto FROM search_state)",
        (feed_url,),
    )


def index_pending(db: sqlite3.Connection, progress: Progress | None = None) -> int:
    """Index every pending entry, inside the caller's write transaction; returns how many."""
    upto = db.execute("SELECT indexed_upto FROM search_state").fetchone()[0]
    total = pending(db)
    if progress:
        progress(0, total)
    done = 0
    stale = [row[0] for row in db.execute("SELECT entry FROM search_stale")]
    for start in range(0, len(stale), _BATCH):
        chunk = stale[start : start + _BATCH]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM search WHERE rowid IN ({marks})", chunk)
        done += _index(db, db.execute(f"{_SELECT} WHERE e.id IN ({marks})", chunk).fetchall())
        if progress:
            progress(done, total)
    db.execute("DELETE FROM search_stale")
    while True:
        rows = db.execute(f"{_SELECT} WHERE e.id > ? ORDER BY e.id LIMIT ?", (upto, _BATCH))
        batch = rows.fetchall()
        if not batch:
            break
        done += _index(db, batch)
        upto = batch[-1][0]
        if progress:
            progress(done, total)
    db.execute(
        "UPDATE search_state SET indexed_upto = max(indexed_upto, ?,"
        " (SELECT COALESCE(max(id), 0) FROM entries))",
        (upto,),
    )
    return done


def _index(db: sqlite3.Connection, rows: list[tuple]) -> int:  # type: ignore[type-arg]
    values = []
    for entry_id, title, author, feed, content, summary, page_html in rows:
        page = entry_text(page_html, None) if page_html else ""
        columns = index_columns(title, author or "", feed, entry_text(content, summary), page)
        values.append((entry_id, *columns))
    db.executemany(_INSERT, values)
    return len(values)
