"""The reader's refresh in a process of its own: the engine `newstui refresh` uses, at a lower
priority, reporting over a pipe. No Textual here.

In the reader's own process a refresh (httpx, the engine's bookkeeping, SQLite writes, the
parse results coming back) held the GIL for a few milliseconds per feed, and every key waited
for it: ~100 ms at the p95 during a first refresh. Here it shares no GIL with the reader,
and at `NICENESS` the scheduler gives the reader's keys and drawing a core first.

The protocol is pickles, both ways, between the reader and the child it started (nothing
else writes to these pipes, so nothing untrusted is unpickled): the reader writes one `Job` to
the child's stdin and keeps stdin open; the child writes `(kind, value)` frames to its stdout:
`("todo", urls)` once the plan is made, `("update", FeedUpdate)` per feed done, `("sync",
SyncReport)` when the sync in the refresh ends, `("stopped", text)` when the database could not
be used, `("error", text)` on anything unexpected, and `("done", None)` last. End of input on
stdin (the reader closed it, quit, or was killed, even with `kill -9`) cancels the refresh: the
child closes its client and parse workers and exits, so it never outlives the reader for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
import threading
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newstui.core.errors import StoreError
from newstui.core.timefmt import utc_now
from newstui.feeds.parse_worker import note_process

if TYPE_CHECKING:
    from newstui.core.config import Settings, SyncSettings
    from newstui.core.config_search import Filter
    from newstui.core.models import FeedSpec

NICENESS = 5
"""How much lower the child runs than the reader (its parse workers run lower still)."""

BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from newstui.feeds.refresh_child import main; main()"
)
"""`python -P -c BOOT ROOT`: the child's entry (ROOT: the folder holding the newstui package, so
the child runs the reader's own code). `-P`: without it `-c` puts the working directory first
on the path, and a `pickle.py` or `asyncio.py` in the folder the reader was started from would
be imported (the reader itself, a console script, never looks there)."""


@dataclass(frozen=True)
class Job:
    """What the reader asks for: `Refresher(db_path, settings, ...)` then `run(specs)`."""

    db_path: Path
    settings: Settings
    specs: list[FeedSpec]
    force: bool
    filters: tuple[Filter, ...] = ()
    sync: SyncSettings | None = None
    """With a `[sync]` server in this refresh: its settings (the sync runs in the same pass)."""
    local_urls: list[str] = field(default_factory=list)
    """feeds.toml's feeds that stay local (`sync = false`)."""
    clock_offset: timedelta = timedelta(0)
    """The reader's clock minus the real one (tests run the reader at a fixed time)."""


def main() -> None:
    """The child's entry: read the `Job`, run it, report; exit when stdin ends."""
    note_process("refresh")
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    # Nothing else may write into the frames: not a stray print (Python's stdout), nor
    # anything writing to descriptor 1 (a library, the parse workers inheriting it).
    sys.stdout = sys.stderr
    os.dup2(sys.stderr.fileno(), 1)
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: no os.nice (Windows)
        os.nice(NICENESS)
    try:
        job: Job = pickle.load(sys.stdin.buffer)
    except (EOFError, pickle.UnpicklingError):
        return
    send = _Sender(out)
    try:
        asyncio.run(_main(job, send))
    except KeyboardInterrupt:
        pass
    finally:
        send("done", None)
        with contextlib.suppress(OSError):
            out.close()


class _Sender:
    """Writes frames to the reader, from any thread; a reader gone away is ignored."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._lock = threading.Lock()

    def __call__(self, kind: str, value: Any) -> None:
        with self._lock, contextlib.suppress(OSError, ValueError):
            pickle.dump((kind, value), self._out, protocol=pickle.HIGHEST_PROTOCOL)
            self._out.flush()


async def _main(job: Job, send: _Sender) -> None:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()

    def watch_input() -> None:
        # Anything or nothing more on stdin: the reader is done with us (or gone). The raw
        # descriptor, not sys.stdin: a thread blocked inside the buffered reader holds its
        # lock, and Python's exit aborts (SIGABRT) when it cannot take that lock within 1 s.
        with contextlib.suppress(OSError):
            while os.read(0, 65536):
                pass
        with contextlib.suppress(RuntimeError):  # the loop closed: we are ending anyway
            loop.call_soon_threadsafe(task.cancel)

    threading.Thread(target=watch_input, name="newstui-refresh-stdin", daemon=True).start()
    try:
        await _refresh(job, send)
    except asyncio.CancelledError:
        pass
    except StoreError as exc:
        send("stopped", f"Refresh stopped: {exc}")
    except Exception:  # said to the reader, which shows it as any error of a worker
        send("error", traceback.format_exc(limit=8))


async def _refresh(job: Job, send: _Sender) -> None:
    from newstui.feeds import refresh

    def clock() -> Any:
        return utc_now() + job.clock_offset

    sources: list[Any] = []
    if job.sync is not None:
        from newstui.feeds.sources.server import ServerSource

        def heard(report: Any) -> None:
            if report is not None:  # the sync is done (the refresh may go on)
                send("sync", report)

        sources.append(
            ServerSource(job.sync, local_urls=job.local_urls, always=True, listener=heard)
        )
    refresher = refresh.Refresher(
        job.db_path, job.settings, clock=clock, spare_a_core=True, filters=job.filters,
        sources=sources,
    )  # fmt: skip
    async with refresher:
        states = await refresher.feed_states()
        todo = refresh.plan_refresh(job.specs, states, clock(), force=job.force)
        if not todo and job.sync is None:
            return
        send("todo", [spec.url for spec in todo])
        async for update in refresher.run(todo, force=True):
            send("update", update)


if __name__ == "__main__":
    main()
