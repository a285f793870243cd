"""What makes `n` and Down cheap (issue 11, "Speed at scale"), checked by what they do, not by
timing them: no whole-screen layout on the first `n`, the next article ready before its key,
and the read mark saved off the event loop without the lists being reloaded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.screen import Screen

from newstui.core.models import FeedSpec, ParsedEntry
from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from newstui.ui.screens.nav_actions import PREPARE_AFTER

from .conftest import NOW, TECH, save_entries

FEED = FeedSpec(TECH, title="Tech Daily", tags=("tech",))
ENTRIES = 60
"""More headlines than the list shows at 120x40: it has a scrollbar."""


def long_entry(n: int) -> ParsedEntry:
    paragraphs = "".join(
        f"<p>Paragraph {p} of entry {n}. {'Words go on. ' * 30}</p>" for p in range(8)
    )
    return ParsedEntry(
        guid=f"{TECH}#{n}",
        title=f"Long story {n}",
        link=f"https://tech.example/posts/{n}",
        author="A. Writer",
        published_at=NOW - timedelta(hours=n),
        content_html=f"<p>Marker M{n:03d}.</p>{paragraphs}",
    )


@pytest.fixture
def long_app(make_app, db_path):
    def build(**overrides):
        app = make_app([FEED], filled=False, **overrides)
        with Store(db_path) as store:
            store.sync_feeds([FEED], now=NOW)
            save_entries(store, TECH, [long_entry(i) for i in range(ENTRIES)])
        return app

    return build


def main(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Whole-screen layouts of the main screen from now on (one entry per layout)."""
    layouts: list[int] = []
    original = Screen._refresh_layout

    def counting(self, *args, **kwargs):
        if isinstance(self, MainScreen):
            layouts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return layouts


async def test_the_first_n_does_not_lay_out_the_whole_screen(long_app, monkeypatch) -> None:
    """The first `n` moves the focus to the article: Textual styled the panes' scrollbars
    only then, and their scrollbar-size rules re-laid out every pane (~100 ms at 2,000
    feeds). The focused pane must still stand out."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.entry_list.show_vertical_scrollbar  # the case that laid out
        assert screen.entry_view.show_vertical_scrollbar
        layouts = count_layouts(monkeypatch)
        await pilot.press("n")
        await pilot.pause()
        assert app.focused is screen.entry_view
        await pilot.press("n", "escape", "n")
        await pilot.pause()
        assert layouts == []
        lit = screen.entry_view.styles.border_title_background
        assert lit != screen.entry_list.styles.border_title_background


async def test_the_next_article_is_ready_before_its_key(long_app) -> None:
    """After `n` (or Down) the next article is converted and wrapped while the keys pause;
    its key then shows exactly those lines, and the pane shows the whole right entry."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        view = screen.entry_view
        await pilot.press("n")
        await pilot.pause(PREPARE_AFTER * 3)
        following = screen.entry_list.ids[1]
        assert (following, False) in screen.articles.cache
        prepared = dict(view._laid_out)
        await pilot.press("n")
        await pilot.pause()
        assert view.shown_id == following
        assert any(layout is view._shown for layout in prepared.values())
        text = "\n".join(strip.text for strip in view._strips)
        assert "Marker M001." in text and "Paragraph 7 of entry 1." in text
        # Down from the list: the row below is prepared the same way.
        await pilot.press("escape", "down")
        await pilot.pause(PREPARE_AFTER * 3)
        assert (screen.entry_list.ids[3], False) in screen.articles.cache
        await pilot.press("down")
        await pilot.pause()
        assert view.shown_id == screen.entry_list.ids[3]
        assert "Marker M003." in "\n".join(strip.text for strip in view._strips)
