"""Upgrading a database from every earlier schema version keeps every read mark and bookmark."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.core.models import FeedSpec
from newstui.core.query import parse_query
from newstui.store import Store, schema

FEED = "https://example.org/feed.xml"


def _database_at(path: Path, version: int) -> None:
    """A database as an older newstui left it, with user state in it."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    schema.migrate(raw, target=version)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == version
    if version >= 1:
        raw.execute(
            "INSERT INTO feeds (url, title, added_at) VALUES (?, 'Café Gazette', 0)", (FEED,)
        )
        guid = "guid" if version >= 6 else "entry_id"  # v6 renamed the column
        raw.executemany(
            f"INSERT INTO entries (feed_url, {guid}, title, content_hash, first_seen_at,"
            " sort_at, read, read_at, bookmarked, bookmarked_at) VALUES (?, ?, ?, 'h', 0, ?,"
            " ?, ?, ?, ?)",
            [
                (FEED, "read", "Read one", 3, 1, 100, 0, None),
                (FEED, "bookmarked", "Bookmarked one", 2, 0, None, 1, 200),
                (FEED, "plain", "Plain one", 1, 0, None, 0, None),
            ],
        )
        # The feed's last document still lists the read entry: prune must keep it.
        if version >= 5:
            raw.execute(
                "INSERT INTO feed_documents (url, current_ids) VALUES (?, '[\"read\"]')", (FEED,)
            )
        else:
            raw.execute("UPDATE feeds SET current_ids = '[\"read\"]' WHERE url = ?", (FEED,))
    if version >= 2:
        raw.execute(
            "INSERT INTO full_texts (entry, url, html, fetched_at)"
            " SELECT id, 'https://example.org/read', '<p>kept</p>', 5 FROM entries"
            f" WHERE {'guid' if version >= 6 else 'entry_id'} = 'read'"
        )
    raw.close()


@pytest.mark.parametrize("version", range(schema.LATEST))
def test_upgrade_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.db"
    _database_at(path, version)
    progress: list[tuple[int, int]] = []

    with Store(path, progress=lambda done, total: progress.append((done, total))) as store:
        assert store.integrity_check() == ["ok"]
        entries = {e.guid: e for e in store.entries()}
        if version >= 1:
            assert entries["read"].read and not entries["read"].bookmarked
            assert entries["bookmarked"].bookmarked and not entries["bookmarked"].read
            assert not entries["plain"].read
        store.set_state("theme", "nord")  # the newest table exists and works
        # v7: every feed starts local, and nothing waits to be pushed.
        assert {origin for origin, _ in store.feed_origins().values()} <= {"local"}
        assert store.pending_marks() == []
        store.set_sync_values({"cursor": "1"})
        assert store.sync_value("cursor") == "1"
        if version >= 1:
            # Only "read" is prunable by age and state, but the feed still lists it (v5 moved
            # that list to its own table): pruning everything old deletes nothing.
            assert store.prune(datetime(2100, 1, 1, tzinfo=UTC)) == 0
            assert "read" in {e.guid for e in store.entries()}
            # v8 (and v9 again) indexed what was stored: titles, the feed's name, pages.
            if version < 9:
                assert progress[0] == (0, 3) and progress[-1] == (3, 3)
            now = datetime(2026, 1, 1, tzinfo=UTC)
            hits = store.entries_by_id(store.search(parse_query("bookmarked"), now=now))
            assert [e.guid for e in hits] == ["bookmarked"]
            assert len(store.search(parse_query("cafe gazette"), now=now)) == 3
            if version >= 2:
                hits = store.entries_by_id(store.search(parse_query("kept"), now=now))
                assert [e.guid for e in hits] == ["read"]

    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    if version >= 2:
        assert raw.execute("SELECT html FROM full_texts").fetchone() == ("<p>kept</p>",)
    raw.close()


def test_every_step_is_recorded_in_order(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "steps.db", isolation_level=None)
    for target in range(1, schema.LATEST + 1):
        schema.migrate(raw, target=target)
        assert raw.execute("PRAGMA user_version").fetchone()[0] == target
    raw.close()


def test_v10_refetches_feeds_with_episodes_so_they_get_their_durations(tmp_path: Path) -> None:
    """Episodes stored before durations were kept: their feed's next fetch must download and
    parse it (no 304, no "body unchanged"); other feeds keep their validators."""
    path = tmp_path / "v9.db"
    raw = sqlite3.connect(path, isolation_level=None)
    schema.migrate(raw, target=9)
    podcast, blog = "https://example.org/podcast.xml", "https://example.org/blog.xml"
    for url in (podcast, blog):
        raw.execute(
            "INSERT INTO feeds (url, title, etag, last_modified, body_hash, added_at)"
            " VALUES (?, 't', '\"e1\"', 'Mon, 01 Jan 2024 00:00:00 GMT', 'abc', 0)",
            (url,),
        )
    raw.execute(
        "INSERT INTO entries (feed_url, guid, title, enclosures, content_hash, first_seen_at,"
        " sort_at, read) VALUES (?, 'ep1', 'Episode 1', ?, 'h', 0, 0, 1)",
        (podcast, '[["https://example.org/ep1.mp3", "audio/mpeg", 48000000]]'),
    )
    raw.execute(
        "INSERT INTO entries (feed_url, guid, title, content_hash, first_seen_at, sort_at)"
        " VALUES (?, 'post', 'Post', 'h', 0, 0)",
        (blog,),
    )
    raw.close()

    with Store(path) as store:
        states = store.feed_states()
        [episode] = [e for e in store.entries() if e.guid == "ep1"]

    assert (states[podcast].etag, states[podcast].last_modified, states[podcast].body_hash) == (
        None,
        None,
        None,
    )
    assert (states[blog].etag, states[blog].body_hash) == ('"e1"', "abc")
    assert episode.read, "the user's state is untouched"
    assert episode.enclosures[0].length == 48_000_000 and episode.enclosures[0].duration is None


def test_v11_keeps_the_index_and_merges_its_segments_less_often(tmp_path: Path) -> None:
    """Search works as before the upgrade, and FTS5 is told to merge 64 segments of a level
    at a time, not 16 (a cold refresh's indexing costs ~40 % less FTS5 time)."""
    path = tmp_path / "v10.db"
    _database_at(path, 10)
    with Store(path) as store:
        assert [e.title for e in store.entries() if e.id in store.search(
            parse_query("bookmarked"), now=datetime.now(UTC))] == ["Bookmarked one"]  # fmt: skip
    raw = sqlite3.connect(path)
    config = dict(raw.execute("SELECT k, v FROM search_config").fetchall())
    raw.close()
    assert (config["automerge"], config["crisismerge"]) == (64, 64)


def test_v12_lists_feed_tags_and_counts_indexed_rows(tmp_path: Path) -> None:
    """Feeds' tags are copied into `feed_tags` (what `tag:` reads since v12) and kept by
    triggers; rows indexed from then on are counted; hidden feeds have their own index."""
    path = tmp_path / "v11.db"
    _database_at(path, 11)
    raw = sqlite3.connect(path)
    raw.execute("UPDATE feeds SET tags = '[\"News\", \"tech\", \"news\"]' WHERE url = ?", (FEED,))
    raw.commit()
    raw.close()
    now = datetime.now(UTC)
    with Store(path) as store:
        store.index_pending()
        hits = store.entries_by_id(store.search(parse_query("tag:NEWS plain"), now=now))
        assert [e.guid for e in hits] == ["plain"]
        assert len(store.query_ids(parse_query("tag:tech"), now=now)) == 3
        store.sync_feeds([FeedSpec(FEED, tags=("science",))], now=now)
        assert store.query_ids(parse_query("tag:news"), now=now) == []
        assert len(store.query_ids(parse_query("tag:science"), now=now)) == 3
        with store._read() as db:
            assert db.execute("SELECT tag, feed FROM feed_tags").fetchall() == [("science", FEED)]
            # Indexed once after the upgrade, then again for the feed's new tags.
            assert db.execute("SELECT inserted FROM search_state").fetchone() == (6,)
            assert db.execute("SELECT name FROM sqlite_master WHERE name = 'feeds_hidden'"
                              ).fetchone() == ("feeds_hidden",)  # fmt: skip
        with store._write() as db:
            db.execute("DELETE FROM feeds WHERE url = ?", (FEED,))
            assert db.execute("SELECT count(*) FROM feed_tags").fetchone() == (0,)
