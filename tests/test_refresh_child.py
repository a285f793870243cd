"""The reader's refresh process (`newstui.feeds.refresh_child`), driven the way the reader
drives it: a `Job` on its stdin, frames back on its stdout, a real feed on loopback."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from newstui.core.config import Settings
from newstui.core.models import FeedSpec
from newstui.core.timefmt import utc_now
from newstui.feeds.refresh_child import Job
from newstui.store import Store
from newstui.ui.screens.refreshing import _start_child
from tests.support.httpserver import Response

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title>
<item><guid>g-1</guid><title>A good story</title><link>https://good.example/1</link></item>
</channel></rss>"""

HIJACK = "open({marker!r}, 'a').write(__name__ + '\\n')\nraise ImportError('not the real one')\n"


def frames(child) -> list[tuple[str, object]]:
    got = []
    while True:
        try:
            frame = pickle.load(child.stdout)
        except EOFError:
            return got
        got.append(frame)
        if frame[0] == "done":
            return got


def test_the_refresh_process_refreshes_ends_cleanly_and_ignores_the_working_directory(
    http_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rss = Response(200, {"content-type": "application/rss+xml"}, RSS)
    url = http_server.route("/good.xml", rss)
    # Modules of the folder the reader was started from must never be imported in its place.
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    marker = tmp_path / "hijacked"
    for name in ("asyncio", "feedparser", "httpx"):
        (cwd / f"{name}.py").write_text(HIJACK.format(marker=str(marker)))
    monkeypatch.chdir(cwd)
    db_path = tmp_path / "data" / "newstui.db"
    db_path.parent.mkdir()
    spec = FeedSpec(url)
    with Store(db_path) as store:  # the reader saves feeds.toml's rows before any refresh
        store.sync_feeds([spec], now=utc_now())
    job = Job(db_path, Settings(parse_workers=1, timeout=5.0), [spec], force=True)

    child = _start_child(job)
    got = frames(child)
    # The reader keeps the child's input open until "done": it must exit by itself, cleanly
    # (a thread blocked reading sys.stdin made its exit abort: SIGABRT, status -6).
    assert child.wait(10) == 0
    child.stdin.close()
    child.stdout.close()

    assert not marker.exists()
    kinds = [kind for kind, _ in got]
    assert kinds == ["todo", "update", "done"]
    update = got[1][1]
    assert update.url == url and update.new == 1
    with Store(db_path) as store:
        assert [e.title for e in store.headlines(store.entry_ids())] == ["A good story"]
