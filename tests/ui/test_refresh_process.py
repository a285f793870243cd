"""The reader's refresh runs in a process of its own (`newstui.feeds.refresh_child`): its
results and per-feed errors reach the reader's lists, and it never outlives the reader, whether
the reader quits mid-refresh or is killed with `kill -9`."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newstui.core.models import FeedSpec
from newstui.ui.screens.main import MainScreen
from tests.support.httpserver import HTTPServer, Response, hang
from tests.support.wait import eventually, settled, until

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title>
<item><guid>g-1</guid><title>A good story</title><link>https://good.example/1</link></item>
</channel></rss>"""


def alive(pid: int) -> bool:
    """A live process (not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def gone(pid: int) -> bool:
    """Whether `pid` ends within `eventually`'s 20 s (well before the stuck feed's 60 s)."""
    return eventually(lambda: not alive(pid))


def screen_text(app) -> str:
    return "\n".join(s.text for s in app.screen._compositor.render_strips())


async def test_results_and_a_feed_error_reach_the_lists(make_app, http_server) -> None:
    rss = Response(200, {"content-type": "application/rss+xml"}, RSS)
    good = http_server.route("/good.xml", rss)
    bad = http_server.route("/bad.xml", Response(500, {"content-type": "text/plain"}, b"down"))
    app = make_app([FeedSpec(good, title="Good"), FeedSpec(bad, title="Bad")], filled=False)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("R")
        await settled(pilot)
        assert screen.feeds[good].unread == 1
        assert dict((r.label, r.unread) for r in screen.feed_list.rows)["All unread"] == 1
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("1 feed(s) failed: Bad.") for m in messages), messages
        assert screen.refresher.child is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
async def test_quitting_mid_refresh_ends_the_refresh_process(make_app, http_server) -> None:
    stuck = http_server.route("/stuck.xml", hang())
    # A feed that would keep the refresh busy for a minute: it ends with the reader, not then.
    app = make_app([FeedSpec(stuck, title="Stuck")], filled=False, timeout=60.0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("R")
        # Said at once, not when the refresh process has started (~0.2 s later).
        assert "Refreshing 0/1" in screen_text(app)
        await until(pilot, lambda: http_server.requests_to("/stuck.xml"))  # the child asked
        child = screen.refresher.child
        assert child is not None and alive(child.pid)
        # glibc's arenas capped (the child's peak RSS: 56 MB instead of 74)
        assert b"MALLOC_ARENA_MAX=2" in Path(f"/proc/{child.pid}/environ").read_bytes()
        await pilot.press("q")
    assert gone(child.pid), "the refresh process outlived the reader"


BOOT = """
import sys, time
from pathlib import Path
from newstui.core.models import FeedSpec
from newstui.feeds.refresh_child import Job
from newstui.ui.screens.refreshing import _start_child
from tests.ui.conftest import settings

db, url = Path(sys.argv[1]), sys.argv[2]
child = _start_child(Job(db, settings(timeout=60.0), [FeedSpec(url, title="Stuck")], True))
print(child.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_reader_leaves_no_refresh_process(http_server: HTTPServer, tmp_path: Path) -> None:
    stuck = http_server.route("/stuck.xml", hang())
    reader = subprocess.Popen(
        [sys.executable, "-c", BOOT, str(tmp_path / "newstui.db"), stuck],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    try:
        assert reader.stdout is not None
        child = int(reader.stdout.readline())
        assert eventually(lambda: http_server.requests_to("/stuck.xml"), 30)  # under way
        os.kill(reader.pid, signal.SIGKILL)
        reader.wait()
        assert gone(child), "the refresh process outlived a killed reader"
    finally:
        reader.kill()
        reader.wait()
        reader.stdout.close()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def test_the_auto_refresh_starts_no_process_when_no_feed_is_due(
    make_app, http_server
) -> None:
    rss = Response(200, {"content-type": "application/rss+xml"}, RSS)
    good = http_server.route("/good.xml", rss)
    app = make_app([FeedSpec(good, title="Good")], filled=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)

        async def auto_refresh() -> None:  # what the minute timer does
            screen.start_refresh(force=False, quiet=True)
            await settled(pilot)

        await auto_refresh()  # never fetched: due
        assert len(http_server.requests_to("/good.xml")) == 1
        assert screen.feeds[good].unread == 1
        before = children_cpu()
        await auto_refresh()  # fetched a moment ago: not due for a while
        assert len(http_server.requests_to("/good.xml")) == 1
        assert not screen.refresher.running
        # A refresh process costs ~0.3 s of CPU even when it has nothing to do.
        assert children_cpu() - before < 0.1
        screen.start_refresh(force=False)  # not quiet (the launch refresh): says it, then ends
        await settled(pilot)
        text = screen_text(app)
        assert "Refreshing" not in text and "Last refresh" in text


def test_the_reader_runs_alone_until_a_refresh(tmp_path: Path) -> None:
    """Launched, the reader starts no helper process of its own: multiprocessing's resource
    tracker (12 MB, there from launch to quit) counted in the reader's memory for nothing once
    parsing moved to plain worker processes in the refresh process."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import newstui.ui.app as app\n"
        "seen = []\n"
        "class Writes:\n"
        "    def problem(self): return None\n"
        "    def close(self): return []\n"
        "class Reader:\n"
        "    store_failure = None\n"
        "    def __init__(self, *args, **kwargs): self.writes = Writes()\n"
        "    def run(self):\n"
        "        for task in os.listdir('/proc/self/task'):\n"
        "            seen.extend(Path(f'/proc/self/task/{task}/children').read_text().split())\n"
        "app.NewsApp = Reader\n"
        "app.run_app(None, Path(sys.argv[1]), themes=None, theme=None)\n"
        "print(len(seen))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "newstui.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0", "the reader started a process of its own at launch"


def _trace(path: Path) -> list[tuple[str, int, int]]:
    """(role, pid, parent pid) of each line the refresh process, its parse workers and their
    parses wrote (`newstui.feeds.parse_worker.note_process`)."""
    with contextlib.suppress(FileNotFoundError):
        lines = path.read_text(encoding="utf-8").splitlines()
        return [(role, int(pid), int(ppid)) for role, pid, ppid in map(str.split, lines)]
    return []


def test_a_refresh_in_the_real_reader_parses_in_a_worker_process(
    http_server: HTTPServer, tmp_path: Path
) -> None:
    """The reader as a user runs it (`newstui` on a terminal, Textual owning stdin, stdout
    and stderr), `R`: the refresh process starts, its parse worker is a process of its own,
    and the feed's entries are stored. Starting multiprocessing from inside the running app
    once failed every parse ("bad value(s) in fds_to_keep"); a worker that cannot start leaves
    the parsing to a thread of the refresh process. The processes say who they are in a trace
    file: sampling /proc for the worker missed it on a loaded machine (seen last after it had
    exited, with no command line)."""
    import pty
    import sqlite3

    from newstui.feeds.parse_worker import TRACE_ENV

    rss = Response(200, {"content-type": "application/rss+xml"}, RSS)
    url = http_server.route("/good.xml", rss)
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\nrefresh_on_start = false\nauto_refresh = false\n\n"
        f'[[feeds]]\nurl = "{url}"\ntitle = "Good"\n',
        encoding="utf-8",
    )
    data = tmp_path / "data"
    trace = tmp_path / "processes.txt"
    newstui = Path(sys.executable).parent / "newstui"
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40",
           TRACE_ENV: str(trace)}  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the reader, on the pty
        try:
            os.execve(str(newstui), [str(newstui), "--config", str(config), "--data-dir",
                                     str(data)], env)  # fmt: skip
        finally:
            os._exit(127)
    stored = 0
    try:
        os.set_blocking(fd, False)
        deadline = time.monotonic() + 45
        pressed = 0.0
        while time.monotonic() < deadline and stored < 1:
            with contextlib.suppress(OSError):  # drain the screen: a full pty blocks the app
                while os.read(fd, 65536):
                    pass
            refreshing = any(role == "refresh" for role, _, _ in _trace(trace))
            if not refreshing and time.monotonic() - pressed > 1.0:
                os.write(fd, b"R")  # again until the refresh starts: keys before mount are lost
                pressed = time.monotonic()
            if (data / "newstui.db").exists():
                with contextlib.suppress(sqlite3.Error):
                    db = sqlite3.connect(f"file:{data / 'newstui.db'}?mode=ro", uri=True)
                    try:
                        stored = db.execute("SELECT count(*) FROM entries").fetchone()[0]
                    finally:
                        db.close()
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            os.write(fd, b"q")
        end = time.monotonic() + 10
        while time.monotonic() < end and os.waitpid(pid, os.WNOHANG) == (0, 0):
            with contextlib.suppress(OSError):
                os.read(fd, 65536)
            time.sleep(0.05)
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        os.close(fd)
    lines = _trace(trace)
    children = {kid for role, kid, parent in lines if role == "refresh" and parent == pid}
    workers = {kid for role, kid, parent in lines if role == "worker" and parent in children}
    parses = [kid for role, kid, _ in lines if role == "parse"]
    assert children, f"no refresh process was started: {lines}"
    assert workers, f"the refresh process started no worker process: {lines}"
    assert parses, f"nothing was parsed: {lines}"
    assert set(parses) <= workers, f"a parse ran outside the parse workers: {lines}"
    assert stored == 1, "the feed's entry was not stored"
