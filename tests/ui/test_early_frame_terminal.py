"""The early first frame on a real terminal (a pty): drawn only when it is safe, keys typed
meanwhile not echoed but kept for Textual, and the terminal put back on every way out.

Every wait here is bounded. The pty's other end is read all the time by a thread (a frame
bigger than the pty's buffer used to block the early frame's write forever, at 0 % CPU, with
nobody reading: session 7's hung run); reads of the terminal's input wait at most
`READ_TIMEOUT`; and a watchdog ends the whole run with a traceback if a test still hangs.
"""

from __future__ import annotations

import faulthandler
import gc
import os
import pty
import select
import signal
import sqlite3
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstui import cli, early_frame, launch
from newstui.core.first_frame import bundled_palette, palette_key
from newstui.core.models import FeedSpec
from newstui.store import Store, schema
from newstui.store.first_screen import FirstScreen
from newstui.ui.first_frame_palette import sample_palette
from tests.ui.conftest import DEFAULT_FEEDS, NOW, fill, make_config
from tests.ui.test_early_frame import FEEDS, fill_many
from tests.ui.test_main_screen import main

ENV = {"TERM": "xterm-256color"}
READ_TIMEOUT = 5.0
WATCHDOG = 90.0
"""Seconds a test of this module may take before the run is ended (with every thread's stack
on stderr): a hang here must never hold the shared machine."""
LEAVE = "\x1b[?25h\x1b[?1049l"


class Terminal:
    """A pty as the reader's terminal; its screen side (`master`) drained by a thread."""

    def __init__(self, rows: int, columns: int) -> None:
        self.master, self.slave = pty.openpty()
        termios.tcsetwinsize(self.slave, (rows, columns))
        self._received = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="pty-drain", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            with self._lock:  # read and kept at once: `output` sees no byte in between
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the slave side is closed
                    return
                if not chunk:
                    return
                self._received += chunk

    def output(self, settle: float = 0.1) -> str:
        """What was written to the terminal since the last call, once nothing more comes for
        `settle` seconds and nothing written is still unread (at most `READ_TIMEOUT`: the
        drain thread may be late on a loaded machine, and what was written before the call is
        never missed for it)."""
        deadline = time.monotonic() + READ_TIMEOUT
        seen = -1
        while time.monotonic() < deadline:
            with self._lock:
                size = len(self._received)
                unread, _, _ = select.select([self.master], [], [], 0)
            if size == seen and not unread:
                break
            seen = size
            time.sleep(settle)
        with self._lock:
            data, self._received = bytes(self._received), bytearray()
        return data.decode("utf-8", "replace")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def read_input(self, size: int) -> bytes:
        """What the reader would read from the terminal: at most `size` bytes, within
        `READ_TIMEOUT` (fails instead of blocking)."""
        ready, _, _ = select.select([self.slave], [], [], READ_TIMEOUT)
        assert ready, "nothing to read from the terminal"
        return os.read(self.slave, size)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(READ_TIMEOUT)
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def terminal(monkeypatch, tmp_path) -> Iterator[Terminal]:
    """A pty as the reader's terminal (stdin, and stderr where Textual writes), 100x30; the
    signal handlers as they were after the test; the watchdog running during it."""
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    # The first screen's reads are waited for as long as a loaded machine needs: the tests
    # check what is drawn, not how soon (a thread late by 0.25 s meant no frame).
    monkeypatch.setattr(early_frame, "WAIT_FOR_DATA", READ_TIMEOUT)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    term = Terminal(30, 100)
    tty_in = os.fdopen(os.dup(term.slave), "r")
    tty_out = os.fdopen(os.dup(term.slave), "w")
    monkeypatch.setattr(sys, "__stdin__", tty_in)
    monkeypatch.setattr(sys, "__stderr__", tty_out)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "30")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user themes
    for name in ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "NEWSTUI_EARLY_FRAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", ENV["TERM"])
    try:
        yield term
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        tty_in.close()
        tty_out.close()
        term.close()
        faulthandler.cancel_dump_traceback_later()


def made_in_advance(theme: str) -> dict[str, str] | None:
    """The bundled palette for `theme` in this test terminal, as a first launch finds it."""
    return bundled_palette(
        Path(early_frame.BUNDLED_PALETTES).read_bytes(),
        early_frame.bundled_stamp(schema.LATEST),
        ENV,
        theme,
    )


async def kept_palette(make_app, db_path) -> tuple[object, FirstScreen]:
    """A store, and the palette the reader keeps from its first frame (as the launch before
    this one would have), under this terminal's key."""
    app = make_app(FEEDS, filled=False)
    fill_many(app.store)
    first = FirstScreen(db_path)
    data = first.wait(5)
    assert data is not None
    code = early_frame._code_stamp(data.schema_version)
    key = palette_key(os.environ, data.theme_state, None, code)
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
    config, first = await kept_palette(make_app, db_path)
    before = termios.tcgetattr(terminal.slave)

    def interrupted(*args: object, **kwargs: object) -> int:
        # Between the early frame and Textual: the frame is on screen, keys are not echoed.
        drawn = terminal.output()
        assert "\x1b[?1049h" in drawn and "Headline 1 of tech.example" in drawn
        assert "Tech Daily" in drawn and "Headlines" in drawn
        terminal.type(b"jj")  # typed while Textual imports
        assert "jj" not in terminal.output()  # not echoed
        assert terminal.read_input(10) == b"jj"  # waiting for Textual's input thread
        assert not termios.tcgetattr(terminal.slave)[3] & termios.ECHO
        raise KeyboardInterrupt  # Ctrl+C, `kill`, or any failure before Textual runs

    monkeypatch.setattr(launch, "start_textual", interrupted)
    with pytest.raises(KeyboardInterrupt):
        launch.run_reader(config, db_path, None, [], first)
    assert termios.tcgetattr(terminal.slave) == before  # echo and line editing back
    assert terminal.output().endswith(LEAVE)  # the normal screen, the cursor


async def test_a_kill_while_the_frame_is_drawn_puts_the_terminal_back(
    make_app, db_path, terminal, monkeypatch
) -> None:
    """SIGTERM (or SIGHUP) the moment the terminal's mode has changed, before Textual: newstui
    stops as on Ctrl+C and the terminal is as before, the signal handlers too."""
    config, first = await kept_palette(make_app, db_path)
    before = termios.tcgetattr(terminal.slave)
    ignored: list[int] = []
    signal.signal(signal.SIGTERM, lambda number, frame: ignored.append(number))
    watching = signal.getsignal(signal.SIGTERM)
    write = early_frame._write

    def killed_meanwhile(fd: int, text: str) -> None:
        if "\x1b[?1049h" in text:  # the frame, the terminal already in Textual's mode
            assert not termios.tcgetattr(terminal.slave)[3] & termios.ECHO
            os.kill(os.getpid(), signal.SIGTERM)
        write(fd, text)

    monkeypatch.setattr(early_frame, "_write", killed_meanwhile)
    monkeypatch.setattr(launch, "start_textual", lambda *args, **kwargs: 0)
    with pytest.raises(KeyboardInterrupt):
        launch.run_reader(config, db_path, None, [], first)
    assert ignored == []  # newstui's handler had it
    assert termios.tcgetattr(terminal.slave) == before
    assert terminal.output().endswith(LEAVE)
    assert signal.getsignal(signal.SIGTERM) is watching


def test_a_first_launch_is_drawn_in_the_palette_made_in_advance(
    tmp_path, db_path, terminal
) -> None:
    """No palette kept yet (the data directory's first launch, or the first after an upgrade):
    the frame is drawn in the one made in advance for this theme and terminal, and the reader
    is still asked to keep its own."""
    with Store(db_path) as store:
        fill(store)
    config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS)
    first = FirstScreen(db_path)
    frame = early_frame.draw_early_frame(first, config, theme=None, theme_dirs=[])
    assert frame is not None
    frame.restore()
    assert first.palette_request is not None  # the reader is asked to keep one
    made = made_in_advance("textual-dark")
    assert made is not None
    drawn = terminal.output()
    assert "\x1b[?1049h" in drawn and f"\x1b[{made['status']}m newstui  " in drawn
    assert f"\x1b[{made['cursor_title']}mHeadline 0 of tech.example" in drawn


def test_nothing_is_drawn_without_a_palette_for_this_terminal(
    tmp_path, db_path, terminal, monkeypatch
) -> None:
    """NO_COLOR (none made in advance for it) and none kept: nothing drawn."""
    monkeypatch.setenv("NO_COLOR", "1")
    before = termios.tcgetattr(terminal.slave)
    with Store(db_path) as store:
        fill(store)
    config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS)
    first = FirstScreen(db_path)
    assert early_frame.draw_early_frame(first, config, theme=None, theme_dirs=[]) is None
    assert first.palette_request is not None  # the reader is asked to keep one
    assert terminal.output() == "" and termios.tcgetattr(terminal.slave) == before


@pytest.mark.parametrize(
    "case",
    ["dumb", "theme-dir", "off", "not-a-tty", "empty", "no-database", "feed-added", "to-upgrade"],
)
async def test_nothing_is_drawn_when_it_is_not_safe(
    make_app, db_path, terminal, monkeypatch, case
) -> None:
    """Where the first frame is not known before Textual draws it (no unread entry, no data,
    feeds.toml changed the feed list since the last launch), or cannot be drawn safely, the
    terminal is left alone."""
    config, first = await kept_palette(make_app, db_path)
    before = termios.tcgetattr(terminal.slave)
    theme_dirs = []
    if case == "dumb":
        monkeypatch.setenv("TERM", "dumb")
    elif case == "theme-dir":
        theme_dirs = ["/nonexistent/themes"]
    elif case == "off":
        monkeypatch.setenv("NEWSTUI_EARLY_FRAME", "0")
    elif case == "not-a-tty":
        monkeypatch.setattr(sys, "__stdin__", open(os.devnull))  # noqa: SIM115 (closed below)
    elif case == "empty":
        with Store(db_path) as store:
            store.mark_all_read(now=NOW)
        first = FirstScreen(db_path)
    elif case == "no-database":
        db_path.rename(db_path.with_suffix(".away"))
        first = FirstScreen(db_path)
    elif case == "feed-added":
        config = make_config(config.path, [*FEEDS, FeedSpec("https://new.example/feed")])
    elif case == "to-upgrade":  # the store is not imported yet to say so: the palette's key
        with sqlite3.connect(db_path) as db:
            db.execute(f"PRAGMA user_version = {schema.LATEST - 1}")
        db.close()
        first = FirstScreen(db_path)
    terminal.output()
    try:
        frame = early_frame.draw_early_frame(first, config, theme=None, theme_dirs=theme_dirs)
    finally:
        if case == "not-a-tty":
            sys.__stdin__.close()
    assert frame is None
    assert "\x1b[?1049h" not in terminal.output()
    assert termios.tcgetattr(terminal.slave) == before


async def test_another_theme_is_drawn_in_its_own_colours(make_app, db_path, terminal) -> None:
    """A palette kept under another theme is not used: a theme with a palette made in advance
    is drawn in that one, a theme without (unknown here) not at all."""
    config, first = await kept_palette(make_app, db_path)
    frame = early_frame.draw_early_frame(first, config, theme="nord", theme_dirs=[])
    assert frame is not None
    frame.restore()
    nord = made_in_advance("nord")
    assert nord is not None
    assert f"\x1b[{nord['status']}m newstui  " in terminal.output()
    unknown = early_frame.draw_early_frame(
        FirstScreen(db_path), config, theme="no-such-theme", theme_dirs=[]
    )
    assert unknown is None
    assert "\x1b[?1049h" not in terminal.output()
    frame = early_frame.draw_early_frame(
        FirstScreen(db_path), config, theme=None, theme_dirs=[], clock=lambda: NOW
    )
    assert frame is not None  # the same theme: drawn
    frame.restore()


async def test_a_bad_feeds_toml_is_one_line_and_exit_2_with_no_frame(
    make_app, db_path, terminal, tmp_path, capsys
) -> None:
    """With a store and a kept palette that would give an early frame, a feeds.toml error
    still ends as it always did: one line `path:line: problem`, exit 2, the terminal untouched
    (the configuration loads before any frame is drawn)."""
    await kept_palette(make_app, db_path)
    bad = Path(tmp_path / "bad.toml")
    bad.write_text('[[feeds]]\nurl = "ftp://example.com/feed"\n')
    before = termios.tcgetattr(terminal.slave)
    capsys.readouterr()
    try:
        status = cli.main(["--config", str(bad), "--data-dir", str(db_path.parent)])
    finally:
        gc.enable()  # paused by the launch until Textual's first frame
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"newstui: {bad}:2: ")
    assert terminal.output() == "" and termios.tcgetattr(terminal.slave) == before


def test_what_is_imported_while_the_reads_run_exists() -> None:
    """A renamed module would end the early frame (and its time saved) without a word."""
    import importlib.util

    assert all(importlib.util.find_spec(name) for name in early_frame.PREPARE)
