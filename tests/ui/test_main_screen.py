"""Pilot tests: the real app, a real SQLite store, keys as a user presses them."""

from __future__ import annotations

import html

from newstui.core.models import FeedSpec, ParsedFeed
from newstui.core.views import View
from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets.entry_view import BAR_WIDTH
from tests.support.httpserver import Response
from tests.support.wait import settled, until, written
from tests.ui.conftest import DEFAULT_FEEDS, NOW, TECH, WORLD, entry, fill, save_entries

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Fresh</title>
<item><guid>fresh-1</guid><title>Fresh story one</title><link>https://fresh.example/1</link></item>
<item><guid>fresh-2</guid><title>Fresh story two</title><link>https://fresh.example/2</link></item>
</channel></rss>"""


def screen_text(app) -> str:
    """What the terminal shows, as plain text (from the compositor, like a screenshot)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def main(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


async def test_starts_on_all_unread_with_counts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.feed_list.current_view == View.unread()
        assert len(screen.entry_list.ids) == 9
        text = screen_text(app)
        assert "All unread" in text and "9" in text
        assert "Tech Daily" in text and "World Report" in text
        # newest first: the tech entry published right now
        assert "Headline 0 of tech.example" in text
        assert "15:30" in text  # today's entries show the time


async def test_navigation_open_marks_read_and_toggle(make_app, db_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("j", "j", "k")
        assert screen.entry_list.cursor == 1
        chosen = screen.entry_list.current_id
        await pilot.press("enter")
        assert screen.entry_view.shown_id == chosen
        assert app.focused is screen.entry_view
        await written(pilot)  # by the write thread, once the article's frame is drawn
        with Store(db_path) as other:
            [row] = other.headlines([chosen])
            assert row.read
        await pilot.press("m")  # toggle back to unread from the article
        await pilot.press("j", "b")  # and bookmark another one
        await written(pilot)
        with Store(db_path) as other:
            assert not other.headlines([chosen])[0].read
            # the counts shown (adjusted per key, not re-counted) match the store's
            stored = {f.url: (f.unread, f.bookmarks) for f in other.feeds()}
        assert {u: (f.unread, f.bookmarks) for u, f in screen.feeds.items()} == stored
        assert sum(b for _, b in stored.values()) == 1
        await pilot.press("G")  # in the article: scroll, list cursor unchanged
        assert screen.entry_list.cursor == 1
        await pilot.press("escape", "G")
        assert screen.entry_list.cursor == len(screen.entry_list.ids) - 1
        await pilot.press("g")
        assert screen.entry_list.cursor == 0


async def test_bookmark_and_bookmarks_view(make_app, db_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("j")
        chosen = screen.entry_list.current_id
        await pilot.press("b")
        await pilot.press("B")
        assert screen.feed_list.current_view == View.bookmarks()
        assert list(screen.entry_list.ids) == [chosen]
        assert "★" in screen_text(app)
        await pilot.press("ctrl+b")  # newsboat's key toggles it off again
        await written(pilot)
        with Store(db_path) as other:
            assert not other.headlines([chosen])[0].bookmarked


async def test_mark_all_read_then_undo(make_app, db_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("A")
        await written(pilot)
        with Store(db_path) as other:
            assert sum(f.unread for f in other.feeds()) == 0
        assert any("u to undo" in n.message for n in app._notifications)
        await pilot.press("u")
        await written(pilot)
        with Store(db_path) as other:
            assert sum(f.unread for f in other.feeds()) == 9
        assert screen.feeds[TECH].unread == 5


async def test_next_unread_goes_across_feeds(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        screen.select_view(View.feed(WORLD, "news"))
        await pilot.pause()
        for _ in range(4):
            await pilot.press("n")
        assert screen.feeds[WORLD].unread == 0
        await pilot.press("n")  # the world feed is done: on to the next feed with unread
        current = screen.feed_list.current_view
        assert current is not None and current.kind == "feed" and current.key == TECH
        assert screen.feeds[TECH].unread == 4


async def test_refresh_with_an_erroring_feed(make_app, http_server) -> None:
    good = http_server.route(
        "/good.xml", Response(200, {"content-type": "application/rss+xml"}, RSS)
    )
    bad = http_server.route("/gone.xml", Response(404, {}, b"nope"))
    feeds = [FeedSpec(good, title="Good Feed"), FeedSpec(bad, title="Gone Feed")]
    app = make_app(feeds, filled=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("R")
        await settled(pilot)
        assert screen.feeds[good].unread == 2
        assert "404" in (screen.feeds[bad].last_error or "")
        assert len(screen.entry_list.ids) == 2  # the open "All unread" view got the new entries
        assert any("Gone Feed" in n.message for n in app._notifications)
        await pilot.press("h")  # to the feed list, then down to the failing feed
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert screen.feed_list.current_view == View.feed(bad, "Untagged")
        text = screen_text(app)
        assert "!" in text and "Last refresh failed: HTTP 404" in text


async def test_new_entries_keep_the_selection(make_app, db_path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("j", "j")
        chosen = screen.entry_list.current_id
        with Store(db_path) as other:  # a cron refresh in another process adds entries
            other.save_fetch(
                TECH,
                ParsedFeed(
                    "rss20", entries=tuple(entry(100 + i, TECH, hours_old=-0.1) for i in range(3))
                ),
                now=NOW,
                etag=None,
                last_modified=None,
                body_hash=None,
                next_due_at=NOW,
            )
        screen.reload_feeds()
        screen.reload_entries()
        await pilot.pause()
        assert screen.entry_list.current_id == chosen
        assert len(screen.entry_list.ids) == 12


async def test_state_survives_restart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "escape", "j", "b", "q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running  # q quits
    reopened = make_app(filled=False)
    async with reopened.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(reopened)
        assert sum(f.unread for f in screen.feeds.values()) == 8
        assert sum(f.bookmarks for f in screen.feeds.values()) == 1


async def test_markup_in_feed_text_is_shown_literally(make_app, db_path) -> None:
    hostile = [
        "[@click=app.quit]click me[/]",
        "[WIP] work in progress",
        "foo [/bar",
        "[b]not bold[/b] \x1b]52;c;aGk=\x07 done",
    ]
    feeds = [FeedSpec(TECH, title="[red]Feed[/red] [/", tags=("[x]",))]
    app = make_app(feeds, filled=False)
    store = app.store
    store.sync_feeds(feeds, now=NOW)
    from newstui.feeds.parse import parse_feed

    items = "".join(
        f"<item><guid>{i}</guid><title>{html.escape(t)}</title></item>"
        for i, t in enumerate(hostile)
    )
    body = f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode()
    parsed: ParsedFeed = parse_feed(TECH, body, {}, now=NOW)
    store.save_fetch(
        TECH, parsed, now=NOW, etag=None, last_modified=None, body_hash=None, next_due_at=NOW
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#entries", offset=(20, 0))
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running  # nothing quit the app
        text = screen_text(app)
        assert "[@click=app.quit]click" in text
        assert "[WIP] work" in text
        assert "foo [/bar" in text
        assert "[red]Feed[/red] [/" in text
        assert "\x1b" not in text and "52;c;" not in text


async def test_narrow_terminal_opens_article_full_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert not screen.entry_view.display or screen.entry_view.region.width == 0
        await pilot.press("enter")
        await pilot.pause()
        assert screen.entry_view.region.width >= 78
        assert screen.entry_list.region.width == 0
        await pilot.press("escape")
        await pilot.pause()
        assert screen.entry_list.region.width > 40
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert screen.entry_view.region.width > 0 and screen.entry_list.region.width > 0


async def test_h_leaves_the_full_screen_article_at_80_columns(make_app) -> None:
    """h goes back to the headline list as it moves left in the wide layout (it did nothing:
    the full-screen article was the only pane), and on to the feed list; l goes back the same
    way, into the article (from the headlines it did nothing)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.entry_view.region.width >= 78
        await pilot.press("h")
        await pilot.pause()
        assert screen.entry_list.region.width > 40
        assert app.focused is screen.entry_list
        await pilot.press("h")
        await pilot.pause()
        assert app.focused is screen.feed_list
        await pilot.press("l", "l")  # and l back: to the headlines, then into the article
        await pilot.pause()
        assert screen.entry_view.region.width >= 78
        assert app.focused is screen.entry_view


async def test_help_lists_live_keys(make_app) -> None:
    app = make_app(keymap={"entry.toggle-read": "x"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        [row] = [line for line in text.splitlines() if "entry.toggle-read" in line]
        assert row.split()[1] == "x"  # the user's key, not the default m
        assert "Toggle the entry read" in row
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_copy_link_and_open_only_web_links(make_app, opened) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("y")
        assert app.clipboard == "https://tech.example/posts/0"
        await pilot.press("o")
        assert opened == ["https://tech.example/posts/0"]
        app.open_link("javascript:alert(1)")
        assert opened == ["https://tech.example/posts/0"]


def test_fill_is_deterministic(tmp_path) -> None:
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        fill(a)
        fill(b)
        assert [e.title for e in a.entries()] == [e.title for e in b.entries()]


async def test_numbered_links_and_link_list(make_app, opened) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        assert "a link[1]" in screen_text(app)
        await pilot.press("1")
        assert opened == ["https://tech.example/x"]  # resolved against the entry's link
        await pilot.press("2")  # there is no link 2: nothing opens
        assert opened == ["https://tech.example/x"]
        await pilot.press("L")
        await pilot.pause()
        assert "[1] https://tech.example/x" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert opened == ["https://tech.example/x"] * 2
        assert isinstance(app.screen, MainScreen)


async def test_reader_mode_toggles_and_survives_restart(make_app, http_server) -> None:
    from pathlib import Path

    page = (Path(__file__).parents[1] / "data" / "pages" / "boilerplate.html").read_bytes()
    url = http_server.route("/story", Response(200, {"content-type": "text/html"}, page))
    # The page is on loopback, the feed elsewhere: only allow_private_links lets `f` reach it.
    feeds = [FeedSpec(TECH, title="Tech Daily", allow_private_links=True)]
    app = make_app(feeds, filled=False)
    from newstui.core.models import ParsedEntry, ParsedFeed

    app.store.sync_feeds(feeds, now=NOW)
    app.store.save_fetch(
        TECH,
        ParsedFeed(
            "rss20",
            entries=(
                ParsedEntry("s", "Ferry story", link=url, summary_html="<p>Teaser only.</p>"),
            ),
        ),
        now=NOW,
        etag=None,
        last_modified=None,
        body_hash=None,
        next_due_at=NOW,
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "Varnhamn" in screen_text(app))
        assert "Teaser only." not in screen_text(app)
        await pilot.press("f")  # back to the feed's own text
        await pilot.pause()
        assert "Teaser only." in screen_text(app)
        await written(pilot)  # the read mark, which the next run goes by
    http_server.routes.clear()  # offline: the page comes from the store
    again = make_app(feeds, filled=False)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")  # the entry is read now: go to its feed
        await pilot.press("enter", "f")
        await until(pilot, lambda: "Varnhamn" in screen_text(again))
    assert len(http_server.requests_to("/story")) == 1


async def test_article_scroll_extent_follows_each_article(make_app, db_path) -> None:
    """Moving between long and short articles: End reaches each one's own last line, and a
    short one has no scrollbar (the pane's size is updated without re-laying out the screen)."""
    import dataclasses

    def body(name: str, paragraphs: int) -> str:
        return "".join(f"<p>Paragraph {i} of {name}.</p>" for i in range(paragraphs))

    bodies = [body("A", 60), body("B", 150), body("D", 90), "<p>Short body.</p>"]
    entries = tuple(
        dataclasses.replace(entry(n, TECH, hours_old=n), content_html=html_body)
        for n, html_body in enumerate(bodies)
    )
    app = make_app(filled=False)
    with Store(db_path) as store:
        store.sync_feeds(DEFAULT_FEEDS, now=NOW)
        save_entries(store, TECH, entries)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = main(app)
        view = screen.entry_view
        for key, last_line in [
            (None, "Paragraph 59 of A."),
            ("j", "Paragraph 149 of B."),  # long after long: no screen layout needed
            ("j", "Paragraph 89 of D."),
            ("j", "Short body."),  # the scrollbar goes
            ("k", "Paragraph 89 of D."),  # and comes back
            ("k", "Paragraph 149 of B."),
        ]:
            if key:
                await pilot.press(key)
            await pilot.pause()
            view.scroll_end(animate=False, immediate=True)
            await pilot.pause()
            text = screen_text(app)
            assert last_line in text, (key, last_line)
            assert view.scroll_y == view.max_scroll_y
            assert view.show_vertical_scrollbar == (last_line != "Short body.")
            # Wrapped for the width it is shown in: none of it hidden under the scroll bar
            # (which the pane draws in the last cells of its lines).
            bar = BAR_WIDTH if view.show_vertical_scrollbar else 0
            assert view._strips[0].cell_length + bar == view.scrollable_content_region.width
            assert view.render_line(0).cell_length == view.scrollable_content_region.width


async def test_list_grown_by_a_refresh_scrolls_to_its_new_end(make_app, db_path) -> None:
    """Entries added while the list is shown (a refresh) extend it: End reaches the new last
    row, with no re-layout of the screen needed for that."""

    def save(entries: list) -> None:
        with Store(db_path) as store:
            store.sync_feeds(DEFAULT_FEEDS, now=NOW)
            save_entries(store, TECH, entries)

    first = [entry(n, TECH, hours_old=n) for n in range(60)]
    app = make_app(filled=False)
    save(first)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = main(app)
        save(first + [entry(n, TECH, hours_old=n) for n in range(60, 90)])
        screen.reload_entries()
        await pilot.pause()
        assert len(screen.entry_list.ids) == 90
        screen.action_move_to_edge(1)
        await pilot.pause()
        assert screen.entry_list.cursor == 89
        assert "Headline 89 of tech.example" in screen_text(app)
        assert screen.entry_list.scroll_y == screen.entry_list.max_scroll_y


async def test_a_refresh_that_cannot_write_says_why(make_app, http_server, db_path, monkeypatch):
    """Another program holds the database's write lock: the refresh stops with one clear
    message naming the problem, and the reader keeps working."""
    import newstui.store._store
    from newstui.ui.screens import refreshing
    from tests.support.dblock import write_lock

    monkeypatch.setattr(newstui.store._store, "BUSY_TIMEOUT_SECONDS", 0.1)
    # ...in the refresh process too (it waited the default 30 s for the lock: 31 s a run)
    entry = "from newstui.feeds.refresh_child import main"
    assert entry in refreshing.BOOT
    short = "import newstui.store._store as s; s.BUSY_TIMEOUT_SECONDS = 0.1; "
    monkeypatch.setattr(refreshing, "BOOT", refreshing.BOOT.replace(entry, short + entry))
    good = http_server.route(
        "/good.xml", Response(200, {"content-type": "application/rss+xml"}, RSS)
    )
    app = make_app([FeedSpec(good, title="Good Feed")], filled=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        with write_lock(db_path):
            await pilot.press("R")
            await settled(pilot)
        messages = [n.message for n in app._notifications]
        assert any(
            m.startswith("Refresh stopped: ") and "locked by another program" in m
            for m in messages
        ), messages
        assert not any("Something went wrong" in m for m in messages)
        assert not main(app).refresher.running
