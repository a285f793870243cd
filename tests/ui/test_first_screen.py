"""The first screen read on a thread at launch (newstui.store.first_screen): the same lists as
the store's own queries, and never a stale screen when the database changed since."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from newstui.core.models import FeedSpec
from newstui.store import Store
from newstui.store.first_screen import FIRST_HEADLINES, FirstScreen
from newstui.ui.app import NewsApp
from newstui.ui.screens.main import MainScreen
from tests.ui.conftest import (
    DEFAULT_FEEDS,
    NOW,
    TECH,
    WORLD,
    clock,
    entry,
    fill,
    make_config,
    save_entries,
)
from tests.ui.test_main_screen import main, screen_text

GONE = "https://gone.example/feed"


def test_reads_what_the_store_reads(db_path) -> None:
    with Store(db_path) as store:
        feeds = [*DEFAULT_FEEDS, FeedSpec(GONE, title="Gone Feed")]
        fill(store, feeds)
        # Two entries with the same date (the id breaks the tie), a bookmark of a feed that
        # then leaves feeds.toml, read marks.
        save_entries(store, WORLD, [entry(10 + i, WORLD, hours_old=3) for i in range(2)])
        save_entries(store, GONE, [entry(1, GONE, hours_old=2)])
        [gone] = store.entry_ids(GONE)
        store.set_bookmarked([gone], True, now=NOW)
        store.set_read(store.entry_ids(TECH)[:2], True, now=NOW)
        store.sync_feeds(DEFAULT_FEEDS, now=NOW + timedelta(minutes=1))
        first = FirstScreen(db_path).take()
        assert first is not None
        assert first.feeds == store.feeds()
        assert list(first.unread_ids) == list(store.entry_ids(unread_only=True))
        assert first.hidden_bookmarks == store.hidden_bookmarks() == 1


def test_a_change_after_the_read_means_reading_again(db_path) -> None:
    with Store(db_path) as store:
        fill(store)
    first = FirstScreen(db_path)
    assert first.wait(30) is not None  # the early frame's read (the second one goes on now)
    first._thread.join(30)
    with sqlite3.connect(db_path) as other:  # another program marks an entry read
        other.execute("UPDATE entries SET read = 1 WHERE id = (SELECT MIN(id) FROM entries)")
    assert first.take() is None


def test_no_database_yet(db_path) -> None:
    assert FirstScreen(db_path).take() is None
    assert not db_path.exists()  # not created behind the store's back


async def test_the_reader_shows_the_feeds_toml_of_this_launch(tmp_path, db_path) -> None:
    """Read before the main screen synced feeds.toml (a feed added since the last launch):
    what is shown is the store after that sync, not the read from before it."""
    with Store(db_path) as store:
        fill(store)
    first = FirstScreen(db_path)
    added = FeedSpec("https://new.example/feed", title="Newly Added Feed")
    config = make_config(tmp_path / "feeds.toml", [*DEFAULT_FEEDS, added])
    with Store(db_path) as store:
        app = NewsApp(config, store, db_path, clock=clock, first_screen=first)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "Newly Added Feed" in screen_text(app)
            assert added.url in main(app).feeds


async def test_the_reader_starts_from_the_first_screen_read(tmp_path, db_path, monkeypatch) -> None:
    with Store(db_path) as store:
        fill(store)
        expected = store.entry_ids(unread_only=True)
    first = FirstScreen(db_path)
    config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS)

    def not_again(*args, **kwargs):
        raise AssertionError("the first screen was read again")

    monkeypatch.setattr(Store, "feeds", not_again)
    with Store(db_path) as store:
        app = NewsApp(config, store, db_path, clock=clock, first_screen=first)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = main(app)
            assert list(screen.entry_list.ids) == list(expected)
            assert "All unread" in screen_text(app) and "Tech Daily" in screen_text(app)


def test_it_knows_whether_the_feed_rows_match_feeds_toml(db_path) -> None:
    """The test `Store.sync_feeds` makes, from the rows read: any edit of the feed list
    (title, tags, order, a feed added or removed) is a change; the same list is none."""
    with Store(db_path) as store:
        fill(store)
    tech, world, empty = DEFAULT_FEEDS
    edits = {
        "same": ([tech, world, empty], True),
        "renamed": ([FeedSpec(TECH, title="Renamed"), world, empty], False),
        "untitled": ([FeedSpec(TECH, tags=("tech",)), world, empty], False),
        "retagged": ([FeedSpec(TECH, title="Tech Daily", tags=("ai",)), world, empty], False),
        "reordered": ([world, tech, empty], False),
        "removed": ([tech, world], False),
        "added": ([tech, world, empty, FeedSpec(GONE)], False),
    }
    for name, (specs, in_sync) in edits.items():
        first = FirstScreen(db_path).take(specs)
        assert first is not None and first.feeds_in_sync is in_sync, name
    with Store(db_path) as store:  # a feed hidden since it left feeds.toml, listed again
        store.sync_feeds([tech, world], now=NOW)
    first = FirstScreen(db_path).take(DEFAULT_FEEDS)
    assert first is not None and not first.feeds_in_sync


async def test_an_unchanged_feeds_toml_costs_no_write_at_launch(
    tmp_path, db_path, monkeypatch
) -> None:
    with Store(db_path) as store:
        fill(store)
    first = FirstScreen(db_path)
    # On a loaded machine the read may outlast take()'s wait, and the screen then (rightly)
    # reads and syncs the store itself: let it finish, so this tests the comparison alone.
    # (`wait`, as the early frame does, lets the second read start at once: joined without it,
    # the thread waited WAIT_AT_MOST = 5 s for a `take`.)
    assert first.wait(30) is not None
    first._thread.join(30)
    config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS)

    def not_needed(*args, **kwargs):
        raise AssertionError("the feed list was checked and written again")

    monkeypatch.setattr(Store, "sync_feeds", not_needed)
    with Store(db_path) as store:
        app = NewsApp(config, store, db_path, clock=clock, first_screen=first)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "Tech Daily" in screen_text(app) and "World Report" in screen_text(app)


async def test_a_feed_renamed_or_removed_since_the_last_launch_is_shown_so(
    tmp_path, db_path
) -> None:
    with Store(db_path) as store:
        fill(store)
    first = FirstScreen(db_path)
    renamed = FeedSpec(TECH, title="Tech Weekly", tags=("tech",))
    config = make_config(tmp_path / "feeds.toml", [renamed, DEFAULT_FEEDS[2]])
    with Store(db_path) as store:
        app = NewsApp(config, store, db_path, clock=clock, first_screen=first)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            text = screen_text(app)
            assert "Tech Weekly" in text
            assert "Tech Daily" not in text and "World Report" not in text
            assert set(main(app).feeds) == {TECH, DEFAULT_FEEDS[2].url}


def _mark_one_read(db_path) -> None:
    with sqlite3.connect(db_path) as other:  # another program marks an entry read
        other.execute("UPDATE entries SET read = 1 WHERE id = (SELECT MIN(id) FROM entries)")


def test_a_change_before_the_early_frame_means_none_is_drawn(db_path) -> None:
    with Store(db_path) as store:
        fill(store)
    first = FirstScreen(db_path)
    assert first._early_read.wait(5)
    _mark_one_read(db_path)
    assert first.wait(5) is None
    assert first.take() is None


def test_a_change_between_the_two_reads_means_reading_again(db_path) -> None:
    """The early frame's read and the unread ids are two reads: a write between them (after
    the early frame was drawn) means the reader reads the store itself, as after any change."""

    class WrittenBetween(FirstScreen):
        def _read_ids(self, db):
            _mark_one_read(self.db_path)
            return super()._read_ids(db)

    with Store(db_path) as store:
        fill(store)
        expected = store.entry_ids(unread_only=True)
    first = WrittenBetween(db_path)
    early = first.wait(5)
    assert early is not None and early.unread_count == len(expected)
    assert first.take() is None
    unchanged = FirstScreen(db_path)
    assert unchanged.wait(5) is not None
    taken = unchanged.take()
    assert taken is not None and len(taken.unread_ids) == len(expected) - 1


def test_the_early_frame_reads_a_screenful_of_what_the_list_shows(db_path) -> None:
    with Store(db_path) as store:
        fill(store)
        save_entries(store, WORLD, [entry(10 + i, WORLD, hours_old=3) for i in range(3)])
        ids = store.entry_ids(unread_only=True)
        headlines = store.headlines(ids)
        feeds = store.feeds()
    early = FirstScreen(db_path).wait(5)
    assert early is not None
    assert early.headlines == headlines[: len(early.headlines)]
    assert early.unread_count == min(len(ids), FIRST_HEADLINES + 1)
    assert [(f.url, f.title, f.tags, f.unread, f.bookmarks, f.last_error) for f in feeds] == [
        tuple(f) for f in early.feeds
    ]


async def test_after_an_early_frame_textual_first_frame_shows_the_article_too(
    tmp_path, db_path, monkeypatch
) -> None:
    """newstui drew the headlines itself (the early frame): Textual's first frame brings the
    first article with it, not the frame after. Without an early frame, the headlines come
    first (the article pane then follows)."""
    with Store(db_path) as store:
        fill(store)
        first_id = store.entry_ids(unread_only=True)[0]
    config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS)
    shown_at_first_frame: list[int | None] = []
    after_first_frame = MainScreen._after_first_frame

    def noting(screen: MainScreen) -> None:
        shown_at_first_frame.append(screen.entry_view.shown_id)
        after_first_frame(screen)

    monkeypatch.setattr(MainScreen, "_after_first_frame", noting)
    for early in (True, False):
        first = FirstScreen(db_path)
        if early:
            first.on_textual = lambda driver: None  # as the early frame's `handed_over`
        with Store(db_path) as store:
            app = NewsApp(config, store, db_path, clock=clock, first_screen=first)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                assert main(app).entry_view.shown_id == first_id
    assert shown_at_first_frame == [first_id, None]
