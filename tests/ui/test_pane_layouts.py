"""Keys that change what a pane scrolls through lay nothing out (issue 11: keys during a
refresh). A pane that draws its own scroll bar (Textual's is 0 cells wide) going from an article
that scrolls to one that fits, or back, moves nothing on screen: Textual laid the whole screen
out twice for it (~25 + 8 ms with 2,000 feeds), the first feed-list key after an article
among them. Counted, never timed; and what is drawn is what a full redraw draws."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from textual.screen import Screen

from newstui.store import Store
from tests.support.wait import until
from tests.ui.test_key_speed import started
from tests.ui.test_refresh_keys import drawn, frame, main, redrawn

from .conftest import DEFAULT_FEEDS, NOW, TECH, entry, save_entries


@contextmanager
def layouts() -> Iterator[list[str]]:
    """The whole-screen layouts meanwhile."""
    done: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        original = Screen._refresh_layout

        def counted(self, *args, **kwargs):
            done.append(type(self).__name__)
            return original(self, *args, **kwargs)

        patch.setattr(Screen, "_refresh_layout", counted)
        yield done


def body(name: str, paragraphs: int) -> str:
    return "".join(f"<p>Paragraph {i} of {name}.</p>" for i in range(paragraphs))


async def test_an_article_pane_that_stops_or_starts_scrolling_lays_nothing_out(
    make_app, db_path
) -> None:
    """Long article -> Bookmarks' short message -> the long article again (a tag's view)
    -> a feed's short status: no layout, each pane drawn as a full redraw would, and the
    article's scroll position and wheel scrolling follow what is shown."""
    long_one = dataclasses.replace(entry(0, TECH, hours_old=1), content_html=body("A", 80))
    app = make_app(filled=False)
    with Store(db_path) as store:
        store.sync_feeds(DEFAULT_FEEDS, now=NOW)
        save_entries(store, TECH, [long_one])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        view = screen.entry_view
        assert view.show_vertical_scrollbar
        view.scroll_end(animate=False, immediate=True)  # the long article read to its end
        await pilot.press("h")  # the feed list (All unread): the article stays
        await frame(app)
        for key, scrolls, shown in [
            ("j", False, "No bookmarks yet"),  # Bookmarks
            ("j", True, "Paragraph 0 of A."),  # the tag "tech": its entry
            ("j", False, "tech.example/feed.xml"),  # Tech Daily: its status
        ]:
            with layouts() as done:
                await pilot.press(key)
                await until(pilot, lambda shown=shown: shown in "".join(s.text for s in drawn(app)))
                await frame(app)
            assert done == [], (key, done)
            assert view.show_vertical_scrollbar == scrolls == view.allow_vertical_scroll
            assert view.scroll_y == 0 and (scrolls or view.max_scroll_y == 0)
            assert drawn(app) == redrawn(app)
        await pilot.press("k")  # back to the tag: the long article, which scrolls again
        await until(pilot, lambda: view.shown_id is not None)
        await frame(app)
        assert view.allow_vertical_scroll  # what the wheel and scroll_down ask
        view.scroll_down(animate=False, immediate=True)
        await frame(app)
        assert view.scroll_y > 0
        assert drawn(app) == redrawn(app)


async def test_a_headline_list_that_starts_or_stops_scrolling_lays_nothing_out(
    make_app, db_path
) -> None:
    """Feed-list keys between an empty feed and one with more headlines than the pane (a new
    reader's first refresh fills feeds one by one): no layout, the list's own scroll bar drawn
    in its last two cells only while it overflows, and a click on the bar moves the list, not
    the cursor."""
    feeds = [*DEFAULT_FEEDS]
    app = make_app(feeds, filled=False)
    with Store(db_path) as store:
        store.sync_feeds(feeds, now=NOW)
        save_entries(store, TECH, [entry(i, TECH, hours_old=i) for i in range(90)])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        entries = screen.entry_list
        await pilot.press("h", "j", "j", "j")  # Bookmarks, tech, Tech Daily (90 headlines)
        await until(pilot, lambda: len(entries.ids) == 90)
        await frame(app)

        def bar_cells() -> set[str]:
            region = entries.content_region
            strips = drawn(app)
            return {strips[y].crop(region.right - 2, region.right).text for y in range(
                region.y, region.bottom)}

        assert bar_cells() != {"  "}  # the bar, drawn by the list
        for key, scrolls in [("j", False), ("k", True), ("j", False)]:  # Quiet Blog: empty
            with layouts() as done:
                await pilot.press(key)
                await until(pilot, lambda scrolls=scrolls: bool(entries.ids) == scrolls)
                await frame(app)
            assert done == [], (key, done)
            assert entries.show_vertical_scrollbar == scrolls
            assert (bar_cells() != {"  "}) == scrolls
            assert drawn(app) == redrawn(app)
        await pilot.press("k")  # Tech Daily again
        await until(pilot, lambda: len(entries.ids) == 90)
        await frame(app)
        cursor = entries.cursor
        region = entries.content_region
        await pilot.click(entries, offset=(region.width - 1, region.height - 2))  # the track
        await frame(app)
        assert entries.scroll_y > 0 and entries.cursor == cursor
        assert drawn(app) == redrawn(app)
