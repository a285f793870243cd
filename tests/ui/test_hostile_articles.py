"""The reader on an entry nested 100,000 `<div>`s deep, as entries stored before nesting was
limited at ingestion are (issue 10): viewing it again and again starts one render, not one
per view, and the article comes out flattened."""

from __future__ import annotations

from pathlib import Path

from textual.worker import Worker, WorkerState

from newstui.article.render import plain_lines
from newstui.core.models import ParsedEntry
from newstui.store import Store
from newstui.ui.screens.articles import RENDER_IN_THREAD_ABOVE
from newstui.ui.screens.main import MainScreen
from tests.support.wait import until
from tests.ui.conftest import NOW, TECH, save_entries

DEPTH = 100_000


def stored(db_path: Path, title: str, html: str) -> int:
    """The id of a new entry of TECH titled `title` with `html` as its content."""
    guid = title.lower()
    with Store(db_path) as store:
        save_entries(
            store,
            TECH,
            [ParsedEntry(guid=guid, title=title, link=None, published_at=NOW, content_html=html)],
        )
        [entry_id] = [e.id for e in store.entries(TECH) if e.guid == guid]
    return entry_id


def rendering(app, state: WorkerState) -> list[Worker]:
    """The article render workers in `state`."""
    return [w for w in app.workers if w.group == "render" and w.state is state]


async def test_a_deep_article_viewed_three_times_renders_once(
    make_app, db_path, monkeypatch
) -> None:
    import threading

    from newstui.article import compose

    calls: list[int] = []
    release = threading.Event()
    real = compose.render_entry

    def counted(entry, *args, **kwargs):
        calls.append(entry.id)
        if entry.guid == "deep":
            release.wait(10)  # until the views are done: unheld, it ended before the second
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(compose, "render_entry", counted)
    deep = "<div>" * DEPTH + "the deep words" + "</div>" * DEPTH
    assert len(deep) > RENDER_IN_THREAD_ABOVE  # converted on a thread
    app = make_app()
    entry_id = stored(db_path, "Deep", deep)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(3):  # quicker than the render: each view finds it still running
            screen.articles.show(entry_id)
            await until(pilot, lambda: not rendering(app, WorkerState.PENDING))  # it starts
            screen.articles.show(screen.entry_list.ids[0])  # away, and back next time round
        screen.articles.show(entry_id)
        release.set()
        await until(pilot, lambda: screen.articles.cache.get((entry_id, False)))
        assert calls.count(entry_id) == 1  # one render, however often it was asked for
        article = screen.articles.cache[(entry_id, False)][1]
        assert any("the deep words" in line for line in plain_lines(article.body, 80))


async def test_a_long_render_finished_while_away_is_not_done_again(
    make_app, db_path, monkeypatch
) -> None:
    """The user opens a long article, moves on before it is converted, and comes back after
    the conversion ended: it is shown from the finished render, not converted a second time
    (the worker that waited for it was cancelled by the next article's, and its result lost)."""
    import threading

    from newstui.article import compose

    calls: list[int] = []
    release = threading.Event()
    real = compose.render_entry

    def slow(entry, *args, **kwargs):
        calls.append(entry.id)
        if entry.guid == "long":
            release.wait(10)
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(compose, "render_entry", slow)
    long_html = "<p>" + "many words here " * (RENDER_IN_THREAD_ABOVE // 10) + "</p>"
    app = make_app()
    entry_id = stored(db_path, "Long", long_html)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.articles.show(entry_id)
        await until(pilot, lambda: entry_id in calls)
        other = next(i for i in screen.entry_list.ids if i != entry_id)
        screen.articles.show(other)  # away before the conversion ends
        await pilot.pause()
        release.set()
        # the conversion ends while another article is shown
        await until(pilot, lambda: not screen.articles._rendering)
        screen.articles.show(entry_id)
        await pilot.pause()
        assert calls.count(entry_id) == 1
        assert screen.entry_view.shown_id == entry_id
        article = screen.articles.cache[(entry_id, False)][1]
        assert any("many words here" in line for line in plain_lines(article.body, 80))
