"""What runs inside a parse worker process, kept tiny on purpose.

A spawned worker imports the module of every function it is sent. Living in `newstui.feeds.refresh`,
these pulled httpx, ssl, asyncio, SQLite and rich into each worker (~40 MB idle); here the
worker imports only this module and `newstui.feeds.parse` (~30 MB).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstui.core.rows import FeedRows

NICENESS = 10
"""How much lower parse workers run than the process that started them."""

TRACE_ENV = "NEWSTUI_TEST_PROCESS_TRACE"
"""For tests: the path of a file where each refresh process (`newstui.feeds.refresh_child`),
each parse worker and each parse appends a line saying which process it is, so that a test
learns which process parsed from the processes themselves instead of sampling /proc for a
worker that may have come and gone between two looks (tests/ui/test_refresh_process.py)."""


DEFERRED_MODULES = ("ssl", "chardet")
"""Modules feedparser imports that a parse worker rarely or never uses, loaded only when first
used (`_defer`), so that each worker is ~4 MB smaller (29.5 -> 25.4 MB RSS idle, measured in
a fresh interpreter): ssl (OpenSSL, through feedparser's `urllib.request` and `http.client`; a
worker opens no connection) and chardet (its tables, asked only about a body none of whose
declared encodings decodes it). Deferred, not left out: the first attribute read imports the
real module, so nothing parses differently (tests/test_parse_worker_imports.py)."""


READER_BLOCKED_MODULES = ("_hashlib",)
"""Modules a parse worker of the reader's refresh never imports (`warm_up`): `_hashlib` is
OpenSSL's hashes, and without it `hashlib` uses Python's own sha1 and sha256 (the same
digests), so the worker never maps libcrypto: 29.4 -> 25.7 MB RSS while parsing the reader's
500-feed refresh (`bench/child_memory.py`, two runs each), worker CPU 6.2 -> 6.4 s. Only
there: the reader's process tree is judged by its memory (< 150 MB with the reader), while a
headless `newstui refresh` (~115 MB) is judged by its time and keeps OpenSSL's sha1 (~7x
faster on an entry's 3 KB)."""


def note_process(role: str) -> None:
    """Append `role pid parent-pid` to the `TRACE_ENV` file, when a test asked for one."""
    path = os.environ.get(TRACE_ENV)
    if path:
        with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as trace:
            trace.write(f"{role} {os.getpid()} {os.getppid()}\n")


def prepare() -> None:
    """Make this process ready to parse: the parser imported up front (not during the first
    feed's parse) and feedparser's speed-ups installed (they change no result)."""
    from newstui.feeds import parse, speedups  # noqa: F401

    speedups.install()


class _Deferred(types.ModuleType):
    """Stands in `sys.modules` for a module not imported yet: `import name` finds it, and the
    first attribute read imports the real module, which then answers every read.
    (`importlib.util.LazyLoader` cannot do this: Python 3.11's `import` statement itself reads
    the module's `__spec__`, which loads it.)"""

    def __getattr__(self, attr: str) -> Any:
        real = self.__dict__.get("_deferred_real")
        if real is None:
            import importlib

            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_deferred_real"] = real
        return getattr(real, attr)


def _defer(names: tuple[str, ...]) -> None:
    """Put a `_Deferred` in `sys.modules` for each module not imported yet (one that is not
    installed stays absent, so `import` fails as it would have). Only in a worker process
    before its imports: a process with threads of its own imports them as usual."""
    import importlib.util

    for name in names:
        spec = None if name in sys.modules else importlib.util.find_spec(name)
        if spec is not None:
            stand_in = _Deferred(name)
            stand_in.__spec__ = spec
            sys.modules[name] = stand_in


def warm_up(niceness: int = NICENESS) -> None:
    """Runs once in each parse worker process as it starts.

    In the reader, parsing is batch work: at a lower priority (`niceness` above the reader's)
    the scheduler gives the reader's keys and drawing the CPU first when both want it; the
    workers still use every idle cycle. A headless refresh passes 0: there nothing waits for
    keys, and its workers run at the priority the command was started with (`nice newstui
    refresh` still makes them yield), instead of losing the cores to every other program.
    """
    if niceness:
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
            os.nice(niceness)
        for name in READER_BLOCKED_MODULES:  # None: `import` raises ImportError
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    _defer(DEFERRED_MODULES)
    prepare()


def parse(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
    max_bytes: int | None = None,
) -> FeedRows:
    """`newstui.feeds.parse.parse_feed`, its result as the store's rows (`newstui.core.rows`)
    with their search index columns: built here, they cross back to the main process as plain
    tuples, and the main process only writes them. Imported here and not at the top: the main
    process (which only refers to this function) never parses, and feedparser, nh3 and chardet
    would cost it ~15 MB for nothing.
    `max_bytes`: the most a raw `.gz` body may unpack to."""
    from newstui.core.rows import feed_rows, with_index
    from newstui.feeds.parse import parse_feed

    if max_bytes is None:
        parsed = parse_feed(url, body, headers, now=now)
    else:
        parsed = parse_feed(url, body, headers, now=now, max_bytes=max_bytes)
    # The search index's columns too: they are Python work (~25 us an entry) that the main
    # process's writer would otherwise do while holding the GIL the event loop needs.
    return with_index(feed_rows(parsed))


def run_job(job: tuple[Any, ...]) -> tuple[str, Any]:
    """One parse, its outcome as a value that pickles: ("ok", FeedRows), ("parse-error",
    (kind, message)) or ("error", "Type: message") for a bug."""
    from newstui.core.errors import ParseError

    url, body, headers, now, max_bytes = job
    note_process("parse")
    try:
        return "ok", parse(url, body, headers, now=now, max_bytes=max_bytes)
    except ParseError as error:
        return "parse-error", (error.kind, error.message)
    except Exception as error:  # a bug costs this feed, not the worker
        return "error", f"{type(error).__name__}: {str(error)[:200]}"


def serve(fd: int, parent_pid: int, niceness: int = NICENESS) -> None:
    """The worker process's main loop (`newstui.feeds.parse_lanes` starts it): a job in, its
    outcome out, until the parent closes its end of the socket or goes away."""
    from multiprocessing.connection import Connection

    _exit_with_parent(parent_pid)
    warm_up(niceness)
    conn = Connection(fd)
    note_process("worker")
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(run_job(job))
        except OSError:
            return


PR_SET_PDEATHSIG = 1


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker when newstui ends, however it ends (`kill -9` included): a worker busy
    with a long parse would otherwise live on, holding its memory, after its parent is gone.

    On Linux the kernel sends SIGKILL when the parent goes (`prctl(PR_SET_PDEATHSIG)`);
    elsewhere, and as a second guard, a thread checks once a second that the parent is still
    this worker's parent.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the guard was set
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="newstui-parent-watch", daemon=True).start()
