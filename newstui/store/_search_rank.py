"""When bm25 has nothing to rank by: every scoring phrase is in at least half the entries.

FTS5's bm25 gives a phrase the IDF `log((N - n + 0.5) / (n + 0.5))` (N rows in the index, n
of them holding the phrase) and clamps it to 1e-6 when that is not positive, i.e. when
`2 n >= N`. Such a phrase adds at most 1e-6 x 2.2 (bm25's `k1 + 1`) x 30 (the sum of
`store/search.py`'s column weights) to a row's score; 64 of them (the query's term cap) stay
under 0.005, and search rounds scores to one decimal: every candidate's rank is 0 and the
order is recency alone (`store/search.py`, `search_ids`). A phrase of the `tags` column (weight
0) adds nothing either. So for such a query search skips bm25, whose first call counts every
entry holding each phrase (`compiler`: 89,000 of the benchmark store's 100,000, 2-3 ms of a
search whose LIKE peer takes ~25 ms), and returns exactly what bm25 would have.

Knowing `n` costs that count too, so it is kept: `PhraseCounts` remembers each phrase's count
with the index's row count N and `search_state.inserted` (every row `index_pending` ever put in
the index) at that moment. Later, N and `inserted` say how many rows were taken out since
(`D = N_then + inserted_now - inserted_then - N_now`), each of which lowered `n` by at most 1,
and rows put in only raise it: `2 (n_then - D) >= N_now` proves the phrase is still at the
floor, `2 (n_then + inserted_now - inserted_then) < N_now` that it is still above it. Otherwise
(or for a phrase never counted) it is counted again. Reading N (FTS5's averages record) and
`inserted` costs two row lookups per search.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

_AVERAGES_ROWID = 1
"""FTS5 keeps its row count (and per-column token totals) in `search_data` row 1."""
_MAX_CACHED = 2048


def row_count(db: sqlite3.Connection) -> int:
    """N: the rows in the index, as bm25 reads it (the first varint of the averages record)."""
    row = db.execute("SELECT block FROM search_data WHERE id = ?", (_AVERAGES_ROWID,)).fetchone()
    if row is None or not row[0]:
        return 0
    return _varint(bytes(row[0]))


def _varint(data: bytes) -> int:
    """SQLite's varint (big-endian groups of 7 bits, a ninth byte of 8), as FTS5 writes it."""
    value = 0
    for index, byte in enumerate(data[:9]):
        if index == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value


class PhraseCounts:
    """How many indexed entries hold each phrase, kept for as long as that is provably enough
    to say whether bm25 gives it the floor IDF (see the module docstring). One per `Store`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, tuple[int, int, int]] = {}
        """phrase (an FTS5 MATCH expression) -> (n, N, inserted) when it was counted."""

    def all_at_floor(self, db: sqlite3.Connection, phrases: Sequence[str]) -> bool:
        """Whether every phrase is in at least half the index's rows now, i.e. bm25 would
        rank by none of them. Counts (a read on `db`) the phrases it cannot decide from what
        it knows."""
        if not phrases:
            return False
        rows = row_count(db)
        if rows == 0:
            return False
        inserted = db.execute("SELECT inserted FROM search_state").fetchone()[0]
        for phrase in phrases:
            with self._lock:
                known = self._known.get(phrase)
            if known is not None:
                count, rows_then, inserted_then = known
                added = inserted - inserted_then
                removed = rows_then + added - rows
                if removed >= 0 and added >= 0:
                    if 2 * (count - removed) >= rows:
                        continue
                    if 2 * (count + added) < rows:
                        return False
            count = db.execute(
                "SELECT count(*) FROM search WHERE search MATCH ?", (phrase,)
            ).fetchone()[0]
            with self._lock:
                if len(self._known) >= _MAX_CACHED:
                    self._known.clear()
                self._known[phrase] = (count, rows, inserted)
            if 2 * count < rows:
                return False
        return True
