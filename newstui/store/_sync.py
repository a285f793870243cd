"""Sync storage for `Store`: server feeds and entries, pending marks, the sync cursor.

The rules, each a user promise:
- A mark made here is stored with its desired value in `pending_marks` (store/_pending.py), in
  the mark's own transaction, and leaves only once the server has acknowledged that very change
  (`clear_pending` matches the time too, so a newer change made during a push stays pending).
- A state pulled from the server replaces the local one unless a pending local change is newer:
  the later change wins, by timestamp. The one exception is an entry matched for the first
  time: there a read mark or bookmark on either side wins, as the other side's state is only
  its default.
- Entries newstui already had from the site are matched to the server's by GUID (Miniflux's
  `hash` is the SHA-256 of the GUID), else by link, so moving a feed to the server duplicates
  nothing and keeps its read marks and bookmarks.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

from newstui.core.config_search import Filter
from newstui.core.models import ParsedEntry
from newstui.core.remote import MarkField, Origin, PendingMark, RemoteEntry, RemoteFeed, ServerMarks
from newstui.core.rows import entry_row
from newstui.store._convert import epoch
from newstui.store._pending import epoch_ms

_CHUNK = 500
SERVER_POSITION = 1_000_000
"""Feeds only the server has sort after the ones feeds.toml lists."""


class SyncMixin:
    """Sync methods of `Store`; relies on its `_write`, `_query` and `_upsert_entries`."""

    if TYPE_CHECKING:
        _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
        _read: Callable[[], AbstractContextManager[sqlite3.Connection]]
        _query: Callable[..., list[sqlite3.Row]]
        _upsert_entries: Callable[..., tuple[int, int]]
        filters: tuple[Filter, ...]

    # -- bookkeeping ------------------------------------------------------------------------

    def sync_value(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM sync_state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_sync_values(self, values: dict[str, str | None]) -> None:
        with self._write() as db:
            for key, value in values.items():
                if value is None:
                    db.execute("DELETE FROM sync_state WHERE key = ?", (key,))
                else:
                    db.execute(
                        "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value),
                    )

    def forget_server(self) -> None:
        """Another server (or none): its ids mean nothing now. Server feeds become local feeds
        (entries, marks and bookmarks kept) and the cursor starts over; pending marks stay,
        to be pushed to the new server once its entries are matched."""
        with self._write() as db:
            db.execute("UPDATE entries SET remote_id = NULL WHERE remote_id IS NOT NULL")
            db.execute("UPDATE feeds SET remote_id = NULL, origin = 'local'")
            db.execute("DELETE FROM sync_state")

    # -- feeds ------------------------------------------------------------------------------

    def feed_origins(self) -> dict[str, tuple[Origin, str | None]]:
        """Every feed's origin and server id, by URL (hidden feeds too)."""
        return {
            row[0]: (Origin(row[1]), row[2])
            for row in self._query("SELECT url, origin, remote_id FROM feeds")
        }

    def save_server_feeds(
        self, feeds: Sequence[RemoteFeed], *, local_urls: Sequence[str], now: datetime
    ) -> list[str]:
        """Make the server's subscriptions server feeds; returns the URLs of the feeds that
        are no longer the server's (made local again, or hidden when feeds.toml lacks them).

        `local_urls`: feeds.toml's feeds that must stay local (`sync = false`); they are not
        taken over even when the server has them too.
        """
        keep_local = set(local_urls)
        wanted = {feed.url: feed for feed in feeds if feed.url not in keep_local}
        with self._write() as db:
            stored = {
                row[0]: (row[1], row[2], row[3])
                for row in db.execute("SELECT url, origin, tags, user_title FROM feeds")
            }
            for position, feed in enumerate(wanted.values()):
                category = [feed.category] if feed.category else []
                if feed.url not in stored:
                    db.execute(
                        "INSERT INTO feeds (url, title, site_url, tags, position, hidden,"
                        " added_at, origin, remote_id, last_ok_at) VALUES (?, ?, ?, ?, ?, 0, ?,"
                        " 'server', ?, ?)",
                        (feed.url, feed.title or None, feed.site_url, json.dumps(category),
                         SERVER_POSITION + position, epoch(now), feed.remote_id, epoch(now)),
                    )  # fmt: skip
                    continue
                # A feed feeds.toml lists keeps the tags and title given there; the category
                # is added as one more tag.
                tags = json.loads(stored[feed.url][1] or "[]")
                tags += [tag for tag in category if tag not in tags]
                db.execute(
                    "UPDATE feeds SET origin = 'server', remote_id = ?, title = ?,"
                    " site_url = COALESCE(?, site_url), tags = ?, hidden = 0, last_error = NULL,"
                    " error_kind = NULL WHERE url = ?",
                    (feed.remote_id, feed.title or None, feed.site_url, json.dumps(tags),
                     feed.url),
                )  # fmt: skip
            gone = [
                url
                for url, (origin, _, _) in stored.items()
                if origin == Origin.SERVER and url not in wanted
            ]
            for url in gone:
                _leave_server(db, url)
        return gone

    def leave_server(self, url: str) -> None:
        """The feed was unsubscribed on the server (`newstui remove`, `d`): it is a local feed
        again, hidden unless feeds.toml lists it; entries, read marks and bookmarks kept."""
        with self._write() as db:
            _leave_server(db, url)

    def schedule_server_feeds(self, next_due_at: datetime) -> None:
        """The server's feeds are due again with the next sync (a refresh's plan sees them
        due then, and the sync source runs for them)."""
        with self._write() as db:
            db.execute(
                "UPDATE feeds SET next_due_at = ? WHERE origin = 'server'", (epoch(next_due_at),)
            )

    # -- entries ----------------------------------------------------------------------------

    def save_server_entries(
        self,
        feed_url: str,
        entries: Sequence[RemoteEntry],
        *,
        now: datetime,
        seen_until: datetime | None = None,
    ) -> ServerMarks:
        """Store one feed's entries as the server has them, in one transaction.

        Feed columns are written as a refresh writes them (unchanged entries are not
        rewritten). Read and bookmark states follow the server, except where a pending local
        change is newer than the server's `changed_at`. `seen_until`: the previous sync's
        cursor; a server change up to then was already seen, so a local mark made since is
        not counted as a conflict with it.
        """
        seen_ms = epoch_ms(seen_until) if seen_until else 0
        with self._write() as db:
            guids = _match_guids(db, feed_url, entries)
            rows = [entry_row(_parsed(entry, guids[entry.remote_id])) for entry in entries]
            (feed_title,) = db.execute(
                "SELECT COALESCE(user_title, title, url) FROM feeds WHERE url = ?", (feed_url,)
            ).fetchone()
            # `[[filters]]` judge new entries as they do a refresh's. A read mark or bookmark
            # one gives a server entry is the user's own, so it is pushed like one (below).
            new, updated = self._upsert_entries(
                db, feed_url, rows, now, feed_title=feed_title, filters=self.filters
            )
            applied = kept = 0
            for start in range(0, len(entries), _CHUNK):
                chunk = entries[start : start + _CHUNK]
                keys = [guids[entry.remote_id] for entry in chunk]
                marks = ",".join("?" * len(keys))
                rows = db.execute(
                    "SELECT guid, id, read, bookmarked, read_at, bookmarked_at, remote_id"
                    f" FROM entries WHERE feed_url = ? AND guid IN ({marks})",
                    (feed_url, *keys),
                ).fetchall()
                local = {row[0]: row[1:] for row in rows}
                ids = [row[1] for row in rows]
                pending = _pending_for(db, ids)
                # Written with one executemany each, not an execute per entry: a sync that
                # pulls thousands of changed states costs the reader's keys less (each call
                # takes the GIL from the event loop again).
                matched: list[tuple[str, int]] = []
                states: dict[str, list[tuple[int, int | None, int]]] = {"read": [],
                                                                        "bookmarked": []}
                for entry, guid in zip(chunk, keys, strict=True):
                    entry_id, read, bookmarked, read_at, bookmarked_at, remote = local[guid]
                    if remote != entry.remote_id:
                        matched.append((entry.remote_id, entry_id))
                    server_ms = epoch_ms(entry.changed_at)
                    for field, server_value, local_value, local_at in (
                        (MarkField.READ, entry.read, read, read_at),
                        (MarkField.BOOKMARKED, entry.starred, bookmarked, bookmarked_at),
                    ):
                        mine = pending.get((entry_id, field))
                        if mine is not None:
                            if mine[1] >= server_ms:
                                # Ours is later: it will be pushed. A conflict only when the
                                # server changed it to something else since the last sync.
                                kept += mine[0] != server_value and server_ms > seen_ms
                                continue
                            db.execute(
                                "DELETE FROM pending_marks WHERE entry = ? AND field = ?",
                                (entry_id, field.value),
                            )
                        elif remote is None and local_value and not server_value:
                            # An entry newstui had from the site, first matched now: the
                            # server's "unread" is only its default (its changed_at is when it
                            # first saw the entry, no one's choice), so a read mark or bookmark
                            # made here is kept and pushed, never lost to the move.
                            _pend(db, entry_id, field, True, (local_at or epoch(now)) * 1000)
                            kept += 1
                            continue
                        if bool(local_value) != server_value:
                            states[field.value].append((
                                int(server_value),
                                epoch(entry.changed_at) if server_value else None, entry_id,
                            ))  # fmt: skip
                            applied += 1
                db.executemany("UPDATE entries SET remote_id = ? WHERE id = ?", matched)
                for column, values in states.items():
                    db.executemany(
                        f"UPDATE entries SET {column} = ?, {column}_at = ? WHERE id = ?", values
                    )
        return ServerMarks(new, updated, applied, kept)

    def apply_server_state(
        self, states: Sequence[tuple[str, bool | None, bool | None, datetime]]
    ) -> ServerMarks:
        """Server-side changes to entries already stored, by remote id:
        `(remote_id, read or None, starred or None, changed_at)`; None leaves a field alone.
        Unknown ids are skipped. The later change wins over a pending local one."""
        applied = kept = 0
        with self._write() as db:
            for start in range(0, len(states), _CHUNK):
                chunk = states[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    "SELECT remote_id, id, read, bookmarked FROM entries"
                    f" WHERE remote_id IN ({marks})",
                    [state[0] for state in chunk],
                ).fetchall()
                local = {row[0]: row[1:] for row in rows}
                pending = _pending_for(db, [row[1] for row in rows])
                for remote_id, read, starred, changed_at in chunk:
                    if remote_id not in local:
                        continue
                    entry_id, local_read, local_bookmarked = local[remote_id]
                    server_ms = epoch_ms(changed_at)
                    for field, value, current in (
                        (MarkField.READ, read, local_read),
                        (MarkField.BOOKMARKED, starred, local_bookmarked),
                    ):
                        if value is None:
                            continue
                        mine = pending.get((entry_id, field))
                        if mine is not None:
                            if mine[1] >= server_ms:
                                kept += mine[0] != value
                                continue
                            db.execute(
                                "DELETE FROM pending_marks WHERE entry = ? AND field = ?",
                                (entry_id, field.value),
                            )
                        if bool(current) != value:
                            column = field.value
                            db.execute(
                                f"UPDATE entries SET {column} = ?, {column}_at = ? WHERE id = ?",
                                (int(value), epoch(changed_at) if value else None, entry_id),
                            )
                            applied += 1
        return ServerMarks(marks_applied=applied, marks_kept=kept)

    def remote_entry_ids(self) -> list[str]:
        """The server's ids of every entry matched to it."""
        return [row[0] for row in self._query(
            "SELECT remote_id FROM entries WHERE remote_id IS NOT NULL")]  # fmt: skip

    # -- pending marks ----------------------------------------------------------------------

    def pending_marks(self) -> list[PendingMark]:
        """Every change waiting to be pushed, oldest first."""
        return [
            PendingMark(row[0], MarkField(row[1]), bool(row[2]), row[3], row[4])
            for row in self._query(
                "SELECT p.entry, p.field, p.value, p.changed_at_ms, e.remote_id"
                " FROM pending_marks p JOIN entries e ON e.id = p.entry"
                " ORDER BY p.changed_at_ms, p.entry"
            )
        ]

    def pending_count(self) -> int:
        return self._query("SELECT COUNT(*) FROM pending_marks")[0][0]

    def clear_pending(self, marks: Sequence[PendingMark]) -> int:
        """Forget marks the server acknowledged; a mark changed again since stays pending."""
        with self._write() as db:
            cleared = 0
            for mark in marks:
                cleared += db.execute(
                    "DELETE FROM pending_marks WHERE entry = ? AND field = ?"
                    " AND changed_at_ms = ? AND value = ?",
                    (mark.entry_id, mark.field.value, mark.changed_at_ms, int(mark.value)),
                ).rowcount
        return cleared


def _leave_server(db: sqlite3.Connection, url: str) -> None:
    db.execute(
        "UPDATE feeds SET origin = 'local', remote_id = NULL,"
        " hidden = CASE WHEN position >= ? THEN 1 ELSE hidden END WHERE url = ?",
        (SERVER_POSITION, url),
    )
    db.execute("UPDATE entries SET remote_id = NULL WHERE feed_url = ?", (url,))
    # Its marks have nowhere to go now: they stay here, as for any local feed.
    db.execute(
        "DELETE FROM pending_marks WHERE entry IN (SELECT id FROM entries WHERE feed_url = ?)",
        (url,),
    )


def _pending_for(
    db: sqlite3.Connection, ids: Sequence[int]
) -> dict[tuple[int, MarkField], tuple[bool, int]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        (row[0], MarkField(row[1])): (bool(row[2]), row[3])
        for row in db.execute(
            "SELECT entry, field, value, changed_at_ms FROM pending_marks"
            f" WHERE entry IN ({marks})",
            list(ids),
        )
    }


def _pend(db: sqlite3.Connection, entry_id: int, field: MarkField, value: bool, at_ms: int) -> None:
    db.execute(
        "INSERT INTO pending_marks (entry, field, value, changed_at_ms) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (entry, field) DO UPDATE SET value = excluded.value,"
        " changed_at_ms = excluded.changed_at_ms",
        (entry_id, field.value, int(value), at_ms),
    )


def _match_guids(
    db: sqlite3.Connection, feed_url: str, entries: Sequence[RemoteEntry]
) -> dict[str, str]:
    """The GUID each server entry is stored under: the one of the entry newstui already has
    (by remote id, then by the GUID's SHA-256, then by link), else `sha256:<hash>`."""
    out: dict[str, str] = {}
    ids = [entry.remote_id for entry in entries]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        out.update(
            db.execute(
                f"SELECT remote_id, guid FROM entries WHERE remote_id IN ({marks})", chunk
            ).fetchall()
        )
    missing = [entry for entry in entries if entry.remote_id not in out]
    if not missing:
        return out
    by_hash: dict[str, str] = {}
    by_link: dict[str, str] = {}
    for guid, link in db.execute(
        "SELECT guid, link FROM entries WHERE feed_url = ? AND remote_id IS NULL", (feed_url,)
    ):
        by_hash[hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()] = guid
        if link:
            by_link.setdefault(link, guid)
    taken: set[str] = set()
    for entry in missing:
        guid = by_hash.get(entry.guid_hash or "") or by_link.get(entry.link or "")
        if guid is None or guid in taken:
            guid = f"sha256:{entry.guid_hash}" if entry.guid_hash else f"remote:{entry.remote_id}"
        taken.add(guid)
        out[entry.remote_id] = guid
    return out


def _parsed(entry: RemoteEntry, guid: str) -> ParsedEntry:
    return ParsedEntry(
        guid=guid,
        title=entry.title,
        link=entry.link,
        author=entry.author,
        published_at=entry.published_at,
        content_html=entry.content_html,
        enclosures=entry.enclosures,
    )
