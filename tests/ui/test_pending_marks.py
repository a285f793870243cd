"""`n`'s read mark waits on the write thread a moment (up to the busy timeout while another
program holds the write lock): what the screen shows meanwhile, and after it is saved, must be
the mark's, whatever reload of the lists ran in between. And an article converted ahead of
time is shown only while what it shows of its entry is unchanged."""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import threading
from datetime import timedelta

import pytest

from newstui.core.models import FeedSpec, ParsedEntry
from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from newstui.ui.screens.refreshing import RefreshController
from tests.support.dblock import write_lock
from tests.support.wait import until

from .conftest import NOW, TECH, save_entries
from .test_key_speed import stored_read

FEED = FeedSpec(TECH, title="Tech Daily", tags=("tech",))
ENTRIES = 5
SAVED = {"feed": ENTRIES - 1, "total": ENTRIES - 1, "status": ENTRIES - 1}  # one mark saved


def entry(n: int) -> ParsedEntry:
    return ParsedEntry(
        guid=f"{TECH}#{n}",
        title=f"Story {n}",
        link=f"https://tech.example/posts/{n}",
        published_at=NOW - timedelta(hours=n),
        content_html=f"<p>Text of story {n}.</p>",
    )


@pytest.fixture
def app(make_app, db_path, monkeypatch):
    # The thread's try waits for the lock instead of failing (a failure is loud: it reloads
    # the lists once saved); the real 0.5 s is too short to hold a lock and reload in.
    monkeypatch.setattr("newstui.ui.writes.BUSY_TIMEOUT", 20.0)
    app = make_app([FEED], filled=False)
    with Store(db_path) as store:
        store.sync_feeds([FEED], now=NOW)
        save_entries(store, TECH, [entry(i) for i in range(ENTRIES)])
    return app


def counts(screen: MainScreen) -> dict[str, int | None]:
    shown = {row.label: row.unread for row in screen.feed_list.rows}
    return {
        "feed": shown["Tech Daily"],
        "total": shown["All unread"],
        "status": screen.status.unread,
    }


async def reloaded(pilot, screen: MainScreen) -> None:
    """A refresh's `Changed` (its reload of the lists read from the store) has run."""
    done: list[int] = []
    original = screen.reload_feeds

    def reload_feeds(*args, **kwargs):
        original(*args, **kwargs)
        done.append(1)

    screen.reload_feeds = reload_feeds  # type: ignore[method-assign]
    screen.post_message(RefreshController.Changed())
    await until(pilot, lambda: done)
    del screen.reload_feeds


async def test_a_reload_while_n_waits_for_the_lock_keeps_its_count(app, db_path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert counts(screen) == {"feed": ENTRIES, "total": ENTRIES, "status": ENTRIES}
        with write_lock(db_path):
            await pilot.press("n")
            opened = screen.entry_view.shown_id
            await reloaded(pilot, screen)  # reads the store's old count
            assert stored_read(db_path, [opened]) == [False]
            assert counts(screen)["feed"] == ENTRIES - 1
        await until(pilot, lambda: stored_read(db_path, [opened]) == [True])
        await until(pilot, lambda: counts(screen) == SAVED)  # the lists reloaded
        assert not screen.status.warning  # the mark waited, it never failed


async def test_a_late_loud_report_keeps_a_mark_still_waiting(app, db_path) -> None:
    """A drained queue's `report(None)` reaches the screen after the next `n` was queued: that
    mark is not saved yet and must stay shown (and counted)."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        with write_lock(db_path):
            await pilot.press("n")
            opened = screen.entry_view.shown_id
            screen.writes_changed(None)  # as the hop of an earlier loud drain, arriving now
            await until(pilot, lambda: not [w for w in screen.workers if w.is_running])
            assert screen.marks.headlines([opened])[0].read
            assert counts(screen)["feed"] == ENTRIES - 1
        await until(pilot, lambda: stored_read(db_path, [opened]) == [True])
        await until(pilot, lambda: counts(screen) == SAVED)  # the lists reloaded


async def test_n_shows_the_new_title_of_an_article_prepared_before_a_refresh(app, db_path) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("n")
        # converted ahead of time
        await until(pilot, lambda: (screen.entry_list.ids[1], False) in screen.articles.cache)
        following = screen.entry_list.ids[1]
        with Store(db_path) as other:  # a refresh: the feed retitled the entry
            save_entries(other, TECH, [dataclasses.replace(entry(1), title="Story 1, corrected")])
        await reloaded(pilot, screen)
        await pilot.press("n")
        await pilot.pause()
        assert screen.entry_view.shown_id == following
        text = "\n".join(strip.text for strip in screen.entry_view._strips)
        assert "Story 1, corrected" in text


async def test_kill_saves_the_mark_still_waiting_before_the_reader_quits(app, db_path) -> None:
    """`kill` (SIGTERM) or a closed terminal (SIGHUP) quits the reader as `q` does, once the
    marks waiting on the write thread are saved: the default action ended it without them."""
    ignored: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda number, frame: ignored.append(number))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
            other.execute("BEGIN IMMEDIATE")  # another program's write lock, let go in 0.3 s
            await pilot.press("n")
            opened = screen.entry_view.shown_id
            threading.Timer(0.3, lambda: (other.execute("ROLLBACK"), other.close())).start()
            os.kill(os.getpid(), signal.SIGTERM)  # while the mark waits for the lock
            await until(pilot, lambda: app._exit)
            assert stored_read(db_path, [opened]) == [True]
    finally:
        signal.signal(signal.SIGTERM, before)
    assert ignored == []
