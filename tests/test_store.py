"""The store on real SQLite files: user state survives everything a refresh can do."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newstui.core.errors import StoreError
from newstui.core.models import Enclosure, FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store, schema

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FEED = "https://example.org/feed.xml"


def parsed(*entries: ParsedEntry, title: str = "Example") -> ParsedFeed:
    return ParsedFeed(format="rss20", title=title, entries=entries)


def entry(guid: str, title: str = "", days_old: int = 0, **extra: object) -> ParsedEntry:
    return ParsedEntry(
        guid=guid,
        title=title or f"Entry {guid}",
        link=f"https://example.org/{guid}",
        published_at=NOW - timedelta(days=days_old),
        **extra,  # type: ignore[arg-type]
    )


def save(store: Store, feed: ParsedFeed, url: str = FEED, now: datetime = NOW) -> tuple[int, int]:
    return store.save_fetch(
        url, feed, now=now, etag=None, last_modified=None, body_hash=None, next_due_at=now
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "newstui.db") as db:
        db.sync_feeds([FeedSpec(FEED, tags=("tech",))], now=NOW)
        yield db


def test_new_file_uses_wal_and_latest_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db"):
        pass
    raw = sqlite3.connect(tmp_path / "x.db")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    raw.close()


def test_memory_database_works() -> None:
    with Store(":memory:") as db:
        db.sync_feeds([FeedSpec(FEED)], now=NOW)
        assert save(db, parsed(entry("a"))) == (1, 0)


def test_second_save_of_same_entries_writes_nothing(store: Store) -> None:
    feed = parsed(entry("a"), entry("b"))
    assert save(store, feed) == (2, 0)
    assert save(store, feed) == (0, 0)
    assert store.feeds()[0].total == 2


def test_changed_entry_keeps_read_and_bookmark(store: Store) -> None:
    save(store, parsed(entry("a", "Old title")))
    [entry_row] = store.entries()
    store.set_read([entry_row.id], True, now=NOW)
    store.set_bookmarked([entry_row.id], True, now=NOW)

    assert save(store, parsed(entry("a", "Corrected title"))) == (0, 1)

    [after] = store.entries()
    assert after.title == "Corrected title"
    assert after.read and after.bookmarked
    assert after.read_at == NOW and after.bookmarked_at == NOW
    assert after.id == entry_row.id


def test_missing_date_falls_back_to_first_seen(store: Store) -> None:
    save(store, parsed(ParsedEntry("undated", "No date")), now=NOW)
    [row] = store.entries()
    assert row.published_at == NOW == row.first_seen_at


def test_enclosures_round_trip(store: Store) -> None:
    podcast = Enclosure("https://example.org/ep1.mp3", "audio/mpeg", 12345)
    save(store, parsed(entry("ep1", enclosures=(podcast,))))
    assert store.entries()[0].enclosures == (podcast,)


def test_set_read_reports_only_real_changes(store: Store) -> None:
    save(store, parsed(entry("a"), entry("b")))
    ids = list(store.entry_ids())
    assert sorted(store.set_read(ids[:1], True, now=NOW)) == ids[:1]
    assert sorted(store.set_read(ids, True, now=NOW)) == ids[1:]
    assert store.feeds()[0].unread == 0
    assert sorted(store.set_read(ids, False, now=NOW)) == sorted(ids)
    assert store.feeds()[0].unread == 2


def test_mark_all_read_returns_ids_for_undo(store: Store) -> None:
    save(store, parsed(entry("a"), entry("b"), entry("c")))
    first = store.entry_ids()[0]
    store.set_read([first], True, now=NOW)
    changed = store.mark_all_read(FEED, now=NOW)
    assert len(changed) == 2 and first not in changed
    store.set_read(changed, False, now=NOW)  # undo
    assert store.feeds()[0].unread == 2


def test_entries_newest_first_and_filters(store: Store) -> None:
    save(store, parsed(entry("old", days_old=3), entry("new", days_old=1)))
    assert [e.guid for e in store.entries()] == ["new", "old"]
    new_id = store.entry_ids()[0]
    store.set_bookmarked([new_id], True, now=NOW)
    store.set_read([new_id], True, now=NOW)
    assert [e.guid for e in store.entries(unread_only=True)] == ["old"]
    assert [e.guid for e in store.entries(bookmarked_only=True)] == ["new"]
    assert [e.guid for e in store.entries_by_id([new_id, 999])] == ["new"]


def test_removed_feed_is_hidden_and_comes_back_with_its_state(store: Store) -> None:
    save(store, parsed(entry("a")))
    store.set_read(store.entry_ids(), True, now=NOW)
    other = "https://other.example/rss"

    store.sync_feeds([FeedSpec(other)], now=NOW)
    assert [f.url for f in store.feeds()] == [other]
    assert store.entries() == []
    assert [f.url for f in store.feeds(include_hidden=True) if f.hidden] == [FEED]

    store.sync_feeds([FeedSpec(other), FeedSpec(FEED, title="Back")], now=NOW)
    back = next(f for f in store.feeds() if f.url == FEED)
    assert back.title == "Back" and back.total == 1 and back.unread == 0


def test_display_titles_match_the_feed_list(tmp_path: Path) -> None:
    """`newstui refresh` names feeds by these without counting entries: the user's title,
    else the feed's own; a feed with neither (never fetched) is left out."""
    named, fetched, fresh = (f"https://example.org/{name}.xml" for name in ("n", "f", "x"))
    with Store(tmp_path / "t.db") as db:
        db.sync_feeds([FeedSpec(named, title="Mine"), FeedSpec(fetched), FeedSpec(fresh)], now=NOW)
        save(db, parsed(entry("a"), title="Their own"), url=named)
        save(db, parsed(entry("a"), title="Their own"), url=fetched)

        titles = db.display_titles()
        listed = {feed.url: feed.title for feed in db.feeds() if feed.title != feed.url}

    assert titles == listed == {named: "Mine", fetched: "Their own"}


def test_failure_keeps_entries_and_counts_failures(store: Store) -> None:
    save(store, parsed(entry("a")))
    later = NOW + timedelta(hours=1)
    store.record_failure(FEED, kind="http-status", message="HTTP 500", now=later, next_due_at=later)
    store.record_failure(FEED, kind="timeout", message="timed out", now=later, next_due_at=later)
    feed = store.feeds()[0]
    assert (feed.total, feed.failures, feed.last_error) == (1, 2, "timed out")
    assert feed.last_ok_at == NOW
    store.touch(FEED, now=later, next_due_at=later, etag='"v2"')
    feed = store.feeds()[0]
    assert (feed.failures, feed.last_error, feed.last_ok_at) == (0, None, later)
    assert store.feed_states()[FEED].etag == '"v2"'


def test_prune_spares_unread_bookmarked_recent_and_still_listed(store: Store) -> None:
    save(
        store,
        parsed(
            entry("old-read", days_old=100),
            entry("old-unread", days_old=100),
            entry("old-bookmarked", days_old=100),
            entry("recent-read", days_old=1),
            entry("old-read-still-listed", days_old=100),
        ),
    )
    by_id = {e.guid: e.id for e in store.entries()}
    store.set_read(
        [by_id[k] for k in ("old-read", "old-bookmarked", "recent-read", "old-read-still-listed")],
        True,
        now=NOW,
    )
    store.set_bookmarked([by_id["old-bookmarked"]], True, now=NOW)
    # The feed's latest document no longer lists most of them:
    save(store, parsed(entry("old-read-still-listed", days_old=100)))

    assert store.prune(NOW - timedelta(days=30)) == 1
    left = {e.guid for e in store.entries()}
    assert left == {"old-unread", "old-bookmarked", "recent-read", "old-read-still-listed"}


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer newstui"):
        Store(path)


def test_garbage_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"database file is damaged \(file is not a database\)"):
        Store(path)


def test_ui_state_round_trip(store: Store) -> None:
    assert store.get_state("theme") is None
    store.set_state("theme", "nord")
    store.set_state("theme", "gruvbox")
    assert store.get_state("theme") == "gruvbox"


# -- two writers ----------------------------------------------------------------------------


def test_two_connections_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with Store(path) as setup:
        setup.sync_feeds([FeedSpec(FEED)], now=NOW)
        save(setup, parsed(*(entry(str(i)) for i in range(50))))
    errors: list[BaseException] = []

    def refresher() -> None:
        try:
            with Store(path) as db:
                for round_ in range(30):
                    save(db, parsed(*(entry(str(i), f"v{round_}") for i in range(50))))
        except BaseException as exc:
            errors.append(exc)

    def reader_marking() -> None:
        try:
            with Store(path) as db:
                ids = db.entry_ids()
                for i in ids:
                    db.set_read([i], True, now=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=refresher), threading.Thread(target=reader_marking)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(path) as db:
        assert db.feeds()[0].unread == 0
        assert {e.title for e in db.entries()} == {"v29"}


def _process_writer(path: str, prefix: str) -> None:
    with Store(path) as db:
        for round_ in range(20):
            save(db, parsed(*(entry(f"{prefix}{i}", f"{prefix}{round_}") for i in range(20))))


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "procs.db")
    with Store(path) as setup:
        setup.sync_feeds([FeedSpec(FEED)], now=NOW)
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_process_writer, args=(path, p)) for p in "ab"]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0]
    with Store(path) as db:
        assert db.feeds()[0].total == 40
        assert db.integrity_check() == ["ok"]
