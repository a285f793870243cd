"""Pilot tests of the reader's a / d / e: subscribing, removing and editing from the TUI.

The app runs on a real feeds.toml (the hand-kept fixture of tests/test_config_writer.py) and a
real SQLite file; feeds and pages are served from 127.0.0.1. Every dialog must leave the file
byte-identical outside the feed's own block.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from newstui.core.config import load_config
from newstui.core.views import View
from newstui.store import Store
from newstui.ui.app import NewsApp
from newstui.ui.screens.help import HelpScreen, binding_rows
from newstui.ui.screens.main import MainScreen
from newstui.ui.screens.subscriptions import (
    AddFeedDialog,
    ConfirmRemoveDialog,
    EditFeedDialog,
)
from tests.support.httpserver import HTTPServer, Response
from tests.support.wait import until
from tests.test_config_writer import BETA, GAMMA_TAIL, UNUSUAL
from tests.ui.conftest import clock

RSS = {"Content-Type": "application/rss+xml"}
ALPHA = "https://blog.example.org/feed.xml"
BETA_URL = "https://beta.example.net/rss"


def rss(title: str, *ids: str) -> bytes:
    items = "".join(f"<item><guid>{i}</guid><title>Story {i}</title></item>" for i in ids)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}'
        "</channel></rss>"
    ).encode()


def build(tmp_path: Path, keymap: dict[str, str] | None = None) -> tuple[NewsApp, Path, str]:
    """The app on a copy of the unusual feeds.toml (parse on a thread: no process pool)."""
    path = tmp_path / "feeds.toml"
    text = UNUSUAL.read_text().replace("[settings]\n", "[settings]\nparse_workers = 1\n", 1)
    path.write_text(text)
    config = load_config(path)
    settings = dataclasses.replace(config.settings, refresh_on_start=False, auto_refresh=False)
    config = dataclasses.replace(config, settings=settings, keymap=keymap or {})
    store = Store(tmp_path / "newstui.db")
    return NewsApp(config, store, tmp_path / "newstui.db", clock=clock), path, text


def main(app: NewsApp) -> MainScreen:
    screen = app.screen_stack[1]
    assert isinstance(screen, MainScreen)
    return screen


async def test_a_adds_a_feed_with_title_and_tags_and_fetches_it(
    http_server: HTTPServer, tmp_path: Path
) -> None:
    url = http_server.route("/new.xml", Response(200, RSS, rss("Fresh", "f1", "f2")))
    app, path, original = build(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AddFeedDialog)
        dialog.query_one("#add-title").value = "Fresh news"
        dialog.query_one("#add-tags").value = "news, long reads"
        dialog.query_one("#add-url").value = url
        dialog.query_one("#add-url").focus()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, AddFeedDialog))
        screen = main(app)
        await until(pilot, lambda: not screen.refresher.running and url in screen.feeds)
        await until(pilot, lambda: screen.feeds[url].total == 2)
        assert screen.feed_list.current_view == View.feed(url, "news")
    at = original.index(GAMMA_TAIL) + len(GAMMA_TAIL)
    block = f'\n[[feeds]]\nurl = "{url}"\ntitle = "Fresh news"\ntags = ["news", "long reads"]\n'
    assert path.read_text() == original[:at] + block + original[at:]


async def test_a_lists_several_feeds_and_shows_problems_in_the_dialog(
    http_server: HTTPServer, tmp_path: Path
) -> None:
    head = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="{n}" href="/{n}.xml">'
        for n in ("posts", "comments")
    )
    page = http_server.route(
        "/", Response(200, {"Content-Type": "text/html"}, f"<html><head>{head}</head>".encode())
    )
    http_server.route("/posts.xml", Response(200, RSS, rss("Posts", "p")))
    comments = http_server.route("/comments.xml", Response(200, RSS, rss("Comments", "c")))
    app, path, original = build(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        dialog = app.screen
        url_input = dialog.query_one("#add-url")
        url_input.value = "ftp://nowhere"
        await pilot.press("enter")
        message = dialog.query_one("#add-message")
        assert "Type a web address" in str(message.render())
        url_input.value = BETA_URL.replace("https", "http")
        await pilot.press("enter")
        assert "Already subscribed" in str(message.render())
        assert path.read_text() == original

        url_input.value = page
        await pilot.press("enter")
        options = dialog.query_one("#add-candidates")
        await until(pilot, lambda: options.option_count == 2)
        assert app.focused is options
        assert "2 feeds linked in the page's head" in str(message.render())
        await pilot.press("down", "enter")
        await until(pilot, lambda: not isinstance(app.screen, AddFeedDialog))
    assert [s.url for s in load_config(path).feeds][-1] == comments


async def test_d_asks_then_removes_only_that_feed(tmp_path: Path) -> None:
    app, path, original = build(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        screen.select_view(View.feed(BETA_URL, "news"))
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmRemoveDialog)
        await pilot.press("n")
        assert path.read_text() == original
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmRemoveDialog)
        await pilot.press("y")
        await until(pilot, lambda: BETA_URL not in screen.feeds)
        assert BETA_URL not in {s.url for s in screen.config.feeds}
    assert path.read_text() == original.replace(BETA, "", 1)


async def test_e_edits_title_and_tags_in_place(tmp_path: Path) -> None:
    app, path, original = build(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        screen.select_view(View.feed(ALPHA, "blogs"))
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, EditFeedDialog)
        assert dialog.query_one("#edit-tags").value == "blogs, friends"
        dialog.query_one("#edit-title").value = "Alpha"
        dialog.query_one("#edit-tags").value = "blogs"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, EditFeedDialog))
        await until(pilot, lambda: screen.feeds[ALPHA].title == "Alpha")
    assert path.read_text() == original.replace(
        'title = "Alpha \\u00e9t\\u00e9"\ntags = [ "blogs",   "friends" ]  # odd array spacing',
        'title = "Alpha"\ntags = ["blogs"]  # odd array spacing',
    )


async def test_the_keys_are_listed_in_help_and_can_be_remapped(tmp_path: Path) -> None:
    app, _, _ = build(tmp_path, keymap={"feed.add": "plus", "feed.edit": "E"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        ids = {row[2]: row[0] for row in binding_rows(main(app))}
        assert ids["feed.remove"] == "d, delete" or ids["feed.remove"].startswith("d")
        assert "feed.add" in ids and "feed.edit" in ids
        await pilot.press("a")
        assert isinstance(app.screen, MainScreen), "remapped: a no longer adds"
        await pilot.press("plus")
        assert isinstance(app.screen, AddFeedDialog)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_a_says_in_the_dialog_when_a_page_has_no_feed(
    http_server: HTTPServer, tmp_path: Path
) -> None:
    page = http_server.route(
        "/", Response(200, {"Content-Type": "text/html"}, b"<html><body>nothing</body></html>")
    )
    app, path, original = build(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        dialog = app.screen
        dialog.query_one("#add-url").value = page
        await pilot.press("enter")
        message = dialog.query_one("#add-message")
        await until(pilot, lambda: "no feed found" in str(message.render()))
        assert app.screen is dialog, "the dialog stays open to correct the address"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert path.read_text() == original
