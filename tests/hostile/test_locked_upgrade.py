"""A reader started on a database that needs an upgrade while another program holds its write
lock (issue 10): it says plainly what it waits for, keeps trying, `q` leaves at once, and the
upgrade is done when the lock goes. Real old-version files, a real second connection."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

import newstui.ui.upgrade_wait
from newstui.cli import _upgrade
from newstui.store import Store, schema
from newstui.ui.upgrade_wait import WaitForUpgrade
from tests.support.dblock import write_lock
from tests.support.wait import until
from tests.test_store_migrations import FEED, _database_at

WAITING = "database is locked by another program: waiting to upgrade it"


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(newstui.ui.upgrade_wait, "RETRY_EVERY", 0.1)
    monkeypatch.setattr(newstui.ui.upgrade_wait, "TRY_FOR", 0.1)


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "newstui.db"
    _database_at(path, schema.LATEST - 1)
    return path


def version(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def shown(app: WaitForUpgrade) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_reader_says_it_waits_for_the_lock_and_upgrades_once_it_is_free(
    old_db: Path,
) -> None:
    lock = contextlib.ExitStack()
    lock.enter_context(write_lock(old_db))
    app = WaitForUpgrade(old_db)
    async with app.run_test(size=(120, 10)) as pilot:
        with lock:
            await until(pilot, lambda: "tried 2 times" in shown(app))
            assert WAITING in shown(app) and "press q to quit" in shown(app)
            assert version(old_db) == schema.LATEST - 1
        await until(pilot, lambda: not app.is_running)
    assert app.return_value is True
    assert version(old_db) == schema.LATEST
    with Store(old_db) as store:
        assert [feed.url for feed in store.feeds()] == [FEED]  # the user's data came along


async def test_q_leaves_at_once_and_the_file_is_left_as_it_was(old_db: Path) -> None:
    before = old_db.read_bytes()
    with write_lock(old_db):
        app = WaitForUpgrade(old_db)
        async with app.run_test(size=(120, 10)) as pilot:
            await until(pilot, lambda: WAITING in shown(app))
            await pilot.press("q")
            # (a `q` that waited for the upgrade thread would wait while the lock is held)
            await until(pilot, lambda: not app.is_running)
        assert app.return_value is False
    assert version(old_db) == schema.LATEST - 1
    assert old_db.read_bytes() == before


def test_no_waiting_screen_when_the_lock_is_free_or_no_upgrade_is_needed(
    old_db: Path, tmp_path: Path
) -> None:
    # (With the lock held the reader shows the waiting screen: the Pilot tests above drive it.)
    assert _upgrade(old_db, None) is None
    assert version(old_db) == schema.LATEST
    with write_lock(old_db):  # current already: nothing to wait for
        assert _upgrade(old_db, None) is None
