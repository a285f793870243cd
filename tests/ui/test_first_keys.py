"""A new reader's first keys do not share the interpreter with the article renderer's import
(issue 11: keys during the first refresh). The warm-up import runs on a thread, but an import
holds the GIL: started at the first frame, it held up the first feed-list key (104-158 ms in
process, 48-74 without it). It now starts when the keys pause, as the theme files are read."""

from __future__ import annotations

import time

from newstui.core.models import FeedSpec
from newstui.ui.screens import main
from newstui.ui.screens.articles import ArticlePresenter
from tests.support.wait import until

FEEDS = [FeedSpec(f"https://f{i}.example/feed.xml", title=f"Feed {i}") for i in range(8)]


async def test_the_renderer_is_imported_once_the_keys_pause_not_at_the_first_frame(
    make_app, monkeypatch
) -> None:
    keys: list[float] = []
    on_key = main.MainScreen.on_key
    monkeypatch.setattr(
        main.MainScreen, "on_key", lambda s: (keys.append(time.monotonic()), on_key(s))
    )
    first_frame: list[float] = []
    after_first_frame = main.MainScreen._after_first_frame
    monkeypatch.setattr(
        main.MainScreen,
        "_after_first_frame",
        lambda s: (after_first_frame(s), first_frame.append(time.monotonic())),
    )
    started: list[float] = []
    warm_up = ArticlePresenter.import_renderer
    monkeypatch.setattr(
        ArticlePresenter,
        "import_renderer",
        lambda a: (started.append(time.monotonic()), warm_up(a)),
    )
    app = make_app(FEEDS, filled=False)  # a new reader: nothing to read, the feed list has keys
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, main.MainScreen)
        await until(pilot, lambda: screen._first_frame_shown)
        for key in "jjjjjj":
            await pilot.press(key)
            await pilot.pause(main.THEMES_AFTER / 3)
        await until(pilot, lambda: started)
        assert len(started) == 1
        # A pause of THEMES_AFTER after the first frame and after every key before it: the
        # keys pushed it back (on a loaded host the first key may come after the pause, and
        # the import before it, rightly).
        last = max([*first_frame, *(k for k in keys if k < started[0])])
        assert started[0] - last >= main.THEMES_AFTER - 0.01
