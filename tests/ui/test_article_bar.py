"""The article pane's scroll bar, drawn by the pane in its own lines (issue 11, `n` as fast
as Down): Textual's scrollbar widget cost ~2.5-3 ms of every new article's frame. It must
look and answer like the one it replaced: the thumb shows where in the article the pane is,
a click above or below it turns a page, and the thumb can be dragged."""

from __future__ import annotations

import pytest
from textual.scrollbar import ScrollBar

from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.entry_view import BAR_WIDTH, EntryView
from tests.support.wait import until

from .test_key_speed import long_app, started  # noqa: F401 (long_app: a fixture)


def thumb_rows(view: EntryView) -> list[int]:
    """The rows where the pane's last cells show the thumb (drawn reversed, as Textual's)."""
    rows = []
    for y in range(view.size.height):
        last = list(view.render_line(y))[-1]
        if last.text == " " * BAR_WIDTH and last.style is not None and last.style.reverse:
            rows.append(y)
    return rows


async def test_a_new_article_draws_its_bar_without_a_scrollbar_widget(
    long_app, monkeypatch  # noqa: F811
) -> None:
    app = long_app()
    drawn: list[object] = []
    original = ScrollBar.render

    def counting(self):
        drawn.append(self.parent)
        return original(self)

    monkeypatch.setattr(ScrollBar, "render", counting)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        view = screen.entry_view
        await pilot.press("n")
        await pilot.pause()
        drawn.clear()
        for key in ("n", "n", "escape", "down", "down"):
            await pilot.press(key)
            await pilot.pause()
            assert view.shown_id == screen.entry_list.current_id
            # The article is longer than the pane: its bar is in its lines, thumb at the top.
            assert view.render_line(0).cell_length == view.size.width
            rows = thumb_rows(view)
            assert rows and rows[0] == 0 and len(rows) < view.size.height
        assert view not in drawn


async def test_the_bar_follows_the_article_and_answers_the_mouse(long_app) -> None:  # noqa: F811
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        view = screen.entry_view
        await pilot.press("n")
        await pilot.pause()
        top = thumb_rows(view)
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        bottom = thumb_rows(view)
        assert bottom[-1] == view.size.height - 1 and bottom[0] > top[-1]
        # The pane's region includes its title bar (one row) and left border (one column).
        bar_x = view.region.width - 1
        await pilot.click(EntryView, offset=(bar_x, 1 + top[0]))  # above the thumb: a page up
        await pilot.pause()
        assert view.scroll_y == pytest.approx(view.max_scroll_y - view.size.height, abs=1)
        paged = view.scroll_y
        await pilot.click(EntryView, offset=(bar_x, view.size.height))  # below it: a page down
        await pilot.pause()
        assert view.scroll_y > paged
        # Dragging the thumb to the top scrolls to the top.
        rows = thumb_rows(view)
        await pilot.mouse_down(EntryView, offset=(bar_x, 1 + rows[0]))
        await pilot.hover(EntryView, offset=(bar_x, 1))
        await pilot.mouse_up(EntryView, offset=(bar_x, 1))
        await pilot.pause()
        assert view.scroll_y == 0
        assert thumb_rows(view) == top


async def test_a_drag_cut_short_by_a_new_screen_leaves_hovering_alone(long_app) -> None:  # noqa: F811
    """A drag on the bar ended by a screen on top (`?` pressed mid-drag: Textual takes the
    mouse back with no MouseUp): moving the mouse over the article afterwards scrolls nothing."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await started(pilot, screen)
        view = screen.entry_view
        await pilot.press("n")
        await until(pilot, lambda: view.max_scroll_y > 0)
        bar_x = view.region.width - 1  # the region includes the title bar and left border
        await pilot.mouse_down(EntryView, offset=(bar_x, 1 + thumb_rows(view)[0]))  # on the thumb
        assert view._grab is not None
        await pilot.press("question_mark")
        await until(pilot, lambda: app.screen is not screen)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        before = view.scroll_y
        await pilot.hover(EntryView, offset=(bar_x, view.size.height - 2))
        await pilot.pause()
        assert view.scroll_y == before
