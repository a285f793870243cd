"""The early first frame on a real terminal (a pty): drawn only when it is safe, keys typed
meanwhile not echoed but kept for Textual, and the terminal put back on every way out."""

from __future__ import annotations

import os
import pty
import sys
import termios

import pytest

from newstui import cli, early_frame
from newstui.core.first_frame import palette_key
from newstui.store import Store
from newstui.store.first_screen import FirstScreen
from newstui.ui.first_frame_palette import sample_palette
from tests.ui.conftest import NOW, fill, make_config
from tests.ui.test_early_frame import FEEDS, fill_many
from tests.ui.test_main_screen import main

ENV = {"TERM": "xterm-256color"}


@pytest.fixture
def terminal(monkeypatch):
    """A pty as the reader's terminal (stdin, and stderr where Textual writes), 100x30."""
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    termios.tcsetwinsize(slave, (30, 100))
    tty_in = os.fdopen(os.dup(slave), "r")
    tty_out = os.fdopen(os.dup(slave), "w")
    monkeypatch.setattr(sys, "__stdin__", tty_in)
    monkeypatch.setattr(sys, "__stderr__", tty_out)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "30")
    for name in ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "NEWSTUI_EARLY_FRAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", ENV["TERM"])
    yield master, slave
    tty_in.close()
    tty_out.close()
    os.close(master)
    os.close(slave)


def output(master: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


async def kept_palette(make_app, db_path) -> tuple[object, FirstScreen]:
    """A store, and the palette the reader keeps from its first frame (as the launch before
    this one would have), under this terminal's key."""
    app = make_app(FEEDS, filled=False)
    fill_many(app.store)
    first = FirstScreen(db_path)
    data = first.wait(5)
    assert data is not None
    key = palette_key(os.environ, data.theme_state, None, early_frame._code_stamp())
    first.palette_request = (db_path.parent / early_frame.PALETTE_FILENAME, key)
    app.first_screen = first
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert sample_palette(main(app)) is not None
    assert first.palette_request[0].exists()  # kept by the reader, after its first frame
    return app.config, FirstScreen(db_path)


async def test_drawn_then_put_back_when_the_reader_fails(
    make_app, db_path, terminal, monkeypatch
) -> None:
    master, slave = terminal
    config, first = await kept_palette(make_app, db_path)
    before = termios.tcgetattr(slave)

    def interrupted(*args: object, **kwargs: object) -> int:
        # Between the early frame and Textual: the frame is on screen, keys are not echoed.
        drawn = output(master)
        assert "\x1b[?1049h" in drawn and "Headline 1 of tech.example" in drawn
        assert "Tech Daily" in drawn and "Headlines" in drawn
        os.write(master, b"jj")  # typed while Textual imports
        assert "jj" not in output(master)  # not echoed
        assert os.read(slave, 10) == b"jj"  # waiting for Textual's input thread
        assert not termios.tcgetattr(slave)[3] & termios.ECHO
        raise KeyboardInterrupt  # Ctrl+C, `kill`, or any failure before Textual runs

    monkeypatch.setattr(cli, "_start_textual", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli._run_tui(config, db_path, None, [], first)
    assert termios.tcgetattr(slave) == before  # echo and line editing back
    assert output(master).endswith("\x1b[?25h\x1b[?1049l")  # the normal screen, the cursor


def test_nothing_is_drawn_without_a_kept_palette(tmp_path, db_path, terminal) -> None:
    master, slave = terminal
    before = termios.tcgetattr(slave)
    with Store(db_path) as store:
        fill(store)
    config = make_config(tmp_path / "feeds.toml", [])
    first = FirstScreen(db_path)
    assert early_frame.draw_early_frame(first, config, theme=None, theme_dirs=[]) is None
    assert first.palette_request is not None  # the reader is asked to keep one
    assert output(master) == "" and termios.tcgetattr(slave) == before


@pytest.mark.parametrize("case", ["dumb", "theme-dir", "off", "not-a-tty"])
async def test_nothing_is_drawn_when_it_is_not_safe(
    make_app, db_path, terminal, monkeypatch, case
) -> None:
    master, _ = terminal
    config, first = await kept_palette(make_app, db_path)
    theme_dirs = []
    if case == "dumb":
        monkeypatch.setenv("TERM", "dumb")
    elif case == "theme-dir":
        theme_dirs = ["/nonexistent/themes"]
    elif case == "off":
        monkeypatch.setenv("NEWSTUI_EARLY_FRAME", "0")
    output(master)
    with open(os.devnull) as not_a_tty:
        if case == "not-a-tty":
            monkeypatch.setattr(sys, "__stdin__", not_a_tty)
        frame = early_frame.draw_early_frame(first, config, theme=None, theme_dirs=theme_dirs)
        monkeypatch.undo()
    assert frame is None
    assert "\x1b[?1049h" not in output(master)


async def test_another_theme_means_no_early_frame(make_app, db_path, terminal) -> None:
    master, _ = terminal
    config, first = await kept_palette(make_app, db_path)
    assert early_frame.draw_early_frame(first, config, theme="nord", theme_dirs=[]) is None
    assert "\x1b[?1049h" not in output(master)
    frame = early_frame.draw_early_frame(
        FirstScreen(db_path), config, theme=None, theme_dirs=[], clock=lambda: NOW
    )
    assert frame is not None  # the same theme: drawn
    frame.restore()
