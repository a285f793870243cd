"""`newstui doctor`: check the database file and rebuild a damaged one from what is readable.

Python's sqlite3 has no `.recover`, so the rebuild copies row by row: a fresh file gets the
current schema, then each table's rows are read in rowid ranges; a range that SQLite cannot read
is split in halves until the unreadable rows are isolated and skipped. Every row SQLite can still
reach keeps its read mark and bookmark. The damaged file is never changed: it is kept beside the
new one as `newstui.db.damaged-<time>` (with its `-wal`, which may hold recent writes).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from newstui.core.errors import StoreError
from newstui.store import schema
from newstui.store._errors import translated

_MIN_ROWID, _MAX_ROWID = -(2**63), 2**63 - 1  # rowids are signed 64-bit
_BATCH = 500
_MAX_FAILED_READS = 20_000
"""Unreadable ranges tried per table before giving up on the rest of it (a bound on time:
each failure splits a range in two, ~64 splits isolate one bad rowid)."""


@dataclass(frozen=True, slots=True)
class Check:
    """SQLite's verdict on a database file."""

    ok: bool
    problems: tuple[str, ...]
    """The first few problems `PRAGMA integrity_check` names (empty when `ok`)."""


@dataclass(slots=True)
class Recovery:
    """What a rebuild kept."""

    damaged_copy: Path
    """Where the damaged file now is."""
    rows: dict[str, int] = field(default_factory=dict)
    """Rows copied per table."""
    skipped_ranges: int = 0
    """Rowid ranges SQLite could not read (each one row, or a run of rows under a bad page)."""
    entries: int = 0
    read: int = 0
    bookmarks: int = 0
    feeds: int = 0


def check(path: Path) -> Check:
    """Run SQLite's integrity check on `path` (read-only; a missing file is not created)."""
    try:
        with contextlib.closing(_open_read_only(path)) as db:
            rows = [row[0] for row in db.execute("PRAGMA integrity_check(20)")]
    except sqlite3.Error as error:
        problem = _error(path, error)
        if problem.kind == "damaged":  # a header or schema too damaged to even run the check
            return Check(False, (str(error),))
        # Not the file's fault (disk full, locked, unreadable): say that, not "damaged".
        raise problem from error
    if rows == ["ok"]:
        return Check(True, ())
    lines = [line for row in rows for line in row.splitlines()]
    return Check(False, tuple(line for line in lines if not line.startswith("***")))


def recover(path: Path, *, now: datetime) -> Recovery:
    """Rebuild `path` from its readable rows; the damaged file is kept as `<path>.damaged-<time>`.

    Raises:
        StoreError: another program has the database open (`locked`: the reader or a refresh
            must be closed first, or the file would change under it), or the new file cannot be
            written (disk full, read-only folder); `path` is then left as it was.
    """
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.recovering")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    target.unlink(missing_ok=True)
    recovery = Recovery(damaged)
    with contextlib.closing(_lock(path)) as source:
        _keep_copy(path, damaged)
        try:
            new_db = sqlite3.connect(target, isolation_level=None)
            with contextlib.closing(new_db) as new, translated(str(target)):
                schema.migrate(new)
                new.execute("BEGIN")
                for table, columns in _tables(new):
                    copied, skipped = _copy_table(source, new, table, columns)
                    recovery.rows[table] = copied
                    recovery.skipped_ranges += skipped
                _restore_lost_feeds(new, now)
                new.execute("COMMIT")
                (recovery.entries, recovery.read, recovery.bookmarks) = new.execute(
                    "SELECT COUNT(*), COALESCE(SUM(read), 0), COALESCE(SUM(bookmarked), 0)"
                    " FROM entries"
                ).fetchone()
                recovery.feeds = new.execute("SELECT COUNT(*) FROM feeds").fetchone()[0]
            with open(target, "rb") as file:
                os.fsync(file.fileno())
            # Still holding the lock: nobody opens the old file between the copy and the swap.
            os.replace(target, path)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    # The old file's -wal and -shm must not be applied to the new one.
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return recovery


def _lock(path: Path) -> sqlite3.Connection:
    """A connection holding the database exclusively, or StoreError(`locked`) when another
    program (the reader, a refresh) has it open."""
    if not path.is_file():
        raise StoreError(path, "no database file here yet (nothing to check)", "other")
    db = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError as error:
        db.close()
        if "locked" in str(error) or "busy" in str(error):
            raise StoreError(
                path,
                "another program has the database open: quit the reader (and any refresh) first",
                "locked",
            ) from None
        raise _error(path, error) from error
    except sqlite3.Error as error:
        db.close()
        raise _error(path, error) from error
    return db


def _keep_copy(path: Path, damaged: Path) -> None:
    """The damaged file's bytes (and its -wal, which may hold recent writes), kept as they are."""
    try:
        shutil.copy2(path, damaged)
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            shutil.copy2(wal, damaged.with_name(damaged.name + "-wal"))
    except OSError as error:
        damaged.unlink(missing_ok=True)
        raise StoreError(
            path, f"cannot keep a copy of the damaged file: {error.strerror or error}", "full"
        ) from None


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreError(path, "no database file here yet (nothing to check)", "other")
    # Read-only, so checking never creates or changes anything; the -wal is still read.
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    return db


def _tables(db: sqlite3.Connection) -> Iterator[tuple[str, list[str]]]:
    """The current schema's ordinary tables and their columns (virtual tables and their shadow
    tables are rebuilt from the ordinary ones, not copied)."""
    virtual = [
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")
    ]
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rootpage"
    ).fetchall():
        if any(name.startswith(f"{v}_") for v in virtual):
            continue
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{name}")')]
        yield name, columns


def _without_rowid(db: sqlite3.Connection, table: str) -> bool:
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return bool(sql) and "WITHOUT ROWID" in sql[0].upper()


def _copy_table(
    source: sqlite3.Connection, new: sqlite3.Connection, table: str, columns: list[str]
) -> tuple[int, int]:
    """Copy every readable row of `table`; returns (rows copied, rowid ranges skipped)."""
    try:
        present = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        return 0, 1
    shared = [c for c in columns if c in present]
    if not shared:
        return 0, 0
    names = ", ".join(f'"{c}"' for c in shared)
    if _without_rowid(new, table):
        return _copy_plain(source, new, table, names, len(shared))
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid BETWEEN ? AND ? ORDER BY rowid'
    insert = f'INSERT OR IGNORE INTO "{table}" (rowid, {names}) VALUES (?{", ?" * len(shared)})'
    copied = skipped = 0
    pending = [(_MIN_ROWID, _MAX_ROWID)]  # inclusive ranges still to read
    failures = 0
    while pending:
        low, high = pending.pop()
        last: int | None = None
        batch: list[tuple[object, ...]] = []
        try:
            for row in source.execute(select, (low, high)):
                batch.append(tuple(row))
                last = row[0]
                if len(batch) >= _BATCH:
                    copied += _insert(new, insert, batch)
            copied += _insert(new, insert, batch)
            continue
        except sqlite3.DatabaseError:
            copied += _insert(new, insert, batch)
            failures += 1
            if failures > _MAX_FAILED_READS:  # damage everywhere: keep what was found
                return copied, skipped + len(pending) + 1
        if last == high:
            continue
        start = low if last is None else last + 1
        if start == high:
            skipped += 1  # one unreadable rowid: give it up
            continue
        middle = start + (high - start) // 2
        pending += [(middle + 1, high), (start, middle)]  # the lower half is read next
    return copied, skipped


def _copy_plain(
    source: sqlite3.Connection, new: sqlite3.Connection, table: str, names: str, width: int
) -> tuple[int, int]:
    """A table without rowids (small bookkeeping tables): one scan, up to the first bad page."""
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES (?{", ?" * (width - 1)})'
    batch: list[tuple[object, ...]] = []
    try:
        for row in source.execute(f'SELECT {names} FROM "{table}"'):
            batch.append(tuple(row))
    except sqlite3.DatabaseError:
        return _insert(new, insert, batch), 1
    return _insert(new, insert, batch), 0


def _insert(new: sqlite3.Connection, sql: str, batch: list[tuple[object, ...]]) -> int:
    rows = 0
    for row in batch:
        # One at a time: a damaged row that breaks a constraint is skipped, not the batch.
        with contextlib.suppress(sqlite3.IntegrityError):
            rows += new.execute(sql, row).rowcount
    batch.clear()
    return rows


def _restore_lost_feeds(new: sqlite3.Connection, now: datetime) -> None:
    """Entries whose feed row was unreadable get a hidden feed row back, so they (and their
    read marks and bookmarks) reappear when the next start-up matches the feed in feeds.toml."""
    new.execute(
        "INSERT OR IGNORE INTO feeds (url, added_at, hidden)"
        " SELECT DISTINCT feed_url, ?, 1 FROM entries"
        " WHERE feed_url NOT IN (SELECT url FROM feeds)",
        (int(now.timestamp()),),
    )


def _error(path: Path, error: sqlite3.Error) -> StoreError:
    from newstui.store._errors import store_error

    return store_error(str(path), error)
