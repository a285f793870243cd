"""Turning `sqlite3` errors into `StoreError`s with a message a user can act on.

SQLite's own texts ("database disk image is malformed", "attempt to write a readonly
database") name neither the file nor what to do; the primary result code says which of a few
things went wrong, and that is what the user is told.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from newstui.core.errors import StoreError

# Primary result codes (the low byte of an extended code), from sqlite3.h.
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = (
    3, 5, 6, 8, 10, 11, 13, 14, 26,
)  # fmt: skip


_IOERR_SHMSIZE = _IOERR | (19 << 8)


@contextmanager
def translated(path: str) -> Iterator[None]:
    """Raise any `sqlite3.Error` from the block as a `StoreError` about `path`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise store_error(path, exc) from exc


def store_error(path: str, exc: sqlite3.Error) -> StoreError:
    """The `StoreError` for a `sqlite3` error: its kind and a short human message."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in (_BUSY, _LOCKED):
        return StoreError(path, "database is locked by another program", "locked")
    if primary == _FULL:
        return StoreError(path, "disk is full (or the database reached its size limit)", "full")
    if primary in (_CORRUPT, _NOTADB):
        return StoreError(
            path, f"database file is damaged ({exc}): run `newstui doctor` to rebuild it", "damaged"
        )
    if primary in (_READONLY, _PERM):
        return StoreError(
            path, "database is read-only (check the permissions of the file and its folder)",
            "readonly",
        )  # fmt: skip
    if primary == _CANTOPEN:
        return StoreError(path, "cannot open the database file")
    if code == _IOERR_SHMSIZE:
        # The shared-memory file beside the database could not grow: no room left on the disk.
        return StoreError(path, "disk is full (no room for the database's -shm file)", "full")
    if primary == _IOERR:
        return StoreError(path, f"disk I/O error on the database ({exc.sqlite_errorname})")
    return StoreError(path, f"database error: {exc}")
