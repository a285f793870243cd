"""The reader's first frame, written to the terminal before Textual is imported.

Importing Textual and laying out its first frame takes ~350 ms on the benchmark machine: a bare
Textual app's first paint alone. The first screen's data is read on a thread meanwhile
(`newstui.store.first_screen`), and is ready well before. So the reader draws its first frame
itself, from that data (`newstui.core.first_frame`: the same cells Textual's first frame has,
in the colours Textual wrote last time), puts the terminal in the mode Textual will use (keys
typed meanwhile are not echoed, and wait for Textual in the terminal's input queue), and then
Textual paints over it.

Only when that is safe: stdin and stderr (Textual's output) are terminals, TERM is not dumb,
the data is there within `WAIT_FOR_DATA`, no theme directory or user theme file (their colours
are not known before they are loaded), and a palette for this terminal and theme: the one
kept from the last launch (`newstui.ui.first_frame_palette`), else the one made in advance
(`BUNDLED_PALETTES`, for a data directory's first launch). Otherwise nothing is drawn, as
before. `NEWSTUI_EARLY_FRAME=0` turns it off.

Whatever happens after, `EarlyFrame.restore` puts the terminal back as it was (`newstui.cli`
calls it on every way out); once Textual has the terminal (`EarlyFrame.handed_over`), Textual
restores the screen itself and is told the terminal's mode from before the early frame.

No Textual and no rich beyond `rich.cells` imported by this module, by an import-linter
contract: its point is to run before them. While the reads run it does import what the reader
needs next (`PREPARE`, Textual included) instead of waiting idle; those are only imported.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import shutil
import signal
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newstui import __version__
from newstui.core import paths
from newstui.core.files import FileProblem, read_small_file
from newstui.core.first_frame import (
    bundled_palette,
    decode_palette,
    frame_runs,
    palette_key,
    render,
    wanted_theme,
)
from newstui.core.settings import Config
from newstui.store.first_screen import FirstScreen

PALETTE_FILENAME = "first-frame-palette.json"
"""In the data directory, beside the database."""
BUNDLED_PALETTES = os.path.join(os.path.dirname(__file__), "early_frame_palettes.json")
"""The palettes made in advance for every theme Textual and newstui bring, in each colour
system, for a data directory's first launch (no palette kept yet): made by
`tests/ui/test_bundled_palettes.py` from Textual's first frames, which checks them too."""
MAX_BUNDLED_BYTES = 512 * 1024
_SCHEMA_MODULE = os.path.join(os.path.dirname(__file__), "store", "schema.py")
"""Where `newstui.store.schema.LATEST` is set (read by its size and time of change only)."""
_STYLESHEET = os.path.join(os.path.dirname(__file__), "ui", "newstui.tcss")
WAIT_FOR_DATA = 0.25
"""Seconds to wait for the first screen's reads; later, Textual is nearly there anyway."""
MAX_PALETTE_BYTES = 64 * 1024
PREPARE = (
    "logging",
    "concurrent.futures",
    "asyncio.base_events",
    "asyncio",
    "rich.text",
    "rich.console",
    "textual.color",
    "textual.css.tokenize",
    "textual.css.styles",
    "textual.css.model",
    "textual.timer",
    "textual.widget",
    "textual._compositor",
    "textual.command",
    "textual.app",
    "newstui.ui.screens.main",
    "newstui.ui.app",
)
"""What the reader imports next anyway (Textual, then its screens), in order, each step under
~60 ms on the benchmark machine: imported while the first screen's reads run (~200-300 ms on
the 100k-entry store), instead of waiting idle for them. Only imported: nothing here runs yet
or touches the terminal. The frame is drawn at the first step boundary after the reads end."""

_ENTER = "\x1b[?1049h\x1b[?25l"  # the alternate screen, the cursor hidden (as Textual does)
_LEAVE = "\x1b[?25h\x1b[?1049l"
_SYNC_START, _SYNC_END = "\x1b[?2026h", "\x1b[?2026l"  # drawn at once where supported


class EarlyFrame:
    """The terminal as the early frame left it: `restore` puts back what it changed."""

    STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
    """`kill` and a closed terminal: until the reader handles them itself (`NewsApp.on_mount`),
    they stop newstui as Ctrl+C would, so the terminal is put back on the way out."""

    def __init__(self, stdin: int, stdout: int, attrs_before: list[Any]) -> None:
        self._stdin, self._stdout = stdin, stdout
        self.attrs_before = attrs_before
        """The terminal's mode before the early frame (Textual restores it on exit)."""
        self._handlers: dict[int, Any] = {}
        self._entered = False
        self._textual = False
        self._restored = False

    def catch_signals(self) -> None:
        """SIGTERM and SIGHUP raise KeyboardInterrupt from now on (their handlers as before
        again in `restore`). Called before the terminal's mode changes: a `kill` at any moment
        after that finds the way back (`newstui.cli` restores on every way out).

        Raises:
            ValueError: not on the main thread (no handler can be installed there).
        """
        for number in self.STOP_SIGNALS:
            self._handlers[number] = signal.signal(number, _interrupt)

    def handed_over(self, driver: object) -> None:
        """Textual has the terminal (its driver started): it restores the screen on exit, and
        restores this mode, not the early frame's (its `attrs_before`, read at its start)."""
        self._textual = True
        if hasattr(driver, "attrs_before"):
            driver.attrs_before = self.attrs_before

    def restore(self) -> None:
        """The terminal's mode as before; the normal screen and the cursor back unless Textual
        took over (it did that itself); the signal handlers as before, unless the reader has
        installed its own since. Safe to call more than once."""
        if self._restored:
            return
        self._restored = True
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(self._stdin, termios.TCSANOW, self.attrs_before)
        if self._entered and not self._textual:
            with contextlib.suppress(OSError):
                _write(self._stdout, _LEAVE)
        for number, handler in self._handlers.items():
            if signal.getsignal(number) is _interrupt:
                with contextlib.suppress(ValueError, TypeError, OSError):
                    signal.signal(number, handler)

    def show(self, mode: list[Any], output: str) -> None:
        """Put the terminal in `mode` and write `output` (the frame)."""
        termios.tcsetattr(self._stdin, termios.TCSANOW, mode)  # TCSANOW: typed keys are kept
        self._entered = True
        _write(self._stdout, output)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def draw_early_frame(
    first_screen: FirstScreen,
    config: Config,
    *,
    theme: str | None,
    theme_dirs: Sequence[str],
    env: Mapping[str, str] = os.environ,
    clock: Any = None,
) -> EarlyFrame | None:
    """Draw the first frame now, if it is safe (see the module's docstring); None: nothing
    was drawn or changed. Asks the reader to keep a palette when none matched
    (`FirstScreen.palette_request`)."""
    if env.get("NEWSTUI_EARLY_FRAME", "1") == "0" or theme_dirs or config.views:
        return None
    if (paths.user_config_dir() / "themes").is_dir():
        return None  # a user theme may be the one in use: its colours are not known yet
    stdin, stdout = sys.__stdin__, sys.__stderr__  # where Textual reads and writes
    if stdin is None or stdout is None or not (stdin.isatty() and stdout.isatty()):
        return None
    if env.get("TERM", "dumb") in ("", "dumb"):
        return None
    try:
        output = _frame(first_screen, config, theme, env, clock)
    except Exception:  # a speed-up: whatever fails in it, the reader starts as it did without
        return None
    if output is None:
        return None
    return _show(stdin.fileno(), stdout.fileno(), output, env)


def _frame(
    first_screen: FirstScreen, config: Config, theme: str | None, env: Mapping[str, str], clock: Any
) -> str | None:
    """The terminal output that draws the first frame, or None (see `draw_early_frame`)."""
    deadline = time.monotonic() + WAIT_FOR_DATA
    for name in PREPARE:
        if first_screen.read_done or time.monotonic() >= deadline:
            break
        importlib.import_module(name)
    data = first_screen.wait(max(deadline - time.monotonic(), 0.0), config.feeds)
    if data is None:
        return None  # not read in time, changed since, or feeds.toml changed the feed list
    path = first_screen.db_path.parent / PALETTE_FILENAME
    code = _code_stamp(data.schema_version)
    key = palette_key(env, data.theme_state, theme or config.settings.theme, code)
    try:
        palette = decode_palette(read_small_file(path, MAX_PALETTE_BYTES), key)
    except FileProblem:  # none kept yet
        palette = None
    if palette is None:
        first_screen.palette_request = (path, key)  # the reader keeps one for next time
        wanted = wanted_theme(theme, config.settings.theme, data.theme_state)
        palette = _bundled_palette(data.schema_version, env, wanted)
    if palette is None:
        return None
    size = shutil.get_terminal_size((0, 0))  # as Textual measures it
    now = (clock or _now)()
    lines = frame_runs(
        (size.columns, size.lines),
        data.feeds,
        data.hidden_bookmarks,
        data.headlines,
        data.unread_count,
        now,
        feed_pane_width=config.settings.feed_pane_width,
        show_read=config.settings.show_read,
    )
    if lines is None:
        return None
    return _ENTER + _SYNC_START + render(lines, palette) + _SYNC_END


def _show(stdin: int, stdout: int, output: str, env: Mapping[str, str]) -> EarlyFrame | None:
    try:
        before = termios.tcgetattr(stdin)
        mode = termios.tcgetattr(stdin)
    except termios.error:
        return None
    # Textual's mode (its LinuxDriver): no echo, no line editing, keys (Ctrl+C too) as bytes.
    signals = 0 if env.get("TEXTUAL_ALLOW_SIGNALS") else termios.ISIG
    mode[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | signals)
    mode[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR)
    mode[6][termios.VMIN] = 1
    frame = EarlyFrame(stdin, stdout, before)
    try:
        frame.catch_signals()  # before the mode changes: a `kill` meanwhile puts it back
        frame.show(mode, output)
    except (termios.error, OSError, ValueError):
        frame.restore()
        return None
    except BaseException:  # a `kill` (KeyboardInterrupt) or anything else: the terminal sane
        frame.restore()
        raise
    return frame


def _write(fd: int, text: str) -> None:
    data = text.encode("utf-8", "replace")
    while data:
        data = data[os.write(fd, data) :]


def _now() -> datetime:
    return datetime.now(UTC)


def _bundled_palette(
    schema_version: int, env: Mapping[str, str], theme: str
) -> dict[str, str] | None:
    """The palette made in advance for `theme` and this terminal, if it was made with this code
    and this Textual, for a database at this schema (which needs no upgrade then)."""
    try:
        blob = read_small_file(Path(BUNDLED_PALETTES), MAX_BUNDLED_BYTES)
    except FileProblem:
        return None
    return bundled_palette(blob, bundled_stamp(schema_version), env, theme)


def bundled_stamp(schema_version: int) -> dict[str, object]:
    """What the palettes made in advance depend on, as this launch finds it: Textual's and
    rich's versions (from their installed metadata's folder names: nothing imported), the
    database's schema as read (the palettes name the schema their code wants), and the sizes
    of the bundled theme files and of the stylesheet."""
    stamp: dict[str, object] = {"schema": schema_version}
    stamp |= _versions(("textual", "rich"))
    with contextlib.suppress(OSError):
        stamp["newstui.tcss"] = os.stat(_STYLESHEET).st_size
    with contextlib.suppress(OSError):
        for entry in os.scandir(paths.bundled_themes_dir()):
            if entry.name.endswith(".toml"):
                stamp[entry.name] = entry.stat().st_size
    return stamp


def _versions(names: Sequence[str]) -> dict[str, str]:
    """Each installed distribution's version, from its `NAME-VERSION.dist-info` folder beside
    the package (no `importlib.metadata`: ~50 ms to import); left out when not found once."""
    found: dict[str, str] = {}
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.origin is None:
            continue
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            infos = [
                e.name
                for e in os.scandir(site)
                if e.name.startswith(f"{name}-") and e.name.endswith(".dist-info")
            ]
        except OSError:
            continue
        if len(infos) == 1:
            found[name] = infos[0][len(name) + 1 : -len(".dist-info")]
    return found


def _code_stamp(schema_version: int) -> str:
    """The code the colours depend on (newstui's version and the bundled theme files), and the
    database's schema as read, with the module that says which schema this code wants: a kept
    palette was made by a reader that had upgraded the database, so a database at the schema
    named in its key needs no upgrade now (the store, which knows, is not imported yet).
    (After an upgrade the key names the old schema once, so one more launch draws nothing.)"""
    stamp = [__version__, f"schema {schema_version}"]
    with contextlib.suppress(OSError):
        info = os.stat(_SCHEMA_MODULE)
        stamp.append(f"schema.py {info.st_size} {info.st_mtime_ns}")
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(paths.bundled_themes_dir()), key=lambda e: e.name):
            info = entry.stat()
            stamp.append(f"{entry.name} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(stamp)
