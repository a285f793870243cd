"""Keeping the FTS5 `search` table in step with the entries (schema v9). No Textual here.

Since v9 the index stores no text of its own: `search` is an *external content* FTS5 table over
the view `search_source`, which computes the indexed columns from the stored entry, its feed,
its reader-mode page and its tags (`newstui_index`, a Python function every connection of
`Store` registers: `register`). v8 kept a second copy of all that text inside FTS5 (387 of the
502 MB of the index on the 100,000-entry benchmark store).

External content has one rule: a row's tokens can only be taken out of the index with the
*same* values they were put in with. FTS5 reads them from `search_source` when a row is
deleted, so every change to something the view reads first takes the entry's row out of the
index, while the view still shows the old values, and lists the entry in `search_stale`. The
triggers of schema v9 do this for every writer (refresh, sync, import, reader mode, feeds.toml
renames and tags, filters' tags); no Python code path has to remember it. So:

- an entry is in the index exactly when its id is at most `search_state.indexed_upto` and it
  is not in `search_stale`; its indexed values are what `search_source` shows for it now;
- `index_pending` inserts the rows of new entries (ids above `indexed_upto`; ids only grow)
  and of stale ones, computed by the same calls the view makes on the same stored values, so
  what goes in is what a later delete reads (FTS5's `integrity-check` against the view checks
  this in tests/test_search_index.py). A refresh's new entries come with their own columns
  computed by the parse workers (`Prepared`), used only while the entry's content hash is the
  one they were computed from (tests/test_search_index_prepared.py);
- deleting an entry takes its row out first (a trigger), while the view still has it.

If a future version changes what `newstui_index` computes for stored data, it must rebuild the
index in its migration (as v9 does): old rows could no longer be deleted cleanly.

Writing the index costs far more than the entry itself (FTS5 tokenizes every column and merges
segments), and is several times cheaper for many entries in one transaction than 50 at a time,
so a refresh leaves new entries pending and indexes them in batches (`index_pending`) while it
runs and at its end; search catches up first, so a refresh killed halfway never hides entries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from newstui.core.searchtext import EntryColumns, complete_row, index_row, index_value

Progress = Callable[[int, int], None]
"""Called as (done, total) while a big index catches up (the upgrade of an existing store)."""

Prepared = dict[int, tuple[str, EntryColumns]]
"""New entries' own index columns computed when they were parsed, by row id, each with the
content hash of the values they were computed from (`Store.save_fetch` fills it)."""
PREPARED_MAX = 3_000
"""Most entries `Prepared` keeps (~7 MB of the benchmark's entries): a refresh indexes every
`newstui.feeds.refresh.INDEX_BATCH` new entries, but a writer that never calls `index_pending`
must not hold every entry's columns; entries past it are indexed from the stored values."""

COLUMNS = (
    "title", "author", "feed", "body", "page", "cjk_title", "cjk_body", "cjk_page", "tags",
)  # fmt: skip
_INSERT = f"INSERT INTO search (rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})"
_SOURCE = (
    "SELECT e.id, e.title, e.author, COALESCE(f.user_title, f.title, f.url), e.content_html,"
    " e.summary_html, t.html, f.tags,"
    " (SELECT group_concat(tag, char(31)) FROM entry_tags WHERE entry = e.id)"
    " FROM entries e JOIN feeds f ON f.url = e.feed_url LEFT JOIN full_texts t ON t.entry = e.id"
)
"""What `search_source` (schema v9) reads, raw: `index_row` computes its columns from it in one
pass, with the same functions `index_value` calls for the view (a quarter cheaper than
selecting the view's nine function calls per row)."""
_FACTS = (
    "SELECT e.id, e.content_hash, COALESCE(f.user_title, f.title, f.url), f.tags,"
    " (SELECT group_concat(tag, char(31)) FROM entry_tags WHERE entry = e.id), t.html"
    " FROM entries e JOIN feeds f ON f.url = e.feed_url LEFT JOIN full_texts t ON t.entry = e.id"
)
"""`_SOURCE` without the entry's own text: for entries whose columns are `Prepared`."""
_BATCH = 500


def register(db: sqlite3.Connection) -> None:
    """The functions `search_source` calls; needed on every connection that reads the view or
    changes what it shows (the triggers read it)."""
    db.create_function("newstui_index", 3, index_value, deterministic=True)


def pending(db: sqlite3.Connection) -> int:
    """How many entries wait to be indexed (cheap: two index lookups)."""
    upto = db.execute("SELECT indexed_upto FROM search_state").fetchone()[0]
    newest = db.execute("SELECT COALESCE(max(id), 0) FROM entries").fetchone()[0]
    stale = db.execute("SELECT count(*) FROM search_stale").fetchone()[0]
    return max(0, newest - upto) + stale


def index_pending(
    db: sqlite3.Connection,
    progress: Progress | None = None,
    prepared: Prepared | None = None,
    *,
    counted: bool = True,
) -> int:
    """Index every pending entry, inside the caller's write transaction; returns how many.

    `prepared`: columns computed in advance for some new entries (taken out of it as they are
    used). Each is used only if the entry's content hash is still the one it was computed
    from and it has no reader-mode page, so the row is what `index_row` would compute.
    `counted`: add them to `search_state.inserted` (schema v12), which search reads to know
    whether its phrase counts still hold (`newstui/store/_search_rank.py`): every row put in
    the index must be counted there. Only the v9 upgrade, which runs before v12, passes False.
    """
    upto = db.execute("SELECT indexed_upto FROM search_state").fetchone()[0]
    total = pending(db)
    if progress:
        progress(0, total)
    done = 0
    stale = [row[0] for row in db.execute("SELECT entry FROM search_stale WHERE entry <= ?",
                                          (upto,))]  # fmt: skip
    for start in range(0, len(stale), _BATCH):
        chunk = stale[start : start + _BATCH]
        marks = ",".join("?" * len(chunk))
        done += _index(db, db.execute(f"{_SOURCE} WHERE e.id IN ({marks})", chunk).fetchall())
        if progress:
            progress(done, total)
    db.execute("DELETE FROM search_stale")
    while True:
        query = _FACTS if prepared else _SOURCE
        batch = db.execute(f"{query} WHERE e.id > ? ORDER BY e.id LIMIT ?", (upto, _BATCH))
        batch = batch.fetchall()
        if not batch:
            break
        done += _index_prepared(db, batch, prepared) if prepared else _index(db, batch)
        upto = batch[-1][0]
        if progress:
            progress(done, total)
    db.execute("UPDATE search_state SET indexed_upto = max(indexed_upto, ?)", (upto,))
    if counted and done:
        db.execute("UPDATE search_state SET inserted = inserted + ?", (done,))
    if prepared:  # nothing is pending now: what is left was indexed meanwhile by another
        prepared.clear()  # connection (a search in the reader) or never committed
    return done


def _index(db: sqlite3.Connection, rows: list[tuple]) -> int:  # type: ignore[type-arg]
    """Insert these `_SOURCE` rows: exactly the values `search_source` shows for them."""
    db.executemany(_INSERT, [(row[0], *index_row(*row[1:])) for row in rows])
    return len(rows)


def _index_prepared(db: sqlite3.Connection, facts: list[tuple], prepared: Prepared) -> int:  # type: ignore[type-arg]
    """Insert these `_FACTS` rows, from their `prepared` columns where those still hold and
    from `_SOURCE` (as `_index` does) for the others."""
    rows = []
    others = []
    for entry_id, digest, feed, feed_tags, entry_tags, page in facts:
        own = prepared.pop(entry_id, None)
        if own is not None and own[0] == digest and not page:
            rows.append((entry_id, *complete_row(own[1], feed, feed_tags, entry_tags)))
        else:
            others.append(entry_id)
    if others:
        marks = ",".join("?" * len(others))
        found = db.execute(f"{_SOURCE} WHERE e.id IN ({marks})", others).fetchall()
        rows += [(row[0], *index_row(*row[1:])) for row in found]
        rows.sort()
    db.executemany(_INSERT, rows)
    return len(facts)
