"""Keys typed together (one read from the terminal: a fast typist, keys bunched over SSH, or
keys queued while the reader was busy) go where the first of them sends the focus. Textual's
`Widget.focus` moves it only after the messages already queued, so the key after `h` used to
move the pane `h` had just left; and a key comes back to the app for its bindings after the
widget it was handed to, so the letters after `/` ran as commands instead of being typed."""

from __future__ import annotations

from textual import events

from tests.ui.test_main_screen import main


def typed_together(app, *keys: tuple[str, str | None]) -> None:
    """`keys` (key, character) as the terminal driver hands them over in one read."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_the_key_after_h_moves_the_feed_list_not_the_headlines(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert app.focused is screen.entry_list and screen.feed_list.cursor == 0
        typed_together(app, ("h", "h"), ("down", None), ("down", None))
        await pilot.pause()
        assert app.focused is screen.feed_list
        assert screen.feed_list.cursor == 2
        assert screen.entry_list.cursor == 0
        typed_together(app, ("l", "l"), ("j", "j"))  # and back: j moves the headlines
        await pilot.pause()
        assert app.focused is screen.entry_list
        assert screen.entry_list.cursor == 1


async def test_the_letters_after_slash_are_typed_into_the_search(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        bookmarks = sum(feed.bookmarks for feed in screen.feeds.values())
        unread = sum(feed.unread for feed in screen.feeds.values())
        # b bookmarks and m marks read in the headlines: here they are letters of the query.
        typed_together(app, ("slash", "/"), *((c, c) for c in "bomb"))
        await pilot.pause()
        assert screen.searching.field.value == "bomb"
        assert app.focused is screen.searching.field
        assert sum(feed.bookmarks for feed in screen.feeds.values()) == bookmarks
        assert sum(feed.unread for feed in screen.feeds.values()) == unread
