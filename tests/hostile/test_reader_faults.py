"""The reader with a database it cannot write and pages it cannot get (issue 10): keys never
wait for the database, a write that cannot be done now is kept and retried, what could not be
saved is named on quit, and reader mode (`f`) always ends with something in the pane."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

import newstui.ui.writes
from newstui.core.models import FeedSpec
from newstui.store import Store
from tests.support.dblock import write_lock
from tests.support.httpserver import HTTPServer, Response
from tests.support.wait import until
from tests.ui.conftest import NOW, entry, save_entries
from tests.ui.test_main_screen import main, screen_text

LOCKED = "not saved yet: database is locked by another program (retrying)"


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(newstui.ui.writes, "RETRY_EVERY", 0.2)


def stored_read(db_path: Path, entry_id: int) -> bool:
    with Store(db_path) as other:
        return other.headlines([entry_id])[0].read


async def test_a_locked_database_never_freezes_keys_and_the_mark_is_saved_later(
    make_app, db_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        chosen = screen.entry_list.current_id
        with write_lock(db_path):
            started = time.monotonic()
            await pilot.press("m", "j", "b")
            # Not the store's 30 s busy wait (the bound is loose: the machine may be loaded).
            assert time.monotonic() - started < 5.0
            await until(pilot, lambda: LOCKED in screen_text(app))
            assert not stored_read(db_path, chosen)
            # The list shows the user's marks all the same, and `m` again toggles back.
            assert screen.marks.headlines([chosen])[0].read
        await until(pilot, lambda: stored_read(db_path, chosen))
        await until(pilot, lambda: LOCKED not in screen_text(app))
        with Store(db_path) as other:
            assert sum(f.bookmarks for f in other.feeds()) == 1
    assert app.writes.close() == {}


async def test_quitting_while_locked_says_what_was_not_saved(make_app, db_path: Path) -> None:
    app = make_app()
    with write_lock(db_path):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("m", "j", "m", "b")
            await until(pilot, lambda: LOCKED in screen_text(app))
            started = time.monotonic()
            await pilot.press("q")
        unsaved = app.writes.close(timeout=2.0)
        assert time.monotonic() - started < 6.0  # one more try of 0.5 s, then gone
    assert unsaved == {"read mark": 2, "bookmark": 1}
    assert newstui.ui.writes.describe_unsaved(unsaved) == "1 bookmark and 2 read marks"


async def test_writes_queued_while_locked_keep_their_order(make_app, db_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        chosen = screen.entry_list.current_id
        with write_lock(db_path):
            await pilot.press("m")  # read
            await until(pilot, lambda: LOCKED in screen_text(app))
            await pilot.press("m")  # unread again: queued behind the first
        await until(pilot, lambda: app.writes.pending() == 0)
        await until(pilot, lambda: LOCKED not in screen_text(app))
        assert not stored_read(db_path, chosen)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("javascript:alert(1)", "cannot fetch javascript: addresses (only http and https)"),
        ("http://127.0.0.1:99999/x", "not a valid address (port out of range: ports are 1 to"),
        ("redirect", ""),  # the exact reason may also be the loopback rule of issue 10
    ],
)
async def test_reader_mode_failures_end_in_a_message_in_the_pane(
    make_app, db_path: Path, http_server: HTTPServer, link: str, message: str
) -> None:
    if link == "redirect":
        link = http_server.route("/moved", Response(302, {"Location": "javascript:alert(1)"}))
    feed = FeedSpec("https://tech.example/feed.xml", title="Tech")
    app = make_app([feed], filled=False)
    with Store(db_path) as store:
        store.sync_feeds([feed], now=NOW)
        story = dataclasses.replace(entry(1, feed.url, hours_old=1), link=link)
        save_entries(store, feed.url, [story])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f")
        await until(pilot, lambda: "Fetching the full article" not in screen_text(app))
        # The article pane's column of the screen, its wrapped lines joined again.
        text = " ".join(line.split("▏")[-1].strip() for line in screen_text(app).splitlines())
        assert f"Could not get the full article: {message}" in text
        assert "Body of entry 1" in text  # the entry's own text is still there
    with Store(db_path) as store:
        [entry_id] = store.entry_ids()
        saved = store.full_text(entry_id)
    assert saved is not None and saved.html is None and message in (saved.error or "")
