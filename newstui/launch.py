"""The reader's launch (`newstui` without a command), from `newstui.cli`: its first screen read
on a thread from the start, the early first frame drawn by newstui itself as soon as those reads
are done (`newstui.early_frame`), then Textual, which paints over it.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newstui.core import paths

if TYPE_CHECKING:
    from newstui.core.settings import Config
    from newstui.store.first_screen import FirstScreen


def read_first_screen(data_dir: str | None) -> FirstScreen:
    """The reader's first screen, read from now on, on the other core (see
    `newstui.store.first_screen`): while the configuration loads and Textual imports."""
    # Start-up builds objects that live as long as the app (Textual, CSS, 2,000 feed rows):
    # the cyclic collector would walk them over and over (~30 ms of a ~450 ms launch). It is
    # paused until the first frame, then those objects are frozen (NewsApp.on_ready).
    gc.disable()
    from newstui.store.first_screen import FirstScreen

    # The path `newstui.cli` gives, without creating the directory (a bad feeds.toml must not).
    return FirstScreen(paths.data_dir(data_dir, os.environ) / paths.DB_FILENAME)


def run_reader(
    config: Config,
    db_path: Path,
    theme: str | None,
    theme_dirs: list[str],
    first: FirstScreen,
    before_textual: Callable[[Callable[[], None]], int | None] | None = None,
) -> int:
    """Run the reader until it quits; its exit status. The terminal is as it was after it,
    whichever way it ends (an early frame's changes are undone here, Textual's by Textual).

    `before_textual` runs after the early frame (an exit status ends the launch there): the
    database's upgrade, if one is due (given the early frame's `restore`, to call first; no
    early frame is drawn when the schema read is not the one its palette was kept at)."""
    first_screen = first if first.db_path == db_path else type(first)(db_path)
    before_textual = before_textual or _no_step
    from newstui.early_frame import draw_early_frame

    # Drawn by newstui itself, as soon as the reads are done: Textual paints over it later.
    # From here to the reader's own handlers, `kill` and a closed terminal stop like Ctrl+C
    # (installed by the early frame before it changes the terminal's mode).
    early = draw_early_frame(first_screen, config, theme=theme, theme_dirs=theme_dirs)
    if early is None:
        if (status := before_textual(_nothing)) is not None:
            return status
        return start_textual(config, db_path, theme, theme_dirs, first_screen)
    first_screen.on_textual = early.handed_over
    try:
        if (status := before_textual(early.restore)) is not None:
            return status
        return start_textual(config, db_path, theme, theme_dirs, first_screen)
    finally:
        early.restore()


def _nothing() -> None:
    pass


def _no_step(remove_early_frame: Callable[[], None]) -> None:
    return None


def start_textual(
    config: Config, db_path: Path, theme: str | None, theme_dirs: list[str], first: FirstScreen
) -> int:
    from newstui.ui.app import run_app
    from newstui.ui.themes import themes_for_reader

    themes = themes_for_reader([Path(d).expanduser() for d in theme_dirs])
    return run_app(config, db_path, themes=themes, theme=theme, first_screen=first)
