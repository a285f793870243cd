"""The counts a key press changes are updated in place (not re-counted): they must stay the
store's, in every row that shows one, while `n`, `m` and `b` change a few entries."""

from __future__ import annotations

from newstui.core.models import FeedSpec
from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.feed_list import build_rows
from tests.support.wait import written

from .conftest import EMPTY, TECH, WORLD

# Tech Daily under two tags: its count is shown twice, and in both tags' rows.
FEEDS = [
    FeedSpec(TECH, title="Tech Daily", tags=("tech", "news")),
    FeedSpec(WORLD, title="World Report", tags=("news",)),
    FeedSpec(EMPTY, title="Quiet Blog"),
]


def shown_counts(screen: MainScreen) -> list[tuple[str, int]]:
    return [(row.label, row.unread) for row in screen.feed_list.rows]


def stored_counts(screen: MainScreen, db_path) -> list[tuple[str, int]]:
    """The rows a full re-count of the store gives."""
    with Store(db_path) as other:
        feeds = other.feeds()
    rows = build_rows(
        feeds,
        unread_total=sum(f.unread for f in feeds),
        bookmarks=sum(f.bookmarks for f in feeds),
        saved=[(name, screen.saved_counts.get(name)) for name in screen.queries.saved],
    )
    return [(row.label, row.unread) for row in rows]


async def test_next_unread_marks_read_and_every_count_follows(make_app, db_path) -> None:
    app = make_app(FEEDS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = dict(shown_counts(screen))
        opened = []
        for _ in range(3):
            await pilot.press("n")
            opened.append(screen.opened_id)
        assert len(set(opened)) == 3
        await written(pilot)
        with Store(db_path) as other:
            assert all(row.read for row in other.headlines(opened))
        # each opened entry is drawn as read in the headline list, from the row kept there
        ids = screen.entry_list.ids
        assert all(screen.entry_list.headline(ids.index(i)).read for i in opened)
        assert shown_counts(screen) == stored_counts(screen, db_path)
        assert dict(shown_counts(screen))["All unread"] == before["All unread"] - 3
        await pilot.press("m", "b")  # the open one unread again, and bookmarked
        await written(pilot)
        assert shown_counts(screen) == stored_counts(screen, db_path)
        assert dict(shown_counts(screen))["Bookmarks"] == 1
