"""The reader on a real database file with overwritten pages (issue 10): it says plainly that
the file is damaged and to run `newstui doctor`, keys that read or write give that message and
the reader goes on (no traceback, no dead keys); when not even the feed list can be read it ends
with that one line instead."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from newstui.core.models import FeedSpec
from newstui.store import Store
from newstui.ui.app import NewsApp
from newstui.ui.screens.help import HelpScreen
from tests.hostile.test_doctor import FEEDS, build, damage
from tests.support.wait import settled, until
from tests.ui.conftest import clock, make_config

DOCTOR = "database file is damaged (database disk image is malformed): run `newstui doctor`"


def pages_of(path: Path, table: str) -> list[int]:
    """The file's pages (0-based) that hold `table`, from SQLite's own page map."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,)).fetchall()
    return [pageno - 1 for (pageno,) in rows]


def reader(tmp_path: Path, path: Path) -> NewsApp:
    config = make_config(tmp_path / "feeds.toml", [FeedSpec(url) for url in FEEDS])
    return NewsApp(config, Store(path), path, clock=clock)


def messages(app: NewsApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_the_reader_says_the_file_is_damaged_and_keys_go_on_answering(
    tmp_path: Path,
) -> None:
    path = tmp_path / "newstui.db"
    build(path)
    # 20 pages of entries across the file. Not any 20 pages of the file: which objects those
    # hit moves with every schema change, and a damaged page of an index the feed list reads
    # ends the reader (the next test), which is not what this one is about.
    pages = pages_of(path, "entries")
    damage(path, [pages[len(pages) * k // 21] for k in range(1, 21)])
    app = reader(tmp_path, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: DOCTOR in messages(app))
        # Keys that read (move, open) and write (m, b, A), and a refresh: messages, no crash.
        await pilot.press("j", "enter", "m", "b", "escape", "k", "A", "y", "R")
        await settled(pilot)
        assert app.is_running
        await pilot.press("question_mark")  # and the next key is still handled
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
    app.store.close()
    assert app.store_failure is None
    assert app.return_code in (None, 0)


async def test_a_reader_that_cannot_read_its_feed_list_ends_with_one_clear_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "newstui.db"
    build(path)
    damage(path, pages_of(path, "feeds"))
    app = reader(tmp_path, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: not app.is_running)
    app.store.close()
    assert app.return_code == 1
    assert app.store_failure is not None and DOCTOR in str(app.store_failure)
    assert str(app.store_failure).startswith(f"{path}: ")  # `run_app` prints it after newstui:
