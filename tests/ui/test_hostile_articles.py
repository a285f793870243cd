"""The reader on an entry nested 100,000 `<div>`s deep, as entries stored before nesting was
limited at ingestion are (issue 10): viewing it again and again starts one render, not one
per view, and the article comes out flattened."""

from __future__ import annotations

from newstui.article.render import plain_lines
from newstui.core.models import ParsedEntry
from newstui.store import Store
from newstui.ui.screens.articles import RENDER_IN_THREAD_ABOVE
from newstui.ui.screens.main import MainScreen
from tests.ui.conftest import NOW, TECH, save_entries

DEPTH = 100_000


async def test_a_deep_article_viewed_three_times_renders_once(
    make_app, db_path, monkeypatch
) -> None:
    from newstui.article import compose

    calls: list[int] = []
    real = compose.render_entry

    def counted(entry, *args, **kwargs):
        calls.append(entry.id)
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(compose, "render_entry", counted)
    deep = "<div>" * DEPTH + "the deep words" + "</div>" * DEPTH
    assert len(deep) > RENDER_IN_THREAD_ABOVE  # converted on a thread
    app = make_app()
    with Store(db_path) as store:
        save_entries(
            store,
            TECH,
            [
                ParsedEntry(
                    guid="deep", title="Deep", link=None, published_at=NOW, content_html=deep
                )
            ],
        )
        [entry_id] = [e.id for e in store.entries(TECH) if e.guid == "deep"]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(3):  # quicker than the render: each view finds it still running
            screen.articles.show(entry_id)
            await pilot.pause(0.05)  # the render starts
            screen.articles.show(screen.entry_list.ids[0])  # away, and back next time round
        screen.articles.show(entry_id)
        for _ in range(200):
            if screen.articles.cache.get((entry_id, False)):
                break
            await pilot.pause(0.05)
        assert calls.count(entry_id) == 1  # one render, however often it was asked for
        article = screen.articles.cache[(entry_id, False)][1]
        assert any("the deep words" in line for line in plain_lines(article.body, 80))
