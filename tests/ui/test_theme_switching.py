"""Themes in the running reader: the picker persists, bad files and names fall back."""

from __future__ import annotations

from pathlib import Path
from time import monotonic as now

import pytest

from newstui.core import paths
from newstui.store import Store
from newstui.ui.screens.main import THEMES_AFTER
from newstui.ui.themes import LaterThemes, load_theme_file, load_themes, themes_for_reader
from tests.support.wait import until


async def test_default_and_command_line_theme(make_app) -> None:
    app = make_app(filled=False)
    async with app.run_test(size=(100, 30)):
        assert app.theme == "textual-dark"
    themed = make_app(filled=False, theme="gruvbox")
    async with themed.run_test(size=(100, 30)):
        assert themed.theme == "gruvbox"
        assert themed.theme_variables["newstui-unread"]


async def test_picked_theme_persists_across_restarts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("T")  # the theme picker
        await pilot.pause()
        await pilot.press(*"paper")
        # The picker searches in the background, and previews the theme it highlights.
        await until(pilot, lambda: app.theme == "paper")
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "paper"
    again = make_app(filled=False)
    async with again.run_test(size=(100, 30)):
        assert again.theme == "paper"


async def test_unknown_theme_falls_back_with_one_notification(make_app) -> None:
    app = make_app(filled=False, theme="nrod")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and "did you mean 'nord'" in messages[0]


async def test_broken_theme_files_are_reported_together(make_app, tmp_path: Path) -> None:
    folder = tmp_path / "my-themes"
    folder.mkdir()
    (folder / "bad-colour.toml").write_text('name = "oops"\nprimary = "not-a-colour"\n', "utf-8")
    (folder / "bad-toml.toml").write_text("name = \n", "utf-8")
    (folder / "fine.toml").write_text('name = "mine"\nprimary = "#336699"\n', "utf-8")
    load = load_themes([folder])
    app = make_app(filled=False, themes=load, theme="mine")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "mine"
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1
        assert "bad-colour.toml" in messages[0] and "bad-toml.toml" in messages[0]


BUNDLED = sorted(
    load_theme_file(path, "bundled").theme.name
    for path in paths.bundled_themes_dir().glob("*.toml")
)


@pytest.mark.parametrize("name", BUNDLED)
async def test_bundled_themes_render_the_main_screen(make_app, name: str) -> None:
    app = make_app(theme=name)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == name
        assert app.screen.entry_view.shown_id is not None


def test_bundled_theme_files_are_named_as_their_themes() -> None:
    """What lets the reader leave them unread until after its first frame (`LaterThemes`)."""
    files = sorted(paths.bundled_themes_dir().glob("*.toml"))
    assert files
    for path in files:
        assert load_theme_file(path, "bundled").theme.name == path.stem


async def test_themes_read_after_the_first_frame_are_all_there(make_app, db_path) -> None:
    later = themes_for_reader()
    assert isinstance(later, LaterThemes)  # no user theme folder
    app = make_app(themes=later)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        bundled = set(load_themes().themes)
        await pilot.press("j")
        await until(pilot, lambda: bundled <= set(app.available_themes))  # once keys pause
    # A bundled theme to start with is read before the first frame.
    themed = make_app(filled=False, themes=themes_for_reader(), theme="paper")
    async with themed.run_test(size=(120, 40)):
        assert themed.theme == "paper"
    # One picked in the reader too (remembered in the data dir).
    with Store(db_path) as store:
        store.set_state("theme", "paper")
        store.set_state("theme.configured", "")
    again = make_app(filled=False, themes=themes_for_reader())
    async with again.run_test(size=(120, 40)):
        assert again.theme == "paper"


async def test_theme_files_wait_while_keys_come_and_the_picker_still_has_them(
    make_app, monkeypatch
) -> None:
    """Reading the bundled theme files (~20-40 ms) just after the first frame held up the
    first key; they are read once the keys pause THEMES_AFTER, or at once by `T`, whose
    picker previews each of them."""
    from newstui.ui.app import NewsApp
    from newstui.ui.screens import main

    keys: list[float] = []
    on_key = main.MainScreen.on_key
    monkeypatch.setattr(main.MainScreen, "on_key", lambda s: (keys.append(now()), on_key(s)))
    read: list[float] = []
    load = NewsApp.load_later_themes
    monkeypatch.setattr(NewsApp, "load_later_themes", lambda a: (read.append(now()), load(a)))
    app = make_app(themes=themes_for_reader())
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(6):
            await pilot.press("j")
            await pilot.pause(THEMES_AFTER / 3)
        await until(pilot, lambda: app.theme_load.themes)
        assert set(load_themes().themes) <= set(app.available_themes)
        last = max((k for k in keys if k < read[0]), default=None)  # the keys pushed it back
        assert last is None or read[0] - last >= THEMES_AFTER - 0.01
    monkeypatch.setattr(main, "THEMES_AFTER", 60.0)  # keys never pause long enough
    app = make_app(themes=themes_for_reader())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "k", "j")
        await pilot.pause()
        assert app.theme_load.themes == {}  # not read yet
        await pilot.press("T")
        await pilot.pause()
        assert set(load_themes().themes) <= set(app.available_themes)
        await pilot.press(*"paper")  # bundled only (not a Textual built-in)
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        assert app.theme == "paper"  # previewed
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == "textual-dark"


async def test_a_bundled_theme_named_unlike_its_file_is_not_unknown(
    make_app, tmp_path, monkeypatch
) -> None:
    bundled = tmp_path / "bundled-themes"
    bundled.mkdir()
    nord = (paths.bundled_themes_dir() / "nord.toml").read_text(encoding="utf-8")
    (bundled / "nord.toml").write_text(nord, encoding="utf-8")
    (bundled / "ocean.toml").write_text('name = "deep-sea"\nprimary = "#225588"\n')
    monkeypatch.setattr(paths, "bundled_themes_dir", lambda: bundled)
    later = themes_for_reader()
    assert isinstance(later, LaterThemes)
    app = make_app(filled=False, themes=later, theme="deep-sea")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "deep-sea"
        assert app.current_theme.primary == "#225588"
    # A Textual built-in still starts without reading the files.
    builtin = make_app(filled=False, themes=themes_for_reader(), theme="dracula")
    async with builtin.run_test(size=(120, 40)):
        assert builtin.theme == "dracula"
        assert "deep-sea" not in builtin.available_themes  # read after the first frame
    # A misspelt name is reported against the bundled themes too.
    typo = make_app(filled=False, themes=themes_for_reader(), theme="deep-see")
    async with typo.run_test(size=(120, 40)):
        assert typo._theme_problem is not None and "deep-sea" in typo._theme_problem


async def test_with_a_user_theme_folder_every_file_is_read_first(make_app, tmp_path) -> None:
    folder = paths.user_config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "other-name.toml").write_text('name = "textual-dark"\nprimary = "#336699"\n')
    load = themes_for_reader()
    assert not isinstance(load, LaterThemes)
    app = make_app(filled=False, themes=load)
    async with app.run_test(size=(120, 40)):
        assert app.current_theme.primary == "#336699"  # the user's own, from the first frame
