"""What makes `n` and Down cheap (issue 11, "Speed at scale"), checked by what they do, not by
timing them: no whole-screen layout on the first `n`, the next article ready before its key,
and the read mark saved off the event loop without the lists being reloaded."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from textual._styles_cache import StylesCache
from textual.screen import Screen

from newstui.core.models import FeedSpec, ParsedEntry
from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from newstui.ui.widgets._line_cache import ContentLineCache
from newstui.ui.widgets.entry_view import EntryView
from newstui.ui.writes import QUIETLY_SAVED
from tests.support.dblock import write_lock
from tests.support.wait import until
from tests.ui.test_main_screen import screen_text

from .conftest import NOW, TECH, save_entries

FEED = FeedSpec(TECH, title="Tech Daily", tags=("tech",))
ENTRIES = 60
"""More headlines than the list shows at 120x40: it has a scrollbar."""


def long_entry(n: int) -> ParsedEntry:
    paragraphs = "".join(
        f"<p>Paragraph {p} of entry {n}. {'Words go on. ' * 30}</p>" for p in range(8)
    )
    return ParsedEntry(
        guid=f"{TECH}#{n}",
        title=f"Long story {n}",
        link=f"https://tech.example/posts/{n}",
        author="A. Writer",
        published_at=NOW - timedelta(hours=n),
        content_html=f"<p>Marker M{n:03d}.</p>{paragraphs}",
    )


@pytest.fixture
def long_app(make_app, db_path):
    def build(**overrides):
        app = make_app([FEED], filled=False, **overrides)
        with Store(db_path) as store:
            store.sync_feeds([FEED], now=NOW)
            save_entries(store, TECH, [long_entry(i) for i in range(ENTRIES)])
        return app

    return build


def main(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Whole-screen layouts of the main screen from now on (one entry per layout)."""
    layouts: list[int] = []
    original = Screen._refresh_layout

    def counting(self, *args, **kwargs):
        if isinstance(self, MainScreen):
            layouts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return layouts


def count_restyled(app, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The nodes whose styles are recomputed from now on."""
    restyled: list[str] = []
    original = app.stylesheet.update_nodes

    def counting(nodes, animate=False):
        nodes = list(nodes)
        restyled.extend(type(node).__name__ for node in nodes)
        return original(nodes, animate=animate)

    monkeypatch.setattr(app.stylesheet, "update_nodes", counting)
    return restyled


async def started(pilot, screen: MainScreen) -> None:
    """Start-up done: the first article drawn and no layout or repaint waiting. `pilot.pause()`
    alone can return before that on a loaded machine: it takes a 20 ms sleep with under 1 ms
    of CPU for idle, and a process waiting for a core looks just as idle (the first `n` of a
    full-suite run then met start-up's own layouts)."""

    def done() -> bool:
        waiting = screen._layout_required or screen._repaint_required or screen._dirty_widgets
        return screen.entry_view.shown_id is not None and not waiting

    await until(pilot, done)
    await pilot.pause()


def stored_read(db_path, ids: list[int]) -> list[bool]:
    with Store(db_path) as other:
        return [row.read for row in other.headlines(ids)]


async def test_the_first_n_does_not_lay_out_the_whole_screen(long_app, monkeypatch) -> None:
    """The first `n` moves the focus to the article: Textual styled the panes' scrollbars
    only then, and their scrollbar-size rules re-laid out every pane (~100 ms at 2,000
    feeds). The focused pane must still stand out."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        assert screen.entry_list.show_vertical_scrollbar  # the case that laid out
        assert screen.entry_view.show_vertical_scrollbar
        layouts = count_layouts(monkeypatch)
        restyled = count_restyled(app, monkeypatch)
        await pilot.press("n")
        await pilot.pause()
        assert app.focused is screen.entry_view
        # The focus change restyles the two panes; the screen's -reading class (styled only
        # on narrow screens) no longer restyles every widget on it.
        assert 0 < len(restyled) < 12, restyled
        await pilot.press("n", "escape", "n")
        await pilot.pause()
        assert layouts == []
        lit = screen.entry_view.styles.border_title_background
        assert lit != screen.entry_list.styles.border_title_background


async def test_the_next_article_is_ready_before_its_key(long_app) -> None:
    """After `n` (or Down) the next article is converted and wrapped while the keys pause;
    its key then shows exactly those lines, and the pane shows the whole right entry."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        view = screen.entry_view
        await pilot.press("n")
        following = screen.entry_list.ids[1]
        await until(pilot, lambda: (following, False) in screen.articles.cache)
        prepared = dict(view._laid_out)
        await pilot.press("n")
        await pilot.pause()
        assert view.shown_id == following
        assert any(layout is view._shown for layout in prepared.values())
        text = "\n".join(strip.text for strip in view._strips)
        assert "Marker M001." in text and "Paragraph 7 of entry 1." in text
        # Down from the list: the row below is prepared the same way.
        await pilot.press("escape", "down")
        await until(pilot, lambda: (screen.entry_list.ids[3], False) in screen.articles.cache)
        await pilot.press("down")
        await pilot.pause()
        assert view.shown_id == screen.entry_list.ids[3]
        assert "Marker M003." in "\n".join(strip.text for strip in view._strips)


@pytest.mark.parametrize("long", [True, False], ids=["long", "short"])
async def test_a_prepared_article_is_finished_before_its_key(long, long_app, make_app) -> None:
    """While the keys pause, the next article's first screen is finished as Textual would
    finish it in the key's frame (borders, filters, the terminal's codes): that frame styles
    none of its lines, at most the pane's title line (all ~38 without it). Long articles have
    a scroll bar in each line; short ones, empty lines below the text. The screen is what a
    full redraw shows."""
    from tests.ui.test_refresh_keys import drawn, frame, redrawn  # (it imports this module)

    app = long_app() if long else make_app()
    styled: list[int] = []
    original, preparing = StylesCache.render_line, ContentLineCache.prepare
    in_prepare: list[bool] = []

    def styling(self, styles, y, *args, **kwargs):
        if isinstance(styles.node, EntryView) and not in_prepare:  # the key's own frame
            styled.append(y)
        return original(self, styles, y, *args, **kwargs)

    def prepare(self, *args, **kwargs):  # the next one's, once the key's frame is out
        in_prepare.append(True)
        try:
            return preparing(self, *args, **kwargs)
        finally:
            in_prepare.pop()

    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        view = screen.entry_view
        for _ in range(3):
            await pilot.press("n")
            following = screen.entry_list.ids[screen.entry_list.cursor + 1]
            await until(pilot, lambda f=following: (f, False) in screen.articles.cache)
            await frame(app)
            assert bool(view._scroll_bar()) == long
            styled.clear()
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(StylesCache, "render_line", styling)
                patch.setattr(ContentLineCache, "prepare", prepare)
                await pilot.press("n")
                await frame(app)
            assert view.shown_id == following
            # At most the title line (a long article's scroll bar moved: the pane is redrawn).
            assert styled in ([], [0]), styled
            assert drawn(app) == redrawn(app)


async def test_n_saves_its_mark_on_the_write_thread_and_reloads_nothing(
    long_app, db_path, monkeypatch
) -> None:
    """`n`'s read mark is written by the write thread, not the event loop, and its success
    does not make the screen reload its lists (only trouble, or its end, does)."""
    app = long_app()
    writers: list[str] = []
    original = Store.set_read

    def recording(self, *args, **kwargs):
        writers.append(threading.current_thread().name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "set_read", recording)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        reports: list[str | None] = []
        shown = screen.writes_changed
        monkeypatch.setattr(
            screen, "writes_changed", lambda problem: (reports.append(problem), shown(problem))
        )
        await pilot.press("n", "n", "n")
        opened = screen.entry_list.ids[:3]
        await until(pilot, lambda: all(stored_read(db_path, opened)))
        await until(pilot, lambda: screen.marks.pending_read == {})  # the thread's report
        await pilot.pause(0.1)
        assert writers == ["newstui-writes"] * 3
        assert set(reports) <= {QUIETLY_SAVED}  # nothing that reloads the lists
        assert screen.marks.pending_read == {}
        assert all(screen.entry_list.headline(i).read for i in range(3))
        counts = {row.label: row.unread for row in screen.feed_list.rows}
        assert counts["All unread"] == ENTRIES - 3


async def test_n_while_the_database_is_locked_keeps_the_mark_and_says_so(
    long_app, db_path, monkeypatch
) -> None:
    """The thread's failure is reported like any write's, the mark stays on screen, and it is
    saved once the lock goes; then the lists are reloaded from the store."""
    monkeypatch.setattr("newstui.ui.writes.RETRY_EVERY", 0.2)
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        with write_lock(db_path):
            await pilot.press("n", "n")
            opened = screen.entry_list.ids[:2]
            await until(pilot, lambda: "database is locked" in (screen.status.warning or ""))
            assert stored_read(db_path, opened) == [False, False]
            assert all(row.read for row in screen.marks.headlines(opened))
        await until(pilot, lambda: stored_read(db_path, opened) == [True, True])
        await until(pilot, lambda: not screen.status.warning)
        assert screen.marks.pending_read == {}
    assert app.writes.close() == {}


def full_passes_due(monkeypatch) -> list[int]:
    """From now on a full pass is due, and each `gc.collect` is recorded (in the returned
    list), not run."""
    import gc

    from newstui.ui import collector

    full: list[int] = []
    monkeypatch.setattr(gc, "get_count", lambda: (0, 0, collector.FULL_GC_DUE))
    monkeypatch.setattr(gc, "collect", lambda generation=2: full.append(generation))
    return full


async def test_a_due_full_collection_waits_until_the_keys_pause(long_app, monkeypatch) -> None:
    """Python's full GC pass (10-40 ms) fell in the middle of keys: every 10 young
    collections, and 30 ms after any key, which is no pause when keys come ~50 ms apart (as
    in tui_bench.py's refresh). It runs once no key came for `KEYS_PAUSED`, not before."""
    from newstui.ui import collector

    now = [1000.0]
    monkeypatch.setattr(collector, "monotonic", lambda: now[0])
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        full = full_passes_due(monkeypatch)
        for key in ("n", "n", "j"):  # each one prepares the next article 30 ms after it
            await pilot.press(key)
            now[0] += collector.KEYS_PAUSED / 2  # the keys' clock: they come faster than that
        await pilot.pause(collector.KEYS_PAUSED * 2)  # the loop's timers run meanwhile
        assert full == []
        now[0] += collector.KEYS_PAUSED
        await until(pilot, lambda: full != [])
        assert full == [2]


async def test_a_reload_of_the_lists_runs_a_due_full_collection(long_app, monkeypatch) -> None:
    """A refresh reloads the lists every 2 s with no key pressed: its garbage is collected
    then, not left to Python's own pass, now only a backstop (`FULL_GC_BACKSTOP`)."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        full = full_passes_due(monkeypatch)
        await main(app).reload_in_background()
        await until(pilot, lambda: full != [])
        assert full == [2]


async def test_a_reload_builds_the_feed_rows_off_the_event_loop(
    long_app, db_path, monkeypatch
) -> None:
    """A refresh reloads the lists every 2 s; building the rows of 2,000 feeds (~5-13 ms) on
    the loop held up a key for all of it. They are built on a thread; the loop swaps them in,
    with the counts the store has."""
    from newstui.ui.screens import reloads

    built_on: list[threading.Thread] = []
    build = reloads.build_rows

    def recording(*args, **kwargs):
        built_on.append(threading.current_thread())
        return build(*args, **kwargs)

    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        monkeypatch.setattr(reloads, "build_rows", recording)
        with Store(db_path) as store:  # a refresh stores a new entry
            save_entries(store, TECH, [long_entry(ENTRIES)])
        await screen.reload_in_background()
        assert built_on and threading.main_thread() not in built_on
        assert screen.feed_list.rows[0].label == "All unread"
        assert screen.feed_list.rows[0].unread == ENTRIES + 1
        assert screen.status.unread == ENTRIES + 1


async def test_with_the_start_up_heap_frozen_full_passes_wait_for_a_backstop(long_app) -> None:
    """The command pauses the collector for start-up (`newstui.launch`); once the app is
    ready, what exists is frozen and Python's own full passes come only after
    `FULL_GC_BACKSTOP` young collections (the reader runs them when the keys pause)."""
    import gc

    from newstui.ui import collector

    thresholds = gc.get_threshold()
    gc.disable()
    try:
        app = long_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_threshold() == (*thresholds[:2], collector.FULL_GC_BACKSTOP)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        gc.enable()


async def test_a_resize_to_the_same_size_lays_nothing_out_and_a_real_one_does(
    long_app, monkeypatch
) -> None:
    """Textual laid the whole screen out again for every Resize it passed on, changed or
    not: twice at start-up at the first frame's size (~30-40 ms each, when a new reader's
    first key comes). A real resize still lays the screen out at the new size."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await started(pilot, screen)
        layouts = count_layouts(monkeypatch)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert layouts == []
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert layouts
        assert screen.has_class("-narrow")  # the article pane leaves (NARROW_WIDTH)
        assert screen.entry_list.size.height < 30 and not screen.entry_view.display
        assert all(len(line) <= 100 for line in screen_text(app).splitlines())
