"""A real full disk under the database (issue 10): the reader keeps a mark it cannot save, says
so, and saves it once there is room; each command says "disk is full" in one line and exits 1;
`newstui doctor` does not take a full disk for a damaged file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import newstui.ui.writes
from newstui.cli import main
from newstui.store import Store
from tests.support.fulldisk import fill_up, make_room, small_disk
from tests.support.wait import until
from tests.ui.conftest import DEFAULT_FEEDS, TECH, fill
from tests.ui.test_main_screen import main as main_screen
from tests.ui.test_main_screen import screen_text

__all__ = ["small_disk"]

FULL = "not saved yet: disk is full (or the database reached its size limit) (retrying)"
"""The status line's warning (the screen is made wide enough to show all of it)."""


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(newstui.ui.writes, "RETRY_EVERY", 0.2)


def stored_state(db_path: Path, entry_id: int) -> tuple[bool, bool]:
    with Store(db_path) as other:
        [row] = other.headlines([entry_id])
        return row.read, row.bookmarked


@pytest.fixture
def db_path(small_disk: Path) -> Path:
    """The reader's database (`make_app`'s) on the small disk."""
    return small_disk / "newstui.db"


async def test_m_and_b_on_a_full_disk_are_kept_shown_and_saved_when_room_returns(
    make_app, small_disk: Path, db_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        chosen = screen.entry_list.current_id
        assert chosen is not None
        # The write-ahead log emptied, so the next write needs new room on the disk.
        with sqlite3.connect(db_path) as other:
            other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fill_up(small_disk)
        await pilot.press("m", "b")
        await until(pilot, lambda: FULL in screen_text(app))
        assert stored_state(db_path, chosen) == (False, False)
        assert screen.marks.headlines([chosen])[0].read  # shown as the user made it
        await pilot.press("j", "k")  # the reader goes on
        make_room(small_disk)
        await until(pilot, lambda: stored_state(db_path, chosen) == (True, True))
        await until(pilot, lambda: FULL not in screen_text(app))
    assert app.writes.close() == {}


@pytest.mark.parametrize(
    "command",
    [["doctor"], ["status"], ["status", "--json"], ["refresh"], ["search", "Headline"],
     ["read", f"https://{TECH.split('/')[2]}/posts/1"]],
    ids=" ".join,
)  # fmt: skip
def test_each_command_on_a_full_disk_says_so_in_one_line(
    small_disk: Path,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    with Store(db_path) as store:
        fill(store)
    config = tmp_path / "feeds.toml"
    config.write_text("".join(f'[[feeds]]\nurl = "{spec.url}"\n' for spec in DEFAULT_FEEDS))
    before = db_path.read_bytes()
    fill_up(small_disk)
    status = main(["--config", str(config), "--data-dir", str(small_disk), *command])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""  # no "damaged" verdict, no partial output
    assert err.count("\n") == 1 and err.startswith(f"newstui: {db_path}: disk is full")
    make_room(small_disk)
    assert db_path.read_bytes() == before  # nothing touched, nothing lost
    assert not list(small_disk.glob("*.damaged-*"))
