"""A theme switch restyles what the article pane shows, a feed's status included (it is built
with the theme's styles when shown, so it kept the old theme's colours until the next key)."""

from __future__ import annotations

from tests.support.wait import until
from tests.ui.test_key_speed import started
from tests.ui.test_refresh_keys import frame, main

from .conftest import TECH


async def test_a_feed_status_takes_the_new_theme_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        await pilot.press("h", "j", "j", "j")  # Tech Daily: its status in the article pane
        await until(pilot, lambda: screen.entry_view.shown_source is screen.feeds[TECH])
        await frame(app)
        before = [list(strip) for strip in screen.entry_view._strips]
        app.theme = "nord"
        await pilot.pause()
        await frame(app)
        after_switch = [list(strip) for strip in screen.entry_view._strips]
        assert after_switch != before  # the colours changed
        screen.show_feed_status(screen.feeds[TECH])  # built afresh in the new theme
        await frame(app)
        assert after_switch == [list(strip) for strip in screen.entry_view._strips]
