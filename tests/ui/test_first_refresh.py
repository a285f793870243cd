"""The first refresh (a new reader: empty data dir, refresh on start) fills the lists, and keys
are answered while it works: the refresh runs in a process of its own, not the reader's."""

from __future__ import annotations

import threading

from newstui.core.models import FeedSpec
from newstui.ui.screens.main import MainScreen
from tests.support.httpserver import Request, Response

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
        for _ in range(200):
            if order:
                break
            await pilot.pause(0.05)
        assert order[:1] == ["refresh busy"]
        assert screen.focused is screen.feed_list  # nothing to read yet
        await pilot.press("j", "j")  # All unread -> Bookmarks -> Alpha
        order.append("key answered")
        assert screen.feed_list.current_view is not None
        assert screen.feed_list.current_view.key == urls[0]
        assert "Alpha" in "".join(s.text for s in screen._compositor.render_strips())
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert order.index("key answered") < order.index("refresh goes on")
        # the first refresh filled the lists: counts, and the highlighted feed's headlines
        assert [screen.feeds[url].unread for url in urls] == [2, 2]
        assert dict((r.label, r.unread) for r in screen.feed_list.rows)["All unread"] == 4
        assert len(screen.entry_list.ids) == 2
