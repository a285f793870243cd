"""A refresh's reload redraws only the headline lines that changed: each line must still end
up as a full redraw would draw it, when the day changed since the lines were drawn and when
the new list ends above where the pane was scrolled to."""

from __future__ import annotations

from datetime import timedelta

from newstui.core.models import FeedSpec
from newstui.store import Store
from newstui.ui.app import NewsApp
from tests.ui.test_key_speed import started
from tests.ui.test_refresh_keys import drawn, frame, main, redrawn, reload

from .conftest import DEFAULT_FEEDS, NOW, TECH, entry, fill, make_config, save_entries

FEEDS = [FeedSpec(TECH, title="Tech Daily", tags=("tech",))]


async def test_a_reload_after_midnight_redraws_the_dates(tmp_path, db_path) -> None:
    """The reader runs past midnight; the next refresh's reload finds no row changed, but
    today's "15:30" is yesterday's "Wed" now: the lines must say so."""
    now = [NOW]
    with Store(db_path) as store:
        fill(store)
    store = Store(db_path)
    config = make_config(tmp_path / "feeds.toml", DEFAULT_FEEDS)
    app = NewsApp(config, store, db_path, clock=lambda: now[0])
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = main(app)
            await started(pilot, screen)
            region = screen.entry_list.region

            def headlines(strips) -> str:
                lines = strips[region.y : region.bottom]
                return "\n".join(s.text[region.x : region.right] for s in lines)

            assert "15:30" in headlines(drawn(app))
            now[0] = NOW + timedelta(days=1)  # Thursday
            await reload(app, pilot)
            on_screen = headlines(drawn(app))
            assert "15:30" not in headlines(redrawn(app))
            assert "15:30" not in on_screen, on_screen
    finally:
        store.close()


async def test_a_reload_that_shortens_the_list_below_the_scroll_keeps_rows_on_screen(
    make_app, db_path
) -> None:
    """Scrolled to the end of All unread; another program reads the last 60 (the cursor's
    among them): the reload's list is shorter than where the pane was scrolled to."""
    app = make_app(FEEDS, filled=False)
    app.store.sync_feeds(FEEDS, now=NOW)
    save_entries(app.store, TECH, [entry(i, TECH, hours_old=i) for i in range(100)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        await pilot.press("end")
        await frame(app)
        ids = screen.entry_list.ids
        assert round(screen.entry_list.scroll_y) > 0
        with Store(db_path) as other:
            other.set_read(ids[40:], True, now=NOW)
        await reload(app, pilot)
        await frame(app)
        entries = screen.entry_list
        top = round(entries.scroll_y)
        assert len(entries.ids) == 40
        assert top <= entries.cursor < top + entries.size.height, (top, entries.cursor)
        on_screen = drawn(app)
        assert on_screen == redrawn(app)
