"""The footer: its keys are on screen from the start, stay as the focus moves, follow a keymap
change, and answer a click; it is one widget (no key widgets to mount after the first frame)."""

from __future__ import annotations

from newstui.ui.widgets.keys_footer import KeysFooter
from tests.ui.test_main_screen import main, screen_text


def footer(app) -> KeysFooter:
    return main(app).query_one(KeysFooter)


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_footer_shows_its_keys_without_a_widget_per_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        labels = footer(app).labels
        assert ("q", "Quit") in labels and len(labels) > 3
        line = footer_line(app)
        assert " q Quit " in line and "Help" in line
        # Textual's Footer mounted ~20 key widgets once the bindings were known, just after
        # the first frame (~100 ms with their CSS and layouts, which the first key waited for).
        assert not footer(app).children


async def test_moving_between_panes_keeps_the_footer_as_it_is(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        labels = footer(app).labels
        line = footer_line(app)
        await pilot.press("n")  # the article gets the focus
        await pilot.pause()
        assert app.focused is screen.entry_view
        await pilot.press("h", "h", "l")  # feed list, then the headlines
        await pilot.pause()
        assert app.focused is screen.entry_list
        assert footer(app).labels == labels
        assert footer_line(app) == line


async def test_the_footer_follows_a_keymap_change(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert ("q", "Quit") in footer(app).labels
        app.set_keymap({"app.quit": "x"})
        main(app).refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert ("x", "Quit") in footer(app).labels
        assert " x Quit " in footer_line(app)


async def test_clicking_a_key_in_the_footer_presses_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = footer_line(app)
        await pilot.click(KeysFooter, offset=(line.index("Help"), 0))
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
