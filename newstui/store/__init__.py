"""newstui's SQLite store: feeds, entries, the user's read marks and bookmarks.

The only home of `sqlite3`. No Textual here.

Durability rules, each one a user promise:
- WAL journal and short transactions: a crash or `kill -9` at any moment leaves the last
  committed state, and readers (the TUI) never wait for a refresh writing in another process.
- Every write is `BEGIN IMMEDIATE`, with a generous busy timeout, so two processes at once (the
  TUI open while cron runs `newstui refresh`) queue instead of failing.
- Refreshes write feed columns only; `read`/`bookmarked` are written by user actions only.
- No `sqlite3` error leaves this package: each becomes a `StoreError` saying what went wrong
  (locked, disk full, damaged file, read-only) about which file.

One `Store` holds one connection, guarded by a lock so it may be handed between threads. Use one
`Store` per thread of work (the TUI keeps one for reads and user actions, the refresh its own).

The package's modules are imported when they are first used, not with the package: `Store`
and what comes with it (~60 ms of imports) are there when asked for (`from newstui.store
import Store`), while the reader's launch reads its first screen (`newstui.store.first_screen`)
from its first milliseconds, before any of that is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstui.store._imports import (
        ImportCounts,
        ImportedEntry,
        NewsboatCache,
        NewsboatItem,
        read_newsboat_cache,
    )
    from newstui.store._store import BUSY_TIMEOUT_SECONDS, READER_CACHE_KIB, Store

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "READER_CACHE_KIB",
    "ImportCounts",
    "ImportedEntry",
    "NewsboatCache",
    "NewsboatItem",
    "Store",
    "read_newsboat_cache",
]

_HOMES = {
    "BUSY_TIMEOUT_SECONDS": "_store",
    "READER_CACHE_KIB": "_store",
    "Store": "_store",
    "ImportCounts": "_imports",
    "ImportedEntry": "_imports",
    "NewsboatCache": "_imports",
    "NewsboatItem": "_imports",
    "read_newsboat_cache": "_imports",
}
"""Where each of the package's names lives."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
