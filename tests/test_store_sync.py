"""The store's side of sync: pending marks as desired state, server feeds and entries, the
later change winning a conflict. Real SQLite files; the server itself is in tests/sync/."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.core.remote import MarkField, RemoteEntry, RemoteFeed
from newstui.store import Store

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SERVER_FEED = "https://server.example/feed.xml"
LOCAL_FEED = "https://local.example/feed.xml"


def remote(n: int, *, read: bool = False, starred: bool = False, at: datetime = T0,
           guid: str | None = None, link: str | None = None) -> RemoteEntry:
    return RemoteEntry(
        remote_id=str(100 + n),
        feed_remote_id="7",
        title=f"Entry {n}",
        guid_hash=hashlib.sha256((guid or f"g{n}").encode()).hexdigest(),
        link=link or f"https://server.example/{n}",
        author=None,
        content_html=f"<p>{n}</p>",
        published_at=T0 - timedelta(hours=n),
        changed_at=at,
        read=read,
        starred=starred,
    )


def server_store(path: Path, entries: int = 3) -> Store:
    store = Store(path)
    store.sync_feeds([FeedSpec(LOCAL_FEED)], now=T0)
    store.save_server_feeds(
        [RemoteFeed("7", SERVER_FEED, "Server feed", category="News")], local_urls=[], now=T0
    )
    store.save_server_entries(SERVER_FEED, [remote(n) for n in range(entries)], now=T0)
    return store


def ids_by_title(store: Store) -> dict[str, int]:
    return {e.title: e.id for e in store.entries()}


def test_marks_on_server_entries_are_recorded_as_desired_state(tmp_path: Path) -> None:
    store = server_store(tmp_path / "s.db")
    ids = ids_by_title(store)
    entry = ids["Entry 0"]
    store.set_read([entry], True, now=T0 + timedelta(minutes=1))
    store.set_read([entry], False, now=T0 + timedelta(minutes=2))
    store.set_read([entry], True, now=T0 + timedelta(minutes=3))
    store.set_bookmarked([entry], True, now=T0 + timedelta(minutes=3))
    pending = store.pending_marks()
    # One row per entry and field, holding the last wish: not three toggles.
    assert {(m.entry_id, m.field, m.value, m.remote_id) for m in pending} == {
        (entry, MarkField.READ, True, "100"),
        (entry, MarkField.BOOKMARKED, True, "100"),
    }
    assert store.pending_count() == 2


def test_marks_on_local_feeds_wait_for_nothing(tmp_path: Path) -> None:
    store = server_store(tmp_path / "s.db")
    store.save_fetch(
        LOCAL_FEED, ParsedFeed("rss20", "Local", entries=(ParsedEntry("l1", "Local one"),)),
        now=T0, etag=None, last_modified=None, body_hash=None, next_due_at=T0,
    )
    local = ids_by_title(store)["Local one"]
    store.set_read([local], True, now=T0)
    assert store.pending_marks() == []


def test_clearing_keeps_a_change_made_during_the_push(tmp_path: Path) -> None:
    store = server_store(tmp_path / "s.db")
    entry = ids_by_title(store)["Entry 1"]
    store.set_read([entry], True, now=T0 + timedelta(minutes=1))
    pushed = store.pending_marks()
    store.set_read([entry], False, now=T0 + timedelta(minutes=2))  # while the push runs
    assert store.clear_pending(pushed) == 0
    assert [(m.value) for m in store.pending_marks()] == [False]
    assert store.clear_pending(store.pending_marks()) == 1
    assert store.pending_marks() == []


def test_the_later_change_wins(tmp_path: Path) -> None:
    store = server_store(tmp_path / "s.db")
    ids = ids_by_title(store)
    store.set_read([ids["Entry 0"], ids["Entry 1"]], True, now=T0 + timedelta(minutes=5))
    # The server marks entry 0 unread before our mark (ours wins, stays pending) and entry 1
    # unread after it (the server's wins, ours is dropped); it stars entry 2.
    result = store.save_server_entries(
        SERVER_FEED,
        [remote(0, at=T0 + timedelta(minutes=4)), remote(1, at=T0 + timedelta(minutes=6)),
         remote(2, starred=True, at=T0 + timedelta(minutes=6))],
        now=T0,
    )
    by_title = {e.title: e for e in store.entries()}
    assert by_title["Entry 0"].read
    assert not by_title["Entry 1"].read
    assert by_title["Entry 2"].bookmarked
    assert [(m.entry_id, m.value) for m in store.pending_marks()] == [(ids["Entry 0"], True)]
    assert (result.marks_kept, result.marks_applied) == (1, 2)
    # The same through the changes-only path.
    store.apply_server_state([("100", False, None, T0 + timedelta(minutes=7))])
    assert not store.entry(ids["Entry 0"]).read
    assert store.pending_marks() == []


def test_entries_the_site_gave_are_matched_not_duplicated(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.sync_feeds([FeedSpec(SERVER_FEED, tags=("mine",))], now=T0)
    store.save_fetch(
        SERVER_FEED,
        ParsedFeed("rss20", "Site", entries=(
            ParsedEntry("g0", "From the site 0", link="https://server.example/0"),
            ParsedEntry("other-guid", "By link", link="https://server.example/1"),
        )),
        now=T0, etag=None, last_modified=None, body_hash=None, next_due_at=T0,
    )  # fmt: skip
    ids = ids_by_title(store)
    store.set_bookmarked([ids["From the site 0"]], True, now=T0 + timedelta(minutes=1))
    store.save_server_feeds([RemoteFeed("7", SERVER_FEED, "Site", category="News")],
                            local_urls=[], now=T0)
    store.save_server_entries(SERVER_FEED, [remote(0), remote(1, guid="not-known")], now=T0)
    entries = store.entries()
    assert len(entries) == 2
    assert {e.id for e in entries} == set(ids.values())  # same rows: marks kept
    assert store.entry(ids["From the site 0"]).bookmarked  # newer here than on the server...
    assert [(m.field, m.remote_id) for m in store.pending_marks()] == [
        (MarkField.BOOKMARKED, "100")  # ...so it is pushed
    ]
    feed = next(f for f in store.feeds() if f.url == SERVER_FEED)
    assert feed.tags == ("mine", "News")


def test_feeds_toml_does_not_hide_server_feeds(tmp_path: Path) -> None:
    store = server_store(tmp_path / "s.db")
    store.sync_feeds([FeedSpec(LOCAL_FEED, title="Renamed")], now=T0)
    feeds = {f.url: f for f in store.feeds()}
    assert set(feeds) == {LOCAL_FEED, SERVER_FEED}
    assert feeds[SERVER_FEED].tags == ("News",)
    # Unsubscribed on the server and not in feeds.toml: hidden (marks kept), not deleted, and
    # its marks no longer wait for a server that does not have it.
    store.set_read([store.entries()[0].id], True, now=T0)
    assert store.pending_count() == 1
    store.save_server_feeds([], local_urls=[], now=T0)
    assert store.pending_count() == 0
    assert {f.url for f in store.feeds()} == {LOCAL_FEED}
    assert SERVER_FEED in {f.url for f in store.feeds(include_hidden=True)}


def test_a_mark_and_its_pending_row_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    server_store(path).close()
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import datetime, UTC
        from newstui.store import Store
        store = Store({str(path)!r})
        ids = [e.id for e in store.entries()]
        store.set_read(ids, True, now=datetime.now(UTC))
        store.set_bookmarked(ids[:1], True, now=datetime.now(UTC))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": os.getcwd()}, check=False)
    assert run.returncode == -signal.SIGKILL
    with Store(path) as store:
        assert all(e.read for e in store.entries())
        assert sorted((m.field.value, m.value) for m in store.pending_marks()) == [
            ("bookmarked", True), ("read", True), ("read", True), ("read", True)
        ]
