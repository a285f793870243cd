"""Query trees (`newstui.core.query`) searched over the store's FTS5 index.

The index (`search`, schema v8) is one FTS5 table with `unicode61 remove_diacritics 2`: case and
diacritics fold (`cafe` finds `Café`). **No stemming**, on purpose: Porter stemming is English-only
and conflates words people tell apart (`university`/`universe`, `news`/`new`), while feeds come
in every language; a reader who wants word forms writes `learn*`, which is predictable. CJK text is
matched through bigram columns (see `newstui.core.searchtext`).

The query plan (the MATCH string and SQL conditions for a query tree) is compiled by
`newstui/store/_search_plan.py`: everything the user typed reaches SQLite as a bound parameter,
the SQL around it comes from fixed fragments only.

Ranking: bm25 with the title (and its CJK column) weighted 10, author and feed 3, body and
full text 1, rounded to one decimal so that entries equally relevant to a person are ordered by
recency (newest first), then by id. When every phrase that could score is in at least half the
entries, bm25 scores every candidate 0 and is skipped (`newstui/store/_search_rank.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

from newstui.core.config_search import Filter
from newstui.core.query import Node
from newstui.store._search_plan import Plan, compile_query
from newstui.store._search_rank import PhraseCounts

if TYPE_CHECKING:
    import sqlite3

COLUMNS = ("title", "author", "feed", "body", "page", "cjk_title", "cjk_body", "cjk_page", "tags")
WEIGHTS = (10.0, 3.0, 3.0, 1.0, 1.0, 10.0, 1.0, 1.0, 0.0)
_RANK = f"round(bm25(search, {', '.join(map(str, WEIGHTS))}), 1)"
_VISIBLE_FEEDS = " AND e.feed_url NOT IN (SELECT url FROM feeds WHERE hidden = 1)"
"""Added by `search_ids` only when some feed is hidden (`feeds_hidden`, schema v12, says at
once): the list costs ~1 ms per 400 matches even when it is empty."""
_FACTS = "entries e INDEXED BY entries_facts"
"""A match's state and date come from this index, not the entry row (schema v9): SQLite's
planner picks the row by its primary key, whose `sort_at` and `hidden` sit behind the HTML."""


RANK_CANDIDATES = 400
"""How many matches (the most recently stored) bm25 ranks. A word in most of 100,000 entries
would otherwise cost a second of scoring for a first page nobody reads past; when a query
matches more, its best are taken from its newest matches."""


def search_ids(
    db: sqlite3.Connection,
    plan: Plan,
    *,
    limit: int,
    ranked: bool = True,
    after_id: int = 0,
    counts: PhraseCounts | None = None,
) -> list[int]:
    """Entry ids matching `plan`: best first when `ranked` and there are words, else newest
    first. `after_id`: only entries with a larger id. `counts`: what is known of how many
    entries hold each phrase (see `newstui/store/_search_rank.py`)."""
    where = plan.where
    if db.execute("SELECT 1 FROM feeds WHERE hidden = 1 LIMIT 1").fetchone():
        where += _VISIBLE_FEEDS
    if plan.match is not None and plan.words and ranked:
        floor = counts is not None and plan.phrases and counts.all_at_floor(db, plan.phrases)
        # At bm25's floor every rank rounds to 0: the same order, without bm25's counting.
        rank = "0" if floor else _RANK
        sql = (
            f"SELECT id FROM (SELECT e.id, {rank} AS rank, e.sort_at FROM search"
            f" JOIN {_FACTS} ON e.id = search.rowid"
            f" WHERE search MATCH ? AND search.rowid > ? AND {where}"
            " ORDER BY search.rowid DESC LIMIT ?) ORDER BY rank, sort_at DESC, id DESC LIMIT ?"
        )
        params = [plan.match, after_id, *plan.params, RANK_CANDIDATES, limit]
        return [row[0] for row in db.execute(sql, params)]
    if plan.match is None:
        # Only the newest entries (a saved view's count catching up): a range of row ids.
        table = _FACTS if after_id else "entries e"
        sql = f"SELECT e.id FROM {table} WHERE {where} AND e.id > ?"
        params = [*plan.params, after_id]
    else:
        # The FTS table drives the join; a rowid bound lets FTS5 skip older documents.
        sql = (
            f"SELECT e.id FROM search JOIN {_FACTS} ON e.id = search.rowid"
            f" WHERE search MATCH ? AND search.rowid > ? AND {where}"
        )
        params = [plan.match, after_id, *plan.params]
    sql += " ORDER BY e.sort_at DESC, e.id DESC"
    if limit >= 0:
        sql += " LIMIT ?"
        params.append(limit)
    return [row[0] for row in db.execute(sql, params)]


# -- the Store methods ----------------------------------------------------------------------


class SearchMixin:
    """Search methods of `Store`; relies on its `_read`, `_write` and `_query`."""

    if TYPE_CHECKING:
        _read: Callable[[], AbstractContextManager[sqlite3.Connection]]
        _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
        index_pending: Callable[..., int]

    @property
    def _phrase_counts(self) -> PhraseCounts:
        """This store's phrase counts (made on first use; never shared between databases)."""
        counts = self.__dict__.get("_counts")
        if counts is None:
            counts = self.__dict__["_counts"] = PhraseCounts()
        return counts

    def search(self, node: Node, *, now: datetime, limit: int = 50) -> list[int]:
        """Entry ids matching the query, best first (newest first when it has no words).

        Raises:
            QueryError: a term holds nothing searchable.
        """
        plan = compile_query(node, now=now)
        self.index_pending()
        with self._read() as db:
            return search_ids(db, plan, limit=limit, counts=self._phrase_counts)

    def query_ids(self, node: Node, *, now: datetime) -> list[int]:
        """Every entry matching the query, newest first: a saved view's list."""
        plan = compile_query(node, now=now)
        self.index_pending()
        with self._read() as db:
            return search_ids(db, plan, limit=-1, ranked=False)

    def matching_ids(
        self, nodes: Sequence[Node], *, now: datetime, after_id: int = 0
    ) -> list[set[int]]:
        """The visible entries each query matches (any state), those above `after_id` only,
        without bringing the index up to date (see `indexed_upto`): what saved views count."""
        plans = [compile_query(node, now=now) for node in nodes]
        with self._read() as db:
            return [
                set(search_ids(db, plan, limit=-1, ranked=False, after_id=after_id))
                for plan in plans
            ]

    def indexed_upto(self) -> int:
        """Every entry up to this id is in the search index (changed ones may lag)."""
        return self.count_state()[0]

    def count_state(self) -> tuple[int, int]:
        """(`indexed_upto`, a number that changes whenever an entry's read or hidden state
        changes, an unread entry is deleted or a feed is hidden or shown): what saved views'
        counts check to know what they must count again."""
        with self._read() as db:
            return db.execute("SELECT indexed_upto, state_changes FROM search_state").fetchone()

    def unread_since(self, after_id: int) -> tuple[set[int], int]:
        """The visible unread entries above `after_id`, and the newest entry id now."""
        # All of them: the covering count index; the newest: a range of entries_facts.
        table = "entries INDEXED BY entries_facts" if after_id else "entries"
        with self._read() as db:  # one snapshot: nothing stored between the two reads
            newest = db.execute("SELECT COALESCE(max(id), 0) FROM entries").fetchone()[0]
            ids = {
                row[0]
                for row in db.execute(
                    f"SELECT id FROM {table} WHERE id > ? AND read = 0 AND hidden = 0"
                    " AND feed_url NOT IN (SELECT url FROM feeds WHERE hidden = 1)",
                    (after_id,),
                )
            }
        return ids, newest

    def visible_unread_ids(self) -> set[int]:
        """Every unread entry the lists may show (read from a covering index: ~10 ms / 100k)."""
        with self._read() as db:
            return {
                row[0]
                for row in db.execute(
                    "SELECT id FROM entries WHERE read = 0 AND hidden = 0"
                    " AND feed_url NOT IN (SELECT url FROM feeds WHERE hidden = 1)"
                )
            }

    def search_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """The indexed text of these entries (the full text when reader mode stored one, else
        the feed's): what snippets are cut from."""
        out: dict[int, str] = {}
        self.index_pending()
        with self._read() as db:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for entry_id, body, page in db.execute(
                    f"SELECT rowid, body, page FROM search WHERE rowid IN ({marks})", chunk
                ):
                    out[entry_id] = page or body or ""
        return out

    def apply_filters(
        self, filters: Sequence[Filter], *, now: datetime, dry_run: bool = False
    ) -> list[tuple[int, int]]:
        """Run each filter over the whole store (`newstui filter --apply`), in order; returns
        (entries matched, entries changed) per filter. `dry_run` changes nothing."""
        self.index_pending()
        with self._write() as db:
            results = [_apply(db, f, now=now, after_id=0, write=not dry_run) for f in filters]
            if dry_run:
                db.execute("ROLLBACK")
                db.execute("BEGIN")
        return results

    def filter_hits(self) -> dict[str, int]:
        """How many new entries each filter (by `Filter.key`) has caught at ingestion."""
        with self._read() as db:
            return dict(db.execute("SELECT filter, hits FROM filter_hits").fetchall())


_ACTIONS = {
    "mark-read": "UPDATE entries SET read = 1, read_at = ? WHERE read = 0 AND id IN ",
    "bookmark": "UPDATE entries SET bookmarked = 1, bookmarked_at = ? WHERE bookmarked = 0"
    " AND id IN ",
    "hide": "UPDATE entries SET hidden = 1 WHERE ? IS NOT NULL AND hidden = 0 AND id IN ",
}


def _apply(
    db: sqlite3.Connection, item: Filter, *, now: datetime, after_id: int, write: bool
) -> tuple[int, int]:
    ids = search_ids(db, compile_query(item.node, now=now), limit=-1, ranked=False,
                     after_id=after_id)  # fmt: skip
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = f"({','.join('?' * len(chunk))})"
        if item.action == "tag":
            cursor = db.executemany(
                "INSERT OR IGNORE INTO entry_tags (entry, tag) VALUES (?, ?)",
                [(entry_id, item.tag) for entry_id in chunk],
            )
        else:
            cursor = db.execute(_ACTIONS[item.action] + marks, (int(now.timestamp()), *chunk))
        changed += max(cursor.rowcount, 0)
    return len(ids), changed
