"""What the reader keeps in memory while a refresh delivers (issue 15: the process tree's peak
under 150 MB): its view's ids compact, small SQLite page caches, and what its background reloads
free given back to the system once the keys pause. The real app on a real SQLite file."""

from __future__ import annotations

import asyncio
import sys
from array import array
from pathlib import Path

import pytest

from newstui.core import memory
from newstui.core.views import View
from newstui.store import READER_CACHE_KIB, Store
from newstui.store.view_queries import ViewQueries
from tests.support.wait import until
from tests.ui.conftest import DEFAULT_FEEDS, NOW, TECH, entry, save_entries
from tests.ui.test_main_screen import main


def cache_kib(store: Store) -> int:
    """The connection's page cache in KiB (SQLite keeps a negative `cache_size` as KiB)."""
    (size,) = store._db.execute("PRAGMA cache_size").fetchone()
    return -size if size < 0 else size * store._db.execute("PRAGMA page_size").fetchone()[0] // 1024


def test_a_views_ids_are_an_array_of_8_byte_ids(db_path: Path) -> None:
    # A list would hold an int object and a pointer per id (~36 bytes): 2.2 MB for the 55,000
    # unread ids of the benchmark's store after its refresh, made again at every reload.
    with Store(db_path) as store:
        store.sync_feeds(DEFAULT_FEEDS, now=NOW)
        save_entries(store, TECH, [entry(i, TECH, hours_old=i) for i in range(300)])
        queries = ViewQueries(store, show_read=False)
        for view in (View.unread(), View.feed(TECH), View.everything()):
            ids = queries.ids(view, {})
            assert isinstance(ids, array) and ids.itemsize == 8, view
            assert len(ids) == 300
            assert sys.getsizeof(ids) < 300 * 8 + 1024
        feeds, _, ids, _ = asyncio.run(queries.lists_in_background(db_path, View.unread()))
        queries.close()
        assert isinstance(ids, array) and len(ids) == 300 and feeds


async def test_the_entry_list_keeps_the_reloaded_ids_as_an_array(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await screen.reload_in_background()
        assert isinstance(screen.entry_list.ids, array) and len(screen.entry_list.ids) == 9


def test_a_store_opened_with_cache_kib_has_that_page_cache(db_path: Path) -> None:
    with Store(db_path, cache_kib=256) as small, Store(db_path) as default:
        assert cache_kib(small) == 256
        assert cache_kib(default) == 2000  # SQLite's own: ~2 MB


async def test_the_readers_own_connections_have_a_small_page_cache(make_app) -> None:
    # Four connections of ~2 MB each otherwise: the page cache is started over by every read
    # transaction while a refresh writes, so it only adds to the reader's memory.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await screen.reload_in_background()  # the background connection
        await pilot.press("enter")  # opens the entry: its read mark goes through the writes'
        await pilot.pause()
        background = screen.queries._background
        assert background is not None and cache_kib(background) == READER_CACHE_KIB
        now = app.writes._now
        assert now is not None and cache_kib(now) == READER_CACHE_KIB
    assert READER_CACHE_KIB <= 256


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
async def test_the_heap_is_trimmed_after_a_background_reload_once_the_keys_pause(
    make_app,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        # One the start-up's reloads asked for:
        await until(pilot, lambda: not screen.collector.trim_due)
        before = memory.trimmed
        await screen.reload_in_background()
        # Not at once (a key may come right after the reload), only once the keys pause.
        assert memory.trimmed == before and screen.collector.trim_due
        await until(pilot, lambda: memory.trimmed > before)
        assert not screen.collector.trim_due
