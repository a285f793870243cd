"""`/` in the reader: results as you type, marked matches, Escape back; saved views."""

from __future__ import annotations

import dataclasses

from newstui.core.config_search import SavedView
from newstui.core.query import parse_query
from newstui.core.views import View
from newstui.store import Store
from tests.support.wait import settled, until, written
from tests.ui.conftest import WORLD
from tests.ui.test_main_screen import main, screen_text


async def _settle(app, pilot) -> None:
    searching = main(app).searching
    await until(pilot, lambda: searching.query == searching.field.value)  # typing paused
    await settled(pilot)


async def test_slash_searches_as_you_type_and_escape_goes_back(make_app, db_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("j", "j")
        before = screen.entry_list.current_id
        await pilot.press("slash")
        assert app.focused is screen.searching.field
        await pilot.press(*"world")
        assert screen.searching.field.value == "world"  # every key reached the field at once
        await _settle(app, pilot)

        assert screen.searching.active
        with Store(db_path) as other:
            found = {e.guid for e in other.entries_by_id(screen.entry_list.ids)}
        assert found == {f"{WORLD}#{i}" for i in range(4)}
        assert "Headline 0 of world.example" in screen_text(app)
        marker = screen.entry_list.marker
        assert marker is not None and list(marker("Headline 0 of world.example")) == [(14, 19)]

        # Results are a view like any other: open, toggle read, bookmark.
        await pilot.press("enter")
        assert app.focused is screen.entry_list
        first = screen.entry_list.current_id
        await pilot.press("b")
        await written(pilot)
        with Store(db_path) as other:
            [row] = other.headlines([first])
            assert row.bookmarked
        await pilot.press("enter")  # open it: the article marks the matched word too
        assert screen.entry_view.shown_id == first
        assert screen.entry_view.marker is not None

        await pilot.press("escape", "escape")  # the article, then the search
        assert not screen.searching.active
        assert screen.feed_list.current_view == View.unread()
        assert screen.entry_list.current_id == before
        assert screen.entry_list.marker is None and screen.entry_view.marker is None


async def test_a_bad_query_says_what_is_wrong(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("slash", *'"world')
        await _settle(app, pilot)
        assert list(screen.entry_list.ids) == []
        assert "Query: column 1: unclosed quote" in screen_text(app)
        await pilot.press("escape")
        assert screen.feed_list.current_view == View.unread()
        assert len(screen.entry_list.ids) == 9


async def test_saved_views_are_listed_with_unread_counts(make_app) -> None:
    app = make_app()
    view = SavedView("World news", "world", parse_query("world"))
    app.config = dataclasses.replace(app.config, views=(view,))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await settled(pilot)
        screen = main(app)
        assert screen.saved_counts == {"World news": 4}
        rows = screen.feed_list.views
        assert rows[:3] == [View.unread(), View.bookmarks(), View.saved("World news")]
        screen.feed_list.focus()
        await pilot.press("j", "j")
        await settled(pilot)
        assert len(screen.entry_list.ids) == 4
        await pilot.press("tab", "enter")  # read one: the count follows
        await written(pilot)
        screen.reload_entries()
        await screen.reload_in_background()
        assert screen.saved_counts == {"World news": 3}


async def test_the_closed_search_field_never_takes_a_key_typed_at_launch(
    make_app, monkeypatch
) -> None:
    """Hidden, the field was still the first focusable widget: Textual focused it while the
    reader started, and an R typed at launch became a search for "R" ("No entries match."
    and no refresh). Closed, it can never have the focus; `/` still gives it, Escape takes it."""
    from newstui.ui.screens import searching

    focused_at: list[bool] = []
    monkeypatch.setattr(
        searching.SearchField,
        "on_focus",
        lambda self, event=None: focused_at.append(self.has_class("-open")),
        raising=False,
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert focused_at == []  # not during start-up
        screen.searching.field.focus()
        await pilot.pause()
        assert app.focused is not screen.searching.field
        await pilot.press("slash")
        assert app.focused is screen.searching.field
        assert focused_at == [True]
        await pilot.press("escape")
        assert app.focused is screen.entry_list
        screen.searching.field.focus()
        await pilot.pause()
        assert app.focused is screen.entry_list
