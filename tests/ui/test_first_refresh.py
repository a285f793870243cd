"""The first refresh (a new reader: empty data dir, refresh on start) fills the lists, and keys
are answered while it works: the refresh runs in a process of its own, not the reader's."""

from __future__ import annotations

import threading

from newstui.core.models import FeedSpec
from newstui.ui.screens.main import MainScreen
from tests.support.httpserver import Request, Response
from tests.support.wait import settled, until

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Fresh</title>
<item><guid>f-1</guid><title>First fresh story</title><link>https://fresh.example/1</link></item>
<item><guid>f-2</guid><title>Second fresh story</title><link>https://fresh.example/2</link></item>
</channel></rss>"""


async def test_keys_are_answered_while_the_first_refresh_works(make_app, http_server) -> None:
    # The refresh is held up (its feeds do not answer) until the key below has been
    # answered, or 5 s.
    gate, order = threading.Event(), []

    def held(request: Request) -> Response:
        if not gate.is_set():
            order.append("refresh busy")
            gate.wait(5)
            order.append("refresh goes on")
        return Response(200, {"content-type": "application/rss+xml"}, RSS)

    urls = [http_server.route(f"/{name}.xml", held) for name in ("a", "b")]
    feeds = [FeedSpec(urls[0], title="Alpha"), FeedSpec(urls[1], title="Beta")]
    app = make_app(feeds, filled=False, refresh_on_start=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: order)
        assert order[:1] == ["refresh busy"]
        assert screen.focused is screen.feed_list  # nothing to read yet
        await pilot.press("j", "j")  # All unread -> Bookmarks -> Alpha
        order.append("key answered")
        assert screen.feed_list.current_view is not None
        assert screen.feed_list.current_view.key == urls[0]
        assert "Alpha" in "".join(s.text for s in screen._compositor.render_strips())
        gate.set()
        await settled(pilot)
        assert order.index("key answered") < order.index("refresh goes on")
        # the first refresh filled the lists: counts, and the highlighted feed's headlines
        assert [screen.feeds[url].unread for url in urls] == [2, 2]
        assert dict((r.label, r.unread) for r in screen.feed_list.rows)["All unread"] == 4
        assert len(screen.entry_list.ids) == 2


async def test_a_new_readers_feed_list_keys_do_not_wait_for_the_article_renderer(
    make_app, monkeypatch
) -> None:
    """Each key in a new reader's feed list shows that feed's status; the first waited ~80 ms
    for the article renderer's import (on a thread since the first frame). The status needs
    none of it, and keeps the article pane's look (the link in the theme's link colour)."""
    import sys

    from newstui.ui.screens.articles import ArticlePresenter

    # Not importable during the keys: a key that needed them would fail.
    for name in ("newstui.article.compose", "newstui.article.render"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(ArticlePresenter, "import_renderer", lambda self: None)  # no warm-up
    feeds = [FeedSpec("https://a.example/feed.xml", title="Alpha", tags=("news",))]
    app = make_app(feeds, filled=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.focused is screen.feed_list  # nothing to read yet
        await pilot.press("j", "j", "j")  # All unread -> Bookmarks -> news -> Alpha
        await pilot.pause()
        assert screen.entry_view.shown_source is screen.feeds[feeds[0].url]
        shown = "\n".join(strip.text for strip in screen.entry_view._strips)
        assert "https://a.example/feed.xml" in shown and "Last success: never" in shown
        monkeypatch.undo()  # the renderer back, for its styles
        header = screen.entry_view._parts[0]
        (url_style,) = {span.style for span in header.spans if span.start > 0}
        assert url_style == screen.articles.styles().link  # the renderer's link style
