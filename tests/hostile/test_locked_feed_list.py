"""Making the store's feed rows match feeds.toml never holds the reader's keys (issue 10).

At start and after a subscription dialog the reader writes the feed list; with another program
holding the database's write lock that write waits in the write queue, the status line says so,
the keys go on working with what the store has, and the change lands once the lock is gone."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

import newstui.ui.writes
from newstui.core.models import FeedSpec
from newstui.core.views import View
from newstui.store import Store
from tests.support.dblock import write_lock
from tests.support.wait import until
from tests.ui.conftest import DEFAULT_FEEDS, fill
from tests.ui.test_main_screen import main, screen_text
from tests.ui.test_subscriptions import BETA_URL
from tests.ui.test_subscriptions import build as build_subscriptions

LOCKED = "database is locked by another program (retrying)"
NEW = FeedSpec("https://new.example/feed.xml", title="Newly Listed")


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(newstui.ui.writes, "RETRY_EVERY", 0.2)


def stored_urls(db_path: Path) -> set[str]:
    with Store(db_path) as other:
        return {feed.url for feed in other.feeds()}


async def test_a_reader_started_on_a_locked_database_answers_keys_and_adds_the_feed_later(
    make_app, db_path: Path
) -> None:
    app = make_app([*DEFAULT_FEEDS, NEW], filled=False)
    with Store(db_path) as store:
        fill(store)  # the store knows the three feeds, feeds.toml lists a fourth
    lock = contextlib.ExitStack()
    lock.enter_context(write_lock(db_path))  # held before the reader starts, released below
    async with app.run_test(size=(120, 40)) as pilot:
        with lock:
            await pilot.pause()
            screen = main(app)
            await until(pilot, lambda: LOCKED in screen_text(app))
            # The reader works with what the store has: its entries, and keys move through them.
            assert screen.entry_list.ids
            first = screen.entry_list.current_id
            await pilot.press("j")
            assert screen.entry_list.current_id != first
            assert NEW.url not in stored_urls(db_path)
            # A refresh asked for now waits for the feed rows (it writes into them).
            await pilot.press("R")
            assert not screen.refresher.running
        await until(pilot, lambda: NEW.url in screen.feeds)
        await until(pilot, lambda: LOCKED not in screen_text(app))
        assert "Newly Listed" in screen_text(app)
        assert NEW.url in stored_urls(db_path)
    assert app.writes.close() == {}


async def test_removing_a_feed_while_the_database_is_locked_keeps_the_keys_and_lands_later(
    tmp_path: Path,
) -> None:
    app, path, _original = build_subscriptions(tmp_path)
    db_path = tmp_path / "newstui.db"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        screen.select_view(View.feed(BETA_URL, "news"))
        with write_lock(db_path):
            await pilot.press("d", "y")
            await until(pilot, lambda: LOCKED in screen_text(app))
            assert BETA_URL not in path.read_text()  # feeds.toml is changed at once
            assert BETA_URL in stored_urls(db_path)  # the store waits for the lock
            await pilot.press("tab")  # and the keys still answer
            assert screen.focused is not screen.feed_list
        await until(pilot, lambda: BETA_URL not in stored_urls(db_path))
        await until(pilot, lambda: BETA_URL not in screen.feeds)
        await until(pilot, lambda: LOCKED not in screen_text(app))
    assert app.writes.close() == {}
