"""Where feed bodies are parsed during a refresh: worker processes, started only when needed.

Parsing dominates a refresh's CPU, and the reader's event loop must never wait for it, so
bodies go to worker processes (one per core by default, one core fewer inside the reader),
started the first time a body needs parsing: an all-304 refresh starts no process at all.

Each parse has a deadline, counted from the moment the feed's body is handed over: waiting
for a free worker, or for a replacement to start, is part of it, so a feed's refresh
(download, wait, parse) ends within its own deadline whatever the other feeds do. Only the
pool's own start is not: a body that comes before the first worker is ready waits for it
(at most `parse_lanes.START_TIMEOUT`) and its deadline runs from then. On a loaded machine a
worker's imports can take longer than a short deadline, and they are newstui's time, not the
feed's: counted, they failed every feed of the refresh with "no parser was free".

A worker that overruns a deadline (a hostile feed the size and depth limits did not tame) is
killed and replaced, and the feed gets "took too long to parse"; a thread could not be
stopped, so even `parse_workers = 1` means one process. Only where processes cannot be
started at all does a thread parse, still off the event loop: there an overrunning parse is
abandoned (its feed gets the same message) and finishes on its own, bounded by those limits.

The workers are plain `python -c` child processes talking over a socket pair, not a
`multiprocessing` pool: that pool cannot stop one job, and its resource-tracker process
outlived a `kill -9` of newstui. Each worker also exits when newstui goes away, whatever the
signal (`newstui.feeds.parse_worker.serve`). No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newstui.core.errors import ParseError
from newstui.feeds import parse_worker
from newstui.feeds.parse_lanes import Job, Lanes, NoProcesses, ignore, settle, took_too_long

if TYPE_CHECKING:
    from newstui.core.rows import FeedRows

DEFAULT_DEADLINE = 30.0
"""Seconds a parse may take when the caller gives no deadline."""

ANSWER_GRACE = 10.0
"""Seconds past its deadline a feed taken by a feeder waits for that feeder's answer (it kills
an overrunning worker and waits up to 5 s for it to end): a bound, so no feed waits forever."""


class ParsePool:
    """`await pool.parse(...)` runs `parse_worker.parse` in a worker; `shutdown()` ends them."""

    def __init__(self, workers: int | None, *, spare_a_core: bool = False) -> None:
        """`workers`: the `parse_workers` setting (None or 0: one per core, less the spared
        one). `spare_a_core`: for the reader, whose own process needs a core for keys and
        drawing."""
        cores = os.cpu_count() or 1
        self._size = workers or max(1, cores - (1 if spare_a_core else 0))
        # Only the reader's workers yield the CPU (`parse_worker.warm_up`).
        self._lanes = Lanes(self._size, parse_worker.NICENESS if spare_a_core else 0)
        # A pool dropped without `shutdown` (its refresh task destroyed mid-way, as when an
        # app's loop ends first) still ends its workers when it is collected.
        weakref.finalize(self, _close, self._lanes)

    @property
    def mode(self) -> str:
        """ "process" or, where processes cannot be started, "thread"."""
        return "thread" if self._lanes.no_processes else "process"

    @property
    def size(self) -> int:
        """The most worker processes parsing at once."""
        return self._size

    @property
    def pids(self) -> list[int]:
        """The worker processes alive now."""
        with self._lanes.cond:
            return [worker.pid for worker in self._lanes.living]

    def warm_up(self, workers: int) -> None:
        """Start up to `workers` workers now, in the background, instead of when the first
        body arrives: for a refresh sure to parse (feeds never fetched), so that their imports
        (~0.3 s of a core each) run while the first feeds download."""
        lanes = self._lanes
        with lanes.cond:
            if not lanes.closed and not lanes.no_processes:
                lanes.add_feeders(workers - len(lanes.feeders))

    async def parse(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        now: datetime,
        deadline: float | None = None,
        max_bytes: int | None = None,
    ) -> FeedRows:
        """Parse one body in a worker: the feed's rows, ready for `Store.save_fetch`.

        Args:
            deadline: Seconds from now the feed may still take: waiting for a free worker (or
                a replacement's start) counts, so the caller's deadline for the feed holds;
                the pool's first start does not.
            max_bytes: The largest size a raw `.gz` document may unpack to.

        Raises:
            ParseError: the parser's own, or kind `timeout` ("took too long to parse").
        """
        seconds = DEFAULT_DEADLINE if deadline is None else deadline
        job = (url, body, dict(headers), now, max_bytes)
        loop = asyncio.get_running_loop()
        starting = None if self._lanes.no_processes else self._lanes.when_started(loop)
        if starting is not None:
            await starting  # the pool's own start: not the feed's time
        end = loop.time() + seconds
        if not self._lanes.no_processes:
            try:
                return await self._in_process(job, seconds)
            except NoProcesses:
                pass  # worker processes cannot be started here: parse on threads instead
        return await self._in_thread(job, seconds, end)

    async def _in_process(self, job: tuple[Any, ...], seconds: float) -> FeedRows:
        lanes = self._lanes
        waiting = Job(job, seconds, asyncio.get_running_loop())
        lanes.submit(waiting)
        try:
            # A feeder that has taken the job answers within its deadline (it stops the
            # worker then); one still in the queue at the deadline is taken out here.
            answer = await asyncio.wait_for(asyncio.shield(waiting.future), seconds)
        except TimeoutError:
            if lanes.drop(waiting):
                raise ParseError(
                    "timeout", f"took too long: no parser was free within {seconds:.3g} s"
                ) from None
            try:  # a feeder answers an overrun once its worker is killed (a few seconds)
                answer = await asyncio.wait_for(asyncio.shield(waiting.future), ANSWER_GRACE)
            except TimeoutError:
                waiting.future.add_done_callback(ignore)
                raise took_too_long(seconds) from None
        except asyncio.CancelledError:
            # The refresh was cancelled: a job being parsed keeps its worker until it answers
            # or overruns (its answer is then dropped); one still queued is never parsed.
            if not lanes.drop(waiting):
                waiting.future.add_done_callback(ignore)
            raise
        return _outcome(*answer)

    async def _in_thread(self, job: tuple[Any, ...], seconds: float, end: float) -> FeedRows:
        """One daemon thread per parse: an overrunning one is left to finish on its own (the
        size and depth limits bound it) and never holds up newstui's exit."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[tuple[str, Any]] = loop.create_future()

        def run() -> None:
            parse_worker.prepare()
            answer = parse_worker.run_job(job)
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
                loop.call_soon_threadsafe(settle, done, answer)

        threading.Thread(target=run, name="newstui-parse", daemon=True).start()
        try:
            status, value = await asyncio.wait_for(asyncio.shield(done), max(end - loop.time(), 0))
        except TimeoutError:
            raise took_too_long(seconds) from None
        return _outcome(status, value)

    def shutdown(self) -> None:
        """End every worker (busy ones are killed) and the feeder threads."""
        _close(self._lanes)


def _close(lanes: Lanes) -> None:
    """Shut the lanes: queued jobs are cancelled, every living worker killed (a feeder then
    ends its own), and the feeders waited for."""
    lanes.close()
    with lanes.cond:
        living = list(lanes.living)
        feeders = list(lanes.feeders)
    for worker in living:
        with contextlib.suppress(OSError):
            worker.process.kill()
    for thread in feeders:
        if thread is not threading.current_thread():
            thread.join(10)


def _outcome(status: str, value: Any) -> FeedRows:
    if status == "ok":
        return value
    if status == "parse-error":
        raise ParseError(*value)
    raise ParseError("crashed", f"the parser failed: {value}")
