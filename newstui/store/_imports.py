"""Entries brought in from another reader, and reading newsboat's own database (`cache.db`).

`import_entries` stores entries with the read marks and bookmarks the other reader had. An
entry already stored (a second import, or a refresh that came first) is not duplicated: it only
gains a read mark or a bookmark it lacked, never loses one, so importing twice changes nothing.
The entries' feed columns and content hash are written exactly as a refresh writes them, so a
refresh finding the same entry later only updates it (under the same `guid`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newstui.core.config_search import Filter
from newstui.core.errors import StoreError
from newstui.core.models import ParsedEntry
from newstui.store._convert import epoch
from newstui.store._entries import _content_hash, _feed_columns
from newstui.store._errors import store_error
from newstui.store._filters import judge
from newstui.store._pending import record_pending

if TYPE_CHECKING:
    from collections.abc import Callable

    from newstui.core.query_match import EntryFacts

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """An entry from another reader, with that reader's state for it."""

    entry: ParsedEntry
    read: bool
    bookmarked: bool
    seen_at: datetime | None = None
    """When the other reader first stored it, if known (else the import time)."""


@dataclass(frozen=True, slots=True)
class ImportCounts:
    added: int = 0
    """New entries stored."""
    marked: int = 0
    """Entries already stored that gained a read mark or a bookmark."""
    unchanged: int = 0


class ImportsMixin:
    """Import methods of `Store`; relies on its `_write`."""

    if TYPE_CHECKING:
        _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
        filters: tuple[Filter, ...]

    def import_entries(
        self,
        feed_url: str,
        entries: Sequence[ImportedEntry],
        *,
        now: datetime,
        dry_run: bool,
        title: str | None = None,
        site_url: str | None = None,
    ) -> ImportCounts:
        """Store `entries` of the (already synced) feed `feed_url`; with `dry_run`, only count
        what would change (the transaction is rolled back). `title` and `site_url`, the feed's
        own as the other reader knew them, fill in until its first fetch."""
        added = marked = 0
        try:
            with self._write() as db:
                # The feed is in the store already (sync_feeds), except in a dry run of a first
                # import: then this row goes with the rollback.
                db.execute(
                    "INSERT INTO feeds (url, added_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING",
                    (feed_url, epoch(now)),
                )
                db.execute(
                    "UPDATE feeds SET title = COALESCE(title, ?), site_url = COALESCE(site_url, ?)"
                    " WHERE url = ?",
                    (title or None, site_url or None, feed_url),
                )
                known = _stored(db, feed_url, entries)
                gained: dict[str, list[int]] = {"read": [], "bookmarked": []}
                fresh: dict[str, tuple[ImportedEntry, tuple[object, ...]]] = {}
                for item in entries:
                    if item.entry.guid not in known and item.entry.guid not in fresh:
                        columns = _feed_columns(item.entry)
                        fresh[item.entry.guid] = (item, (item.entry.guid, *columns,
                                                         _content_hash(columns)))  # fmt: skip
                verdicts = self._import_verdicts(db, feed_url, list(fresh.values()), now)
                stamp = epoch(now)
                for item in entries:
                    entry = item.entry
                    if entry.guid in known:
                        row_id, read, bookmarked = known[entry.guid]
                        gain_read = item.read and not read
                        gain_mark = item.bookmarked and not bookmarked
                        if gain_read:
                            db.execute(
                                "UPDATE entries SET read = 1, read_at = ? WHERE id = ?",
                                (stamp, row_id),
                            )
                            gained["read"].append(row_id)
                        if gain_mark:
                            db.execute(
                                "UPDATE entries SET bookmarked = 1, bookmarked_at = ? WHERE id = ?",
                                (stamp, row_id),
                            )
                            gained["bookmarked"].append(row_id)
                        marked += gain_read or gain_mark
                        continue
                    row = fresh[entry.guid][1]
                    seen = epoch(item.seen_at) or stamp
                    verdict = verdicts.get(entry.guid)
                    is_read = verdict.read if verdict else item.read
                    is_marked = verdict.bookmarked if verdict else item.bookmarked
                    row_id = db.execute(
                        "INSERT INTO entries (feed_url, guid, title, link, author, published_at,"
                        " updated_at, summary_html, content_html, enclosures, content_hash,"
                        " first_seen_at, sort_at, read, read_at, bookmarked, bookmarked_at,"
                        " hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        (
                            feed_url,
                            *row,
                            seen,
                            epoch(entry.published_at) or seen,
                            int(is_read),
                            stamp if is_read else None,
                            int(is_marked),
                            stamp if is_marked else None,
                            int(bool(verdict and verdict.hidden)),
                        ),
                    ).fetchone()[0]
                    if verdict and verdict.tags:
                        db.executemany(
                            "INSERT OR IGNORE INTO entry_tags (entry, tag) VALUES (?, ?)",
                            [(row_id, tag) for tag in verdict.tags],
                        )
                    known[entry.guid] = (row_id, int(is_read), int(is_marked))
                    # What the other reader had (not what a filter made of it) is the user's.
                    if item.read and is_read:
                        gained["read"].append(row_id)
                    if item.bookmarked and is_marked:
                        gained["bookmarked"].append(row_id)
                    added += 1
                # A sync server's feed: the marks gained are the user's, to be pushed like
                # marks made here (an entry the server has not matched yet waits for it).
                for column, ids in gained.items():
                    for start in range(0, len(ids), _CHUNK):
                        record_pending(db, column, ids[start : start + _CHUNK], True, now)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return ImportCounts(added, marked, len(entries) - added - marked)

    def _import_verdicts(
        self,
        db: sqlite3.Connection,
        feed_url: str,
        fresh: list[tuple[ImportedEntry, tuple[object, ...]]],
        now: datetime,
    ) -> dict[str, EntryFacts]:
        """`[[filters]]` (`self.filters`) over the new entries, each starting from the state
        the other reader gave it: a killfile hides or marks imported entries as it does new
        ones from a refresh or a sync."""
        if not self.filters or not fresh:
            return {}
        (feed_title,) = db.execute(
            "SELECT COALESCE(user_title, title, url) FROM feeds WHERE url = ?", (feed_url,)
        ).fetchone()
        facts = judge(
            db, feed_url, feed_title, [row for _, row in fresh], self.filters, now,  # type: ignore[misc]
            states=[(item.read, item.bookmarked) for item, _ in fresh],
        )  # fmt: skip
        return {item.entry.guid: fact for (item, _), fact in zip(fresh, facts, strict=True)}


def _stored(
    db: sqlite3.Connection, feed_url: str, entries: Sequence[ImportedEntry]
) -> dict[str, tuple[int, int, int]]:
    """(row id, read, bookmarked) of the entries already stored, by the imported GUID. An
    entry that came from a sync server is stored under `sha256:<hash of its GUID>` when
    newstui never had it from the site (store/_sync.py), so that name is looked up too, and
    then the link, as the sync matches them."""
    known: dict[str, tuple[int, int, int]] = {}
    guids = [item.entry.guid for item in entries]
    hashed = {
        "sha256:" + hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest(): guid
        for guid in guids
    }
    names = [*guids, *hashed]
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        rows = db.execute(
            "SELECT guid, id, read, bookmarked FROM entries WHERE feed_url = ?"
            f" AND guid IN ({','.join('?' * len(chunk))})",
            (feed_url, *chunk),
        )
        for row in rows:
            known.setdefault(hashed.get(row[0], row[0]), tuple(row[1:]))
    missing = {item.entry.link: item.entry.guid for item in entries
               if item.entry.guid not in known and item.entry.link}  # fmt: skip
    if missing:
        for link, *state in db.execute(
            "SELECT link, id, read, bookmarked FROM entries WHERE feed_url = ?"
            " AND remote_id IS NOT NULL AND link IS NOT NULL",
            (feed_url,),
        ):
            if link in missing:
                known.setdefault(missing.pop(link), tuple(state))  # type: ignore[arg-type]
    return known


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass(frozen=True, slots=True)
class NewsboatItem:
    """One row of newsboat's `rss_item`, as newsboat stored it."""

    guid: str
    title: str
    author: str
    url: str
    feed_url: str
    published: int
    content: str
    unread: bool
    flags: str
    enclosure_url: str
    enclosure_type: str


@dataclass(frozen=True, slots=True)
class NewsboatCache:
    feeds: dict[str, tuple[str, str]]
    """`rss_feed`: feed URL -> (title, site URL)."""
    items: list[NewsboatItem]
    """Every item not marked deleted."""
    deleted: int
    """Items newsboat marked deleted (not imported)."""


def read_newsboat_cache(path: Path) -> NewsboatCache:
    """Read newsboat's `cache.db` without writing to it (read-only, even if newsboat runs).

    Raises:
        StoreError: the file is not a newsboat cache (or not SQLite at all).
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if not {"rss_feed", "rss_item"} <= tables:
                raise StoreError(str(path), "not a newsboat cache.db (no rss_feed/rss_item)")
            columns = {row[1] for row in db.execute("PRAGMA table_info(rss_item)")}
            # Old caches lack the later columns (newsboat adds them with ALTER TABLE).
            optional = {
                name: name if name in columns else default
                for name, default in (
                    ("flags", "''"),
                    ("deleted", "0"),
                    ("enclosure_url", "''"),
                    ("enclosure_type", "''"),
                )
            }
            feeds = {
                row[0]: (row[1] or "", row[2] or "")
                for row in db.execute("SELECT rssurl, title, url FROM rss_feed")
            }
            rows = db.execute(
                "SELECT guid, title, author, url, feedurl, pubDate, content, unread,"
                f" {optional['flags']}, {optional['enclosure_url']},"
                f" {optional['enclosure_type']}, {optional['deleted']}"
                " FROM rss_item ORDER BY id"
            ).fetchall()
    except sqlite3.Error as error:
        raise store_error(str(path), error) from None
    items, deleted = [], 0
    for row in rows:
        if row[11]:
            deleted += 1
            continue
        items.append(
            NewsboatItem(
                guid=str(row[0] or ""),
                title=str(row[1] or ""),
                author=str(row[2] or ""),
                url=str(row[3] or ""),
                feed_url=str(row[4] or ""),
                published=int(row[5] or 0),
                content=str(row[6] or ""),
                unread=bool(row[7]),
                flags=str(row[8] or ""),
                enclosure_url=str(row[9] or ""),
                enclosure_type=str(row[10] or ""),
            )
        )
    return NewsboatCache(feeds, items, deleted)
