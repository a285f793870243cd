"""A refresh's reload redraws only the headline lines that changed: each line must still end
up as a full redraw would draw it, when the day changed since the lines were drawn and when
the new list ends above where the pane was scrolled to. A scroll of the headline list by one
row draws only the rows that change (the others' strips are kept, with what Textual made of
them); kept rows still show what a full redraw would, when their date turns within the day."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual._styles_cache import StylesCache
from textual.pilot import Pilot

from newstui.core.models import FeedSpec
from newstui.store import Store
from newstui.ui.app import NewsApp
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.entry_list import EntryList
from tests.ui.test_key_speed import started
from tests.ui.test_refresh_keys import drawn, frame, main, redrawn, reload

from .conftest import DEFAULT_FEEDS, NOW, TECH, entry, fill, make_config, save_entries

FEEDS = [FeedSpec(TECH, title="Tech Daily", tags=("tech",))]


@asynccontextmanager
async def reader_at(
    now: list[datetime], tmp_path: Path, db_path: Path, feeds: list[FeedSpec]
) -> AsyncIterator[tuple[NewsApp, Pilot, MainScreen]]:
    """The reader on `db_path` at 120x40, started, its clock reading `now[0]` (the test
    moves it on)."""
    store = Store(db_path)
    config = make_config(tmp_path / "feeds.toml", feeds)
    app = NewsApp(config, store, db_path, clock=lambda: now[0])
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = main(app)
            await started(pilot, screen)
            yield app, pilot, screen
    finally:
        store.close()


async def test_a_reload_after_midnight_redraws_the_dates(tmp_path, db_path) -> None:
    """The reader runs past midnight; the next refresh's reload finds no row changed, but
    today's "15:30" is yesterday's "Wed" now: the lines must say so."""
    now = [NOW]
    with Store(db_path) as store:
        fill(store)
    async with reader_at(now, tmp_path, db_path, DEFAULT_FEEDS) as (app, pilot, screen):
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


@contextmanager
def headline_work() -> Iterator[dict[str, int]]:
    """Meanwhile: how many headline rows are built (`EntryList._segments`) and how many of the
    list's lines Textual styles (its `StylesCache.render_line`: borders, padding, then the
    compositor's filters and cuts of a strip it has not seen)."""
    counts = {"built": 0, "styled": 0}
    built, styled = EntryList._segments, StylesCache.render_line

    def building(self, *args, **kwargs):
        counts["built"] += 1
        return built(self, *args, **kwargs)

    def styling(self, styles, *args, **kwargs):
        counts["styled"] += isinstance(styles.node, EntryList)
        return styled(self, styles, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EntryList, "_segments", building)
        patch.setattr(StylesCache, "render_line", styling)
        yield counts


async def test_a_scroll_by_one_row_draws_only_the_rows_that_change(make_app) -> None:
    """Down and `n` on the last row shown scroll the list by one row: at most the row the
    cursor leaves and the one it comes to are built (a row drawn before as it is now is
    not); the 35 others keep their strips, and Textual
    styles only those two, the border line and the few bar cells the thumb moved over (all
    37 rows were built and styled again). The screen is still what a full redraw shows."""
    app = make_app(FEEDS, filled=False)
    app.store.sync_feeds(FEEDS, now=NOW)
    save_entries(app.store, TECH, [entry(i, TECH, hours_old=i) for i in range(300)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        entries = screen.entry_list
        entries.focus()
        entries.move_to(entries.size.height - 1)  # the last row on screen
        await frame(app)
        assert round(entries.scroll_y) == 0
        for key in ("down", "n", "n"):  # n: this row first (highlighted, not yet opened)
            top = round(entries.scroll_y)
            with headline_work() as work:
                await pilot.press(key)
                await frame(app)
            if round(entries.scroll_y) == top:
                continue
            assert round(entries.scroll_y) == top + 1, key
            assert work["built"] <= 2, (key, work)
            assert work["styled"] <= 6, (key, work)
            assert drawn(app) == redrawn(app)
        assert round(entries.scroll_y) == 2


async def test_a_kept_row_shows_its_date_as_a_full_redraw_would(tmp_path, db_path) -> None:
    """A row drawn at 15:30 on Wednesday from last Thursday 16:30 reads "Thu" (under six
    days); at 17:30 it is over six days old and reads "Feb 26": a redraw within the same
    day must not hand back the row as it was."""
    now = [NOW]
    feeds = [FeedSpec(TECH, title="Tech Daily")]
    with Store(db_path) as store:
        store.sync_feeds(feeds, now=NOW)
        old = entry(0, TECH, hours_old=6 * 24 - 1, title="Nearly a week old")
        save_entries(store, TECH, [old, entry(1, TECH, hours_old=1)])
    async with reader_at(now, tmp_path, db_path, feeds) as (app, _pilot, screen):
        entries = screen.entry_list

        def row_text(title: str) -> str:
            region = entries.region
            lines = [s.text[region.x : region.right] for s in drawn(app)]
            return next(line for line in lines if title in line)

        assert " Thu " in row_text("Nearly a week old")
        now[0] = NOW + timedelta(hours=2)
        entries.refresh()
        await frame(app)
        assert " Feb 26 " in row_text("Nearly a week old")
        assert drawn(app) == redrawn(app)
