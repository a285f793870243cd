"""The footer: its keys stay on screen as the focus moves, and are rebuilt only when they change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.ui.test_main_screen import main, screen_text


def footer_keys(app) -> list[FooterKey]:
    return list(main(app).query(FooterKey))


async def test_moving_between_panes_keeps_the_footer_as_it_is(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        before = footer_keys(app)
        labels = [(key.key, key.description) for key in before]
        assert ("q", "Quit") in labels and len(labels) > 3
        await pilot.press("n")  # the article gets the focus
        await pilot.pause()
        assert app.focused is screen.entry_view
        await pilot.press("h", "h", "l")  # feed list, then the headlines
        await pilot.pause()
        assert app.focused is screen.entry_list
        after = footer_keys(app)
        # The same keys, the very same widgets: Textual's Footer removed and re-mounted all
        # of them twice per focus change (~40 ms each with CSS and a layout).
        assert [(key.key, key.description) for key in after] == labels
        assert all(a is b for a, b in zip(after, before, strict=True))
        assert "Quit" in screen_text(app)


async def test_the_footer_follows_a_keymap_change(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert ("q", "Quit") in [(key.key, key.description) for key in footer_keys(app)]
        app.set_keymap({"app.quit": "x"})
        main(app).refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert ("x", "Quit") in [(key.key, key.description) for key in footer_keys(app)]
