"""The palettes made in advance (`newstui/early_frame_palettes.json`), for a data directory's first
launch: no palette is kept there yet, and without one the early frame was not drawn (the first
launch after an upgrade, or on a new machine, waited for Textual: ~450-600 ms on the benchmark
machine against ~180 ms with the early frame).

Each is sampled from Textual's own first frame, as the palette kept after a launch is, for every
theme the reader has, in each colour system. The file is checked whole here: a change to a theme,
the stylesheet, a widget's colours, the schema or Textual that changes them fails this test;
`NEWSTUI_WRITE_PALETTES=1 .venv/bin/pytest tests/ui/test_bundled_palettes.py` writes it anew.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.console import Console

from newstui import early_frame
from newstui.core.first_frame import (
    BUNDLED_ENV_OFF,
    DEFAULT_THEME,
    ROLES,
    bundled_palette,
    color_system,
    encode_bundled,
    wanted_theme,
)
from newstui.store import Store, schema
from newstui.ui.app import NewsApp
from newstui.ui.first_frame_palette import sample_palette
from newstui.ui.themes import load_themes
from tests.ui.conftest import DEFAULT_FEEDS, NOW, WORLD, clock, fill, make_config
from tests.ui.test_main_screen import main

SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
}


def every_theme() -> list[str]:
    from textual.theme import BUILTIN_THEMES

    return sorted(set(BUILTIN_THEMES) | set(load_themes().themes))


async def test_the_bundled_palettes_are_textual_first_frames(make_app, monkeypatch) -> None:
    """For every theme, a fresh reader at 120x40 (a feed in error, unread counts, the article
    pane: every role shown), its first frame sampled in each colour system; all of it equal to
    the file, and made under the stamp a launch computes."""
    for name in BUNDLED_ENV_OFF:
        if name.startswith("TEXTUAL_"):  # read once, when Textual is imported
            assert name not in os.environ, f"{name} changes Textual's colours: unset it"
        monkeypatch.delenv(name, raising=False)
    palettes: dict[str, dict[str, dict[str, str]]] = {system: {} for system in SYSTEMS}
    for theme in every_theme():
        app = make_app(theme=theme)
        app.store.record_failure(
            WORLD, kind="http-status", message="HTTP 404", now=NOW, next_due_at=NOW
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.theme == theme
            for system, rich_system in SYSTEMS.items():
                palette = sample_palette(main(app), rich_system)
                assert palette is not None, theme
                assert set(palette) == set(ROLES), (theme, set(ROLES) - set(palette))
                palettes[system][theme] = palette
    made = encode_bundled(early_frame.bundled_stamp(schema.LATEST), palettes)
    path = Path(early_frame.BUNDLED_PALETTES)
    if os.environ.get("NEWSTUI_WRITE_PALETTES") == "1":
        path.write_text(made, encoding="utf-8")
    kept = path.read_text(encoding="utf-8") if path.exists() else ""
    assert kept == made, (
        "newstui/early_frame_palettes.json is out of date: "
        "NEWSTUI_WRITE_PALETTES=1 .venv/bin/pytest tests/ui/test_bundled_palettes.py"
    )


ENVS = [
    {"TERM": "xterm-256color"},
    {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
    {"TERM": "screen", "COLORTERM": " 24BIT "},
    {"TERM": "xterm-kitty"},
    {"TERM": "tmux-256color"},
    {"TERM": "rxvt-unicode-16color"},
    {"TERM": "xterm"},
    {"TERM": "linux"},
    {"TERM": "vt100", "COLORTERM": "yes"},
    {"TERM": "XTERM-256COLOR"},
    {"TERM": " xterm-256color "},
    {},
    {"TERM": "dumb"},
    {"TERM": "unknown"},
]


@pytest.mark.parametrize("env", ENVS, ids=str)
def test_the_colour_system_is_the_one_textual_finds(env) -> None:
    """As Textual makes its console: a terminal forced, the colour system detected."""
    console = Console(color_system="auto", force_terminal=True, file=io.StringIO(), _environ=env)
    names = {system: name for name, system in SYSTEMS.items()}
    assert color_system(env) == names.get(console._color_system)


@pytest.mark.parametrize(
    ("explicit", "configured", "state"),
    [
        (None, None, {}),
        ("nord", "paper", {"theme": "gruvbox", "theme.configured": "paper"}),
        (None, "paper", {"theme": "gruvbox", "theme.configured": "paper"}),
        (None, "paper", {"theme": "gruvbox", "theme.configured": ""}),  # feeds.toml changed
        (None, None, {"theme": "gruvbox", "theme.configured": ""}),
        (None, "paper", {}),
    ],
)
def test_the_theme_is_the_one_the_reader_shows(
    tmp_path, db_path, explicit, configured, state
) -> None:
    """`wanted_theme` (the early frame's, before Textual) picks what the reader picks."""
    with Store(db_path) as store:
        fill(store)
        for key, value in state.items():
            store.set_state(key, value)
        config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS, theme=configured)
        app = NewsApp(config, store, db_path, clock=clock, theme=explicit)
        assert app.theme == wanted_theme(explicit, configured, state)


def test_a_palette_made_under_another_stamp_or_env_is_not_used() -> None:
    blob = Path(early_frame.BUNDLED_PALETTES).read_bytes()
    stamp = early_frame.bundled_stamp(schema.LATEST)
    env = {"TERM": "xterm-256color"}
    assert bundled_palette(blob, stamp, env, DEFAULT_THEME) is not None
    assert bundled_palette(blob, stamp | {"textual": "0.1"}, env, DEFAULT_THEME) is None
    assert bundled_palette(blob, stamp | {"schema": schema.LATEST - 1}, env, "nord") is None
    assert bundled_palette(blob, stamp, env, "no-such-theme") is None
    assert bundled_palette(blob, stamp, env | {"NO_COLOR": "1"}, DEFAULT_THEME) is None
    assert bundled_palette(blob, stamp, {"TERM": "dumb"}, DEFAULT_THEME) is None
