"""Small state kept for the reader between runs (the chosen theme, the undo history), and the
database's own integrity check. A mixin of `Store`, reached only through its connection helpers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING


class StateMixin:
    """UI-state and integrity methods of `Store`; relies on its `_write` and `_query`."""

    if TYPE_CHECKING:
        _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
        _query: Callable[..., list[sqlite3.Row]]

    def get_state(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM ui_state WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_state(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO ui_state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def integrity_check(self) -> list[str]:
        """SQLite's own verdict on the file: `["ok"]` when intact."""
        return [row[0] for row in self._query("PRAGMA integrity_check")]
