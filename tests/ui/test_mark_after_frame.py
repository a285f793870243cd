"""`n`'s read mark is written after the key's frame (issue 11, `n` as fast as Down): the
write thread's SQLite work and its report took the GIL from that frame. It is still on disk
a moment later: a `kill -9` shortly after the article is shown loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from textual.screen import Screen

from newstui.store import Store
from newstui.ui.screens.main import MainScreen
from tests.support.wait import eventually, until, written

from .test_key_speed import long_app, started, stored_read  # noqa: F401 (long_app: a fixture)


async def test_n_writes_its_mark_after_the_frame_that_shows_the_article(
    long_app, db_path, monkeypatch  # noqa: F811
) -> None:
    app = long_app()
    events: list[tuple[str, int | None]] = []
    original_write, original_frame = Store.set_read, Screen._compositor_refresh

    def writing(self, ids, *args, **kwargs):
        if threading.current_thread().name == "newstui-writes":
            events.append(("write", ids[0]))
        return original_write(self, ids, *args, **kwargs)

    def drawing(self):
        if isinstance(self, MainScreen):
            events.append(("frame", self.entry_view.shown_id))
        return original_frame(self)

    monkeypatch.setattr(Store, "set_read", writing)
    monkeypatch.setattr(Screen, "_compositor_refresh", drawing)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await started(pilot, screen)  # no start-up frame left to come between key and frame
        for _ in range(3):
            events.clear()
            await pilot.press("n")
            opened = screen.entry_view.shown_id
            await until(pilot, lambda o=opened: ("write", o) in events)
            # The first frame after the key shows the new article, and comes before the write.
            frames = [i for i, (kind, _) in enumerate(events) if kind == "frame"]
            assert frames and events[frames[0]] == ("frame", opened)
            assert frames[0] < events.index(("write", opened)), events
            await written(pilot)  # the write began above; now it is done
            assert stored_read(db_path, [opened]) == [True]
            # Shown read at once, counted at once.
            assert screen.entry_list.headline(screen.entry_list.cursor).read


KILLED = """
import asyncio, sys
from pathlib import Path
from tests.ui import test_key_speed as k
from tests.ui.conftest import NOW, TECH, clock, make_config, save_entries
from newstui.store import Store
from newstui.ui.app import NewsApp

db = Path(sys.argv[1])
with Store(db) as store:
    store.sync_feeds([k.FEED], now=NOW)
    save_entries(store, TECH, [k.long_entry(i) for i in range(k.ENTRIES)])

async def main():
    app = NewsApp(make_config(db.parent / "feeds.toml", [k.FEED]), Store(db), db, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("n")
            drawn = asyncio.Event()  # after the frame that shows the article (and its callbacks)
            app.screen.call_after_refresh(drawn.set)
            await asyncio.wait_for(drawn.wait(), 10)
            print(app.screen.entry_view.shown_id, flush=True)
            await asyncio.sleep(0.5)
        await asyncio.sleep(60)

asyncio.run(main())
"""


def test_a_mark_survives_kill_9_right_after_its_article_is_shown(tmp_path: Path) -> None:
    db = tmp_path / "newstui.db"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "TZ": "UTC"}
    reader = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(db)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    watchdog = threading.Timer(60, reader.kill)  # a hung child must not hang the suite
    watchdog.start()
    try:
        assert reader.stdout is not None
        opened = [int(reader.stdout.readline()) for _ in range(3)]
        # Killed once the marks are in the store, however late a loaded host runs the write
        # thread; a mark kept until quitting never gets there (the reader waits 60 s).
        assert eventually(lambda: stored_read(db, opened) == [True, True, True])
        os.kill(reader.pid, signal.SIGKILL)
        reader.wait(10)
    finally:
        watchdog.cancel()
        reader.kill()
        reader.wait()
        if reader.stdout is not None:
            reader.stdout.close()
    assert stored_read(db, opened) == [True, True, True]


async def test_quitting_before_the_frame_still_saves_the_mark(long_app, db_path) -> None:  # noqa: F811
    """`n` then `q` before the frame is drawn (typed together): the mark waits for no frame."""
    app = long_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.action_next_unread(1)  # no frame drawn after it yet
        opened = screen.entry_view.shown_id
        assert app.writes.pending() == 1
        assert app.writes.close() == {}
        assert stored_read(db_path, [opened]) == [True]
