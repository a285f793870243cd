"""Keymaps from feeds.toml, pressed for real."""

from __future__ import annotations

from pathlib import Path

from newstui.core.config import load_config
from newstui.store import Store
from newstui.ui.app import NewsApp
from tests.support.wait import written
from tests.ui.conftest import DEFAULT_FEEDS, clock, fill


async def test_override_replaces_default_keys(make_app, db_path) -> None:
    app = make_app(keymap={"entry.toggle-read": "x"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = app.screen.entry_list.current_id
        await pilot.press("m")  # no longer bound
        await written(pilot)
        with Store(db_path) as other:
            assert not other.headlines([first])[0].read
        await pilot.press("x")
        await written(pilot)
        with Store(db_path) as other:
            assert other.headlines([first])[0].read


async def test_nested_keymap_table_from_feeds_toml(tmp_path: Path, db_path) -> None:
    config_file = tmp_path / "feeds.toml"
    config_file.write_text(
        "[settings]\nrefresh_on_start = false\nauto_refresh = false\n"
        '[keymap.entry]\ntoggle-bookmark = "s"\n'
        + "".join(
            f'[[feeds]]\nurl = "{spec.url}"\ntitle = "{spec.title}"\ntags = {list(spec.tags)!r}\n'
            for spec in DEFAULT_FEEDS
        ).replace("'", '"'),
        "utf-8",
    )
    config = load_config(config_file)
    assert dict(config.keymap) == {"entry.toggle-bookmark": "s"}
    with Store(db_path) as store:
        fill(store, list(config.feeds))
        app = NewsApp(config, store, db_path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first = app.screen.entry_list.current_id
            await pilot.press("s")
            await written(pilot)
            assert store.headlines([first])[0].bookmarked
            await pilot.press("b")  # replaced, so b does nothing now
            await written(pilot)
            assert store.headlines([first])[0].bookmarked


async def test_unknown_id_and_clash_are_notified(make_app) -> None:
    app = make_app(keymap={"entry.toggle-reed": "x", "feed.refresh": "m"})
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1
        assert "did you mean 'entry.toggle-read'?" in messages[0]
        assert "key 'm' is bound to both entry.toggle-read and feed.refresh" in messages[0]


async def test_newsboat_preset(make_app, db_path) -> None:
    app = make_app(keys="newsboat")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("J", "J", "K")
        assert screen.entry_list.cursor == 1
        chosen = screen.entry_list.current_id
        await pilot.press("N")
        await written(pilot)
        with Store(db_path) as other:
            assert other.headlines([chosen])[0].read
        await pilot.press("ctrl+b")
        await written(pilot)
        with Store(db_path) as other:
            assert other.headlines([chosen])[0].bookmarked
        await pilot.press("j")  # newsboat's j: the next feed
        view = screen.feed_list.current_view
        assert view is not None and view.kind == "feed"
        total = len(screen.entry_list.ids)
        await pilot.press("N")  # mark one read, then hide read entries with l
        await written(pilot)  # the hidden view is the store's: a mark still queued shows there
        await pilot.press("l")
        assert len(screen.entry_list.ids) == total - 1


def test_every_binding_has_an_action_to_run() -> None:
    """A binding whose action doesn't exist does nothing when pressed (as `q` once did)."""
    from newstui.ui.bindings import known_bindings
    from newstui.ui.screens.main import MainScreen

    for binding in known_bindings().values():
        name = binding.action.split("(")[0]
        owner: type = MainScreen
        if name.startswith("app."):
            owner, name = NewsApp, name.removeprefix("app.")
        elif binding.id.startswith("app.") and binding.id != "app.undo":
            owner = NewsApp if hasattr(NewsApp, f"action_{name}") else MainScreen
        assert hasattr(owner, f"action_{name}"), binding.id
