"""Where feed bodies are parsed during a refresh: worker processes, started only when needed.

Parsing dominates a refresh's CPU, and the reader's event loop must never wait for it, so
bodies go to worker processes (one per core by default, one core fewer inside the reader),
started the first time a body needs parsing: an all-304 refresh starts no process at all.

Each parse has a deadline, counted from the moment the feed's body is handed over: waiting
for a free worker, or for a new one to start, is part of it, so a feed's refresh (download,
wait, parse) ends within its own deadline whatever the other feeds do. A worker that overruns
it (a hostile feed the size and depth limits did not tame) is killed and replaced, and the feed
gets "took too long to parse"; a thread could not be stopped, so even `parse_workers = 1` means
one process. Only where processes cannot be started at all does a thread parse, still off the
event loop: there an overrunning parse is abandoned (its feed gets the same message) and
finishes on its own, bounded by those limits.

The workers are plain `python -c` child processes talking over a socket pair, not a
`multiprocessing` pool: that pool cannot stop one job, and its resource-tracker process
outlived a `kill -9` of newstui. Each worker also exits when newstui goes away, whatever the
signal (`newstui.feeds.parse_worker.serve`). No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import newstui
from newstui.core.errors import ParseError
from newstui.feeds import parse_worker

if TYPE_CHECKING:
    from newstui.core.rows import FeedRows

DEFAULT_DEADLINE = 30.0
"""Seconds a parse may take when the caller gives no deadline."""

START_TIMEOUT = 60.0
"""Seconds a new worker may take to import the parser (a loaded machine can be slow)."""

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from newstui.feeds.parse_worker import serve; serve(*map(int, sys.argv[2:5]))"
)


class _Overran(Exception):
    """The worker did not answer within the deadline."""


class _Died(Exception):
    """The worker process ended (killed, out of memory) instead of answering."""


class _Worker:
    """One worker process and our end of its socket."""

    def __init__(self, niceness: int) -> None:
        """Spawn the process (quick); `wait_ready` then waits for its imports."""
        ours, theirs = socket.socketpair()
        with ours, theirs:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",  # not the working directory first on the path: see refresh_child.BOOT
                    "-c",
                    _BOOT,
                    str(Path(newstui.__file__).resolve().parent.parent),
                    str(theirs.fileno()),
                    str(os.getpid()),
                    str(niceness),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
            self.conn = Connection(os.dup(ours.fileno()))

    def wait_ready(self) -> None:
        """Wait (on a thread) for the worker's "ready": its imports done, so that a job is sent
        only to a worker that has imported the parser (the parse's deadline counts this wait,
        `ParsePool.parse`). Waited for apart from the spawn, so that several workers import
        at once (each takes a core for ~0.3 s).

        Raises:
            OSError: the worker did not start (it was killed).
        """
        try:
            ready = self.conn.poll(START_TIMEOUT) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise OSError("a parse worker did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def call(self, job: tuple[Any, ...], deadline: float) -> tuple[str, Any]:
        """Send `job`, wait up to `deadline` seconds for the answer (on a thread)."""
        try:
            self.conn.send(job)
            if not self.conn.poll(deadline):
                raise _Overran
            return self.conn.recv()
        except (EOFError, OSError) as error:
            raise _Died from error

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.conn.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)

    def stop(self) -> None:
        """Ask an idle worker to exit (end of input), killing it if it does not."""
        self.conn.close()
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.kill()


class ParsePool:
    """`await pool.parse(...)` runs `parse_worker.parse` in a worker; `shutdown()` ends them."""

    def __init__(self, workers: int | None, *, spare_a_core: bool = False) -> None:
        """`workers`: the `parse_workers` setting (None or 0: one per core, less the spared
        one). `spare_a_core`: for the reader, whose own process needs a core for keys and
        drawing."""
        cores = os.cpu_count() or 1
        self._size = workers or max(1, cores - (1 if spare_a_core else 0))
        # Only the reader's workers yield the CPU (`parse_worker.warm_up`).
        self._niceness = parse_worker.NICENESS if spare_a_core else 0
        self._slots: asyncio.Semaphore | None = None
        """One per worker: held by a parse from checkout until its worker is back or gone."""
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._living: set[_Worker] = set()
        """Every worker started and not yet ended, whatever its state."""
        # A pool dropped without `shutdown` (its refresh task destroyed mid-way, as when an
        # app's loop ends first) still ends its workers when it is collected.
        weakref.finalize(self, _kill_all, self._living)
        # Workers are started on one long-lived thread: Linux ties a worker's "exit with your
        # parent" signal to the thread that started it, so that thread must not come and go.
        self._starter = ThreadPoolExecutor(1, thread_name_prefix="newstui-parse-start")
        self._waiters = ThreadPoolExecutor(self._size, thread_name_prefix="newstui-parse-wait")
        self._threaded = False
        self._closed = False
        self._warming: set[asyncio.Task[None]] = set()

    @property
    def mode(self) -> str:
        """ "process" or, where processes cannot be started, "thread"."""
        return "thread" if self._threaded else "process"

    @property
    def size(self) -> int:
        """The most worker processes parsing at once."""
        return self._size

    @property
    def pids(self) -> list[int]:
        """The worker processes alive now."""
        return [worker.pid for worker in (*self._idle, *self._busy)]

    def warm_up(self, workers: int) -> None:
        """Start up to `workers` workers now, in the background, instead of when the first
        body arrives: for a refresh sure to parse (feeds never fetched), so that their imports
        (~0.3 s of a core each) run while the first feeds download. Each is started by a task
        that holds a parse's slot until the worker is ready, as a parse would."""
        for _ in range(min(workers, self._size) - len(self._living) - len(self._warming)):
            task = asyncio.ensure_future(self._warm_one())
            self._warming.add(task)
            task.add_done_callback(self._warming.discard)

    async def _warm_one(self) -> None:
        if self._threaded or self._closed:
            return
        try:
            worker = await self._checkout()
        except (OSError, ParseError):  # no processes here: the first parse finds out itself
            return
        self._checkin(worker)

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
                a new one's start) counts, so the caller's deadline for the feed holds.
            max_bytes: The largest size a raw `.gz` document may unpack to.

        Raises:
            ParseError: the parser's own, or kind `timeout` ("took too long to parse").
        """
        seconds = DEFAULT_DEADLINE if deadline is None else deadline
        end = asyncio.get_running_loop().time() + seconds
        job = (url, body, dict(headers), now, max_bytes)
        if not self._threaded:
            try:
                return await self._in_process(job, seconds, end)
            except OSError:
                # Worker processes cannot be started here: parse on threads instead.
                self._threaded = True
        return await self._in_thread(job, seconds, end)

    async def _in_process(self, job: tuple[Any, ...], seconds: float, end: float) -> FeedRows:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            try:
                async with asyncio.timeout_at(end):
                    worker = await self._checkout()
            except TimeoutError:
                raise ParseError(
                    "timeout", f"took too long: no parser was free within {seconds:.3g} s"
                ) from None
            left = end - loop.time()
            if left <= 0:
                self._checkin(worker)
                raise _took_too_long(seconds)
            future = loop.run_in_executor(self._waiters, worker.call, job, left)
            try:
                status, value = await asyncio.shield(future)
            except asyncio.CancelledError:
                # The refresh was cancelled: the worker stays busy until it answers or overruns.
                future.add_done_callback(lambda done, w=worker: self._settle(w, done))
                raise
            except _Overran:
                await self._discard(worker)
                raise _took_too_long(seconds) from None
            except _Died:
                await self._discard(worker)
                if attempt == 2:
                    raise ParseError("crashed", "the parser crashed on this feed") from None
                continue  # out of memory on a hostile feed? one retry on a fresh worker
            self._checkin(worker)
            return _outcome(status, value)
        raise AssertionError("unreachable")

    async def _in_thread(self, job: tuple[Any, ...], seconds: float, end: float) -> FeedRows:
        """One daemon thread per parse: an overrunning one is left to finish on its own (the
        size and depth limits bound it) and never holds up newstui's exit."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[tuple[str, Any]] = loop.create_future()

        def run() -> None:
            parse_worker.prepare()
            answer = parse_worker.run_job(job)
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
                loop.call_soon_threadsafe(_set_result, done, answer)

        threading.Thread(target=run, name="newstui-parse", daemon=True).start()
        try:
            status, value = await asyncio.wait_for(
                asyncio.shield(done), max(end - loop.time(), 0)
            )
        except TimeoutError:
            raise _took_too_long(seconds) from None
        return _outcome(status, value)

    async def _checkout(self) -> _Worker:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._size)
        await self._slots.acquire()
        if self._closed:
            self._slots.release()
            raise ParseError("cancelled", "the refresh was stopped")
        if self._idle:
            worker = self._idle.pop()
        else:
            worker = await self._new_worker()
        self._busy.add(worker)
        return worker

    async def _new_worker(self) -> _Worker:
        """A started worker, for a parse that holds a slot (released here if it fails)."""
        assert self._slots is not None
        loop = asyncio.get_running_loop()
        starting = loop.run_in_executor(self._starter, self._start)
        try:
            worker = await asyncio.shield(starting)
        except BaseException:
            # Cancelled while the worker starts (the parse's deadline passed, or the refresh
            # stopped): the next parse gets it once it is ready, or shutdown ends it.
            starting.add_done_callback(self._keep_when_started)
            self._slots.release()
            raise
        # The imports are waited for on this parse's own waiter thread, not the starter's:
        # the next worker is spawned meanwhile.
        ready = loop.run_in_executor(self._waiters, worker.wait_ready)
        try:
            await asyncio.shield(ready)
        except BaseException:
            ready.add_done_callback(lambda done, w=worker: self._keep_when_ready(w, done))
            self._slots.release()
            raise
        if self._closed:  # shut down while it started: it must not outlive the pool
            worker.kill()
            self._slots.release()
            raise ParseError("cancelled", "the refresh was stopped")
        return worker

    def _start(self) -> _Worker:
        """On the starter thread: a new worker, known to `shutdown` from the moment it runs."""
        worker = _Worker(self._niceness)
        self._living.add(worker)
        if self._closed:
            worker.kill()
            raise ParseError("cancelled", "the refresh was stopped")
        return worker

    def _keep_when_started(self, starting: asyncio.Future[_Worker]) -> None:
        if starting.cancelled() or starting.exception() is not None:
            return
        worker = starting.result()
        try:
            ready = asyncio.get_running_loop().run_in_executor(self._waiters, worker.wait_ready)
        except RuntimeError:  # shut down: the waiter threads are gone
            worker.kill()
            return
        ready.add_done_callback(lambda done: self._keep_when_ready(worker, done))

    def _keep_when_ready(self, worker: _Worker, ready: asyncio.Future[None]) -> None:
        """A worker whose parse stopped waiting for it: idle once ready (`wait_ready` kills
        one that failed)."""
        if ready.cancelled() or ready.exception() is not None or self._closed:
            worker.kill()
        else:
            self._idle.append(worker)

    def _checkin(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        if self._closed:
            worker.stop()
        else:
            self._idle.append(worker)
        assert self._slots is not None
        self._slots.release()

    def _settle(self, worker: _Worker, future: asyncio.Future[Any]) -> None:
        """A cancelled parse's worker, once its answer (or failure) arrives."""
        if future.cancelled() or future.exception() is not None:
            self._busy.discard(worker)
            worker.kill()
            assert self._slots is not None
            self._slots.release()
        else:
            self._checkin(worker)

    async def _discard(self, worker: _Worker) -> None:
        """Kill an overrunning or dead worker; the next parse starts a replacement."""
        self._busy.discard(worker)
        try:
            await asyncio.get_running_loop().run_in_executor(self._starter, worker.kill)
        finally:
            assert self._slots is not None
            self._slots.release()

    def shutdown(self) -> None:
        """End every worker (busy ones are killed) and the helper threads."""
        self._closed = True
        for task in list(self._warming):
            task.cancel()
        for worker in self._idle:
            worker.stop()
        for worker in list(self._busy):
            worker.kill()
        self._idle.clear()
        self._busy.clear()
        self._starter.shutdown(wait=True)
        for worker in list(self._living):  # started while we were stopping, or abandoned
            worker.kill()
        self._living.clear()
        self._waiters.shutdown(wait=False, cancel_futures=True)


def _kill_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()


def _took_too_long(seconds: float) -> ParseError:
    return ParseError("timeout", f"took too long to parse (more than {seconds:.3g} s)")


def _outcome(status: str, value: Any) -> FeedRows:
    if status == "ok":
        return value
    if status == "parse-error":
        raise ParseError(*value)
    raise ParseError("crashed", f"the parser failed: {value}")


def _set_result(future: asyncio.Future[Any], value: object) -> None:
    if not future.done():
        future.set_result(value)
