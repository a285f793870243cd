"""Keys while a refresh delivers (issue 11, defect 1): a feed-list key and a refresh's reload of
the lists draw again only the lines that changed, and what is on screen is still exactly what a
full redraw would show. Checked by what is drawn, never by timing it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from textual.strip import Strip
from textual.widget import Widget

from newstui.core.models import FeedSpec
from newstui.core.views import View
from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from newstui.ui.screens.refreshing import RefreshController
from newstui.ui.widgets import status_line
from newstui.ui.widgets.entry_list import EntryList
from newstui.ui.widgets.entry_view import EntryView
from newstui.ui.widgets.feed_list import FeedList
from newstui.ui.widgets.status_line import StatusLine
from tests.ui.test_key_speed import started, until

from .conftest import NOW, TECH, WORLD, entry, save_entries


def main(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def drawn(app) -> list[Strip]:
    """The screen as the frames so far left it (each widget's lines as last drawn)."""
    return list(app.screen._compositor.render_strips())


def redrawn(app) -> list[Strip]:
    """The screen drawn from scratch: every widget's every line drawn again now."""
    for widget in app.screen.walk_children(with_self=True):
        widget._styles_cache.clear()
    return drawn(app)


@contextmanager
def lines_drawn(*widgets: type[Widget]) -> Iterator[dict[str, int]]:
    """How many lines each of these widgets draws meanwhile, by class name."""
    counts = {cls.__name__: 0 for cls in widgets}
    with pytest.MonkeyPatch.context() as patch:
        for cls in widgets:
            original = cls.render_line

            def counting(self, y, original=original, name=cls.__name__):
                counts[name] += 1
                return original(self, y)

            patch.setattr(cls, "render_line", counting)
        yield counts


async def frame(app) -> None:
    """The screen's next frame has been drawn (or there was nothing to draw)."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await asyncio.wait_for(done.wait(), 10)


async def test_a_feed_list_key_redraws_only_the_article_lines_that_change(make_app) -> None:
    """Down from one feed to the next shows the next feed's status: a few lines differ, the
    ~38 others of the pane are the same and are not drawn again."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        await pilot.press("h", "j", "j", "j")  # All unread -> Bookmarks -> tech -> Tech Daily
        await until(pilot, lambda: screen.entry_view.shown_source is screen.feeds[TECH])
        await frame(app)
        with lines_drawn(EntryView) as counts:
            await pilot.press("j")  # Quiet Blog
            await until(pilot, lambda: screen.entry_view.shown_source is not screen.feeds[TECH])
            await frame(app)
        assert 0 < counts["EntryView"] < screen.entry_view.size.height // 2, counts
        assert "quiet.example/atom.xml" in "".join(s.text for s in drawn(app))
        assert drawn(app) == redrawn(app)


async def test_keys_between_empty_feeds_do_not_redraw_the_empty_headline_list(make_app) -> None:
    """A new reader (nothing fetched yet): each feed's headline list is empty with the same
    message, so a key in the feed list draws none of its lines; a view with another message
    (Bookmarks) still shows its own."""
    feeds = [FeedSpec(f"https://f{i}.example/feed.xml", title=f"Feed {i}") for i in range(4)]
    app = make_app(feeds, filled=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await pilot.press("j")  # Bookmarks
        await until(pilot, lambda: "No bookmarks yet" in "".join(s.text for s in drawn(app)))
        await pilot.press("j")  # Feed 0
        await until(pilot, lambda: "No entries yet" in "".join(s.text for s in drawn(app)))
        await frame(app)
        with lines_drawn(EntryList) as counts:
            await pilot.press("j", "j")  # Feed 1, Feed 2
            await until(pilot, lambda: screen.entry_view.shown_source is screen.feeds[feeds[2].url])
            await frame(app)
        assert counts["EntryList"] == 0
        text = "".join(s.text for s in drawn(app))
        assert "No entries yet" in text and "f2.example/feed.xml" in text
        assert drawn(app) == redrawn(app)
        await pilot.press("k", "k", "k")  # back to Bookmarks: its own message
        await until(pilot, lambda: "No bookmarks yet" in "".join(s.text for s in drawn(app)))
        assert drawn(app) == redrawn(app)


async def reload(app, pilot) -> None:
    """A refresh's `Changed`: the lists are read again from the store, and shown."""
    screen = main(app)
    done: list[int] = []
    original = screen.reload_in_background

    async def reloaded() -> None:
        await original()
        done.append(1)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(screen, "reload_in_background", reloaded)
        screen.post_message(RefreshController.Changed())
        await until(pilot, lambda: done)
        await frame(app)


async def test_a_reload_redraws_only_the_feed_rows_whose_counts_changed(make_app, db_path) -> None:
    """A refresh brings two entries to one feed: its row, its tag's and All unread show the
    new counts; the other rows are not drawn again."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        before = {row.label: row.unread for row in screen.feed_list.rows}
        with Store(db_path) as store:
            save_entries(store, WORLD, [entry(i, WORLD, hours_old=200 + i) for i in (10, 11)])
        with lines_drawn(FeedList) as counts:
            await reload(app, pilot)
        after = {row.label: row.unread for row in screen.feed_list.rows}
        assert after == {
            **before,
            "All unread": before["All unread"] + 2,
            "news": before["news"] + 2,
            "World Report": before["World Report"] + 2,
        }
        assert counts["FeedList"] == 3, counts
        text = "\n".join(s.text for s in drawn(app))
        assert f"{before['World Report'] + 2}" in text.split("World Report")[1].split("\n")[0]
        assert drawn(app) == redrawn(app)


async def test_a_reload_redraws_only_the_headlines_that_changed(make_app, db_path) -> None:
    """A refresh renames one entry on screen: that line shows the new title, the others are
    not drawn again; one that brings a new entry shows it, the selected entry kept."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        selected = screen.entry_list.current_id
        renamed = dataclasses.replace(entry(2, TECH, hours_old=14), title="A corrected title")
        with Store(db_path) as store:
            save_entries(store, TECH, [renamed])
        with lines_drawn(EntryList) as counts:
            await reload(app, pilot)
        assert counts["EntryList"] == 1, counts
        assert "A corrected title" in "".join(s.text for s in drawn(app))
        assert drawn(app) == redrawn(app)
        with Store(db_path) as store:
            save_entries(store, TECH, [entry(9, TECH, hours_old=0.5, title="Just in")])
        await reload(app, pilot)
        assert screen.entry_list.current_id == selected
        assert "Just in" in "".join(s.text for s in drawn(app))
        assert drawn(app) == redrawn(app)


async def test_a_row_loaded_by_a_look_ahead_is_still_redrawn_by_a_reload(
    make_app, db_path
) -> None:
    """`n`'s look-ahead loads a window of rows from the store, rows on screen among them,
    without drawing their lines: a reload compares with what the lines show, so a row renamed
    before that load still gets its line drawn again (found by review10)."""
    feeds = [FeedSpec(TECH, title="Tech Daily", tags=("tech",))]
    app = make_app(feeds, filled=False, show_read=True)
    app.store.sync_feeds(feeds, now=NOW)
    save_entries(app.store, TECH, [entry(i, TECH, hours_old=i) for i in range(120)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        screen.select_view(View.feed(TECH, "tech"))
        screen.entry_list.focus()
        await frame(app)
        height = screen.entry_list.size.height
        ids = screen.entry_list.ids
        # Every row on screen read but the first two: the second `n` goes to row 1, and its
        # look-ahead walks past the pane's end (rows there not kept after a partial reload).
        with Store(db_path) as other:
            other.set_read(ids[2 : height + 5], True, now=NOW)
        await reload(app, pilot)  # partial: only the rows on screen are kept
        await pilot.press("n")  # opens row 0 (the focus goes to the article)
        await frame(app)
        assert drawn(app) == redrawn(app)
        renamed = dataclasses.replace(entry(5, TECH, hours_old=5), title="A corrected title")
        with Store(db_path) as other:
            save_entries(other, TECH, [renamed])  # the refresh process writes it
        await pilot.press("n")  # row 1; the look-ahead loads rows 0-199 (row 5 renamed)
        await frame(app)
        assert screen.entry_list.cursor == 1
        await reload(app, pilot)  # the refresh's reload
        assert "A corrected title" in "".join(s.text for s in drawn(app))
        assert drawn(app) == redrawn(app)


async def test_the_refresh_progress_is_shown_at_a_bounded_rate(make_app, monkeypatch) -> None:
    """A refresh reports every feed; the status line shows the first report at once, then
    only the newest one when its SOON_EVERY is over (not a frame per feed), always ending on
    the last; and once the refresh has ended, a report still waiting is not shown. The
    timer's end is fired by hand, so the test does not depend on how fast the host is."""
    monkeypatch.setattr(status_line, "SOON_EVERY", 3600.0)  # never over by itself
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        status = screen.status
        shown: list[str] = []
        original = StatusLine.show

        def show(self, **parts):
            original(self, **parts)
            shown.append(self.activity)

        def time_is_over() -> None:
            timer = status._soon_timer
            assert timer is not None
            timer.stop()
            status._soon_due()

        monkeypatch.setattr(StatusLine, "show", show)
        for done in range(40):  # one report at a time, as the refresh process sends them
            screen.post_message(RefreshController.Progress(f"Refreshing {done}/40"))
            text = f"Refreshing {done}/40"
            await until(pilot, lambda text=text: text in (status._soon, status.activity))
        assert status._soon == "Refreshing 39/40"
        assert shown == ["Refreshing 0/40"]  # the other 39 wait; only the newest is kept
        time_is_over()
        assert shown == ["Refreshing 0/40", "Refreshing 39/40"]
        time_is_over()  # nothing new came: nothing drawn, and the next report shows at once
        assert status._soon_timer is None and len(shown) == 2
        status.show_soon("Refreshing 1/3")  # shown at once
        status.show_soon("Refreshing 2/3")  # waits for its turn
        assert status.activity == "Refreshing 1/3"
        screen.status_update("Last refresh 15:30")  # the refresh ended meanwhile
        time_is_over()  # its turn came
        await frame(app)
        assert status.activity == "Last refresh 15:30"
        assert "Last refresh 15:30" in drawn(app)[0].text
