"""The parse workers of `newstui.feeds.parse_pool`: processes, each fed by a thread of its own.

Each worker process has a feeder thread that sends it the next body from the pool's queue the
moment it has answered the last one. Handing the next body over through the event loop instead
(the answer → the parse's coroutine → a free worker → a waiter thread) kept each worker idle
~4 ms between feeds while the loop was busy with downloads: ~17 % of a cold refresh's parse
time (measured). A feeder starts its worker and outlives it, so the worker's "exit with your
parent" signal, which Linux ties to the thread that started it, holds. No Textual here.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import newstui
from newstui.core.errors import ParseError

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


SOCKET_BUFFER = 4_000_000
"""Bytes asked for each direction of a worker's socket (the kernel grants what its limit
allows: ~400 KB on a stock Linux). A parsed 50-item feed is ~230 KB, more than the default
~180 KB: with the default, the worker waited for the main process to read half of it before
it could take its next feed (~2 ms a feed, measured)."""


class _Worker:
    """One worker process and our end of its socket."""

    def __init__(self, niceness: int) -> None:
        """Spawn the process (quick); `wait_ready` then waits for its imports."""
        ours, theirs = socket.socketpair()
        with ours, theirs:
            for end in (ours, theirs):
                with contextlib.suppress(OSError):
                    end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
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
        """Wait for the worker's "ready": its imports done, so that a job goes only to a worker
        that has imported the parser.

        Raises:
            OSError: the worker did not start (it was killed).
        """
        try:
            ready = self.conn.poll(START_TIMEOUT) and self.conn.recv() == "ready"
        except Exception:  # ended, or garbage on the socket: not a worker we can use
            ready = False
        if not ready:
            self.kill()
            raise OSError("a parse worker did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def call(self, job: tuple[Any, ...], deadline: float) -> tuple[str, Any]:
        """Send `job`, wait up to `deadline` seconds for the answer."""
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


class NoProcesses(Exception):
    """No worker process can be started here: parse on a thread instead."""


class Job:
    """A body waiting for a worker, then being parsed; answered once, through `future`."""

    __slots__ = ("end", "future", "job", "loop", "queued", "retried", "seconds")

    def __init__(
        self, job: tuple[Any, ...], seconds: float, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.job = job
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.loop = loop
        self.future: asyncio.Future[tuple[str, Any]] = loop.create_future()
        self.queued = True
        """In the queue, not yet taken by a feeder (changed only under `Lanes.cond`)."""
        self.retried = False

    def answer(self, outcome: tuple[str, Any] | BaseException) -> None:
        """The job's one outcome; the body is let go at once (the feed may wait a while for
        the writer, and its body must not be held meanwhile)."""
        self.job = ()
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            self.loop.call_soon_threadsafe(settle, self.future, outcome)


class Lanes:
    """What the feeder threads share with the pool: the queue of bodies and the workers.
    The feeders refer to this and not to the pool, so a pool dropped without `shutdown` is
    still collected (and ends its workers: `close`)."""

    def __init__(self, size: int, niceness: int) -> None:
        self.size = size
        self.niceness = niceness
        self.cond = threading.Condition()
        self.queue: collections.deque[Job] = collections.deque()
        self.free = 0
        """Feeders starting a worker or waiting for a body (not parsing one)."""
        self.feeders: list[threading.Thread] = []
        self.living: set[_Worker] = set()
        """Every worker started and not yet ended, whatever its state."""
        self.closed = False
        self.no_processes = False
        self.started = False
        """A worker has been ready once, or none can start, or the pool is shut: until then a
        body waits for the pool's own start (`when_started`) before its deadline runs."""
        self._start_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def when_started(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None] | None:
        """None once the pool has started; until then a future settled when it has (a feeder,
        and with it a worker, is started now if none is yet)."""
        with self.cond:
            if self.started:
                return None
            if not self.feeders:
                self.add_feeders(1)
            future = loop.create_future()
            self._start_waiters.append((loop, future))
            return future

    def _now_started(self) -> None:
        """A worker is ready (or none can start, or the pool is shut); under `cond`. After the
        first time there is nobody left to wake."""
        self.started = True
        for loop, future in self._start_waiters:
            with contextlib.suppress(RuntimeError):  # that loop is gone: nobody is waiting
                loop.call_soon_threadsafe(settle, future, None)
        self._start_waiters.clear()

    def submit(self, job: Job) -> None:
        with self.cond:
            if self.closed or self.no_processes:
                job.queued = False
                job.answer(
                    NoProcesses()
                    if not self.closed
                    else ParseError("cancelled", "the refresh was stopped")
                )
                return
            self.queue.append(job)
            if len(self.queue) > self.free:
                self.add_feeders(1)
            self.cond.notify()

    def add_feeders(self, count: int) -> None:
        """Start up to `count` more feeders (each starts its worker at once); under `cond`."""
        for _ in range(min(count, self.size - len(self.feeders))):
            self.free += 1
            thread = threading.Thread(target=_feed, args=(self,), name="newstui-parse-feed")
            thread.daemon = True
            self.feeders.append(thread)
            thread.start()

    def take(self) -> Job | None:
        """The next body to parse (waiting for one), or None once the pool is shut down."""
        with self.cond:
            while not self.queue and not self.closed:
                self.cond.wait()
            if self.closed:
                return None
            job = self.queue.popleft()
            job.queued = False
            self.free -= 1
            return job

    def done(self) -> None:
        with self.cond:
            self.free += 1

    def left(self) -> None:
        """A feeder thread ends (it was counted free): a later body may start another."""
        with self.cond:
            self.free -= 1
            with contextlib.suppress(ValueError):
                self.feeders.remove(threading.current_thread())

    def drop(self, job: Job) -> bool:
        """Take `job` out of the queue if no feeder has it yet; True if it was there."""
        with self.cond:
            if not job.queued:
                return False
            job.queued = False
            with contextlib.suppress(ValueError):
                self.queue.remove(job)
            return True

    def retry_first(self, job: Job) -> None:
        """Put a job whose worker died back at the head of the queue, for a fresh worker."""
        with self.cond:
            job.retried = True
            job.queued = True
            self.queue.appendleft(job)
            self.cond.notify()

    def close(self) -> None:
        """No more jobs; queued ones are told so; feeders end, and so do their workers."""
        with self.cond:
            self.closed = True
            self._now_started()
            while self.queue:
                job = self.queue.popleft()
                job.queued = False
                job.answer(ParseError("cancelled", "the refresh was stopped"))
            self.cond.notify_all()

    def start_worker(self) -> _Worker:
        try:
            worker = _Worker(self.niceness)
        except (OSError, ValueError, subprocess.SubprocessError) as error:
            raise OSError(f"a parse worker could not be started: {error}") from error
        with self.cond:
            self.living.add(worker)
        try:
            if self.closed:
                raise OSError("the pool was shut down")
            worker.wait_ready()
        except OSError:
            self.end_worker(worker)
            raise
        with self.cond:
            self._now_started()
        return worker

    def end_worker(self, worker: _Worker, *, kill: bool = True) -> None:
        with self.cond:
            self.living.discard(worker)
        worker.kill() if kill else worker.stop()

    def processes_failed(self) -> None:
        """No worker can start: every queued job (and each later one) parses on a thread."""
        with self.cond:
            self.no_processes = True
            self._now_started()
            while self.queue:
                job = self.queue.popleft()
                job.queued = False
                job.answer(NoProcesses())


def _feed(lanes: Lanes) -> None:
    """A feeder thread: its worker started, then one body after another until shutdown; a
    worker that overruns a deadline or dies is replaced before the next body."""
    worker: _Worker | None = None
    try:
        while True:
            if worker is None:
                try:
                    worker = lanes.start_worker()
                except OSError:
                    if not lanes.closed:
                        lanes.processes_failed()
                    return
            job = lanes.take()
            if job is None:
                return
            try:
                worker = _run(lanes, worker, job)
            except Exception:
                # Anything else (an answer too large to unpickle, MemoryError): this feed gets
                # an answer and the worker is replaced. A feeder that died here would leave its
                # feed waiting for an answer that never comes, and the refresh with it.
                job.answer(ParseError("crashed", "the parser failed on this feed"))
                lanes.end_worker(worker)
                worker = None
            finally:
                lanes.done()
            del job  # nor its answer, once the refresh has it
    finally:
        if worker is not None:
            lanes.end_worker(worker, kill=False)
        lanes.left()


def _run(lanes: Lanes, worker: _Worker, job: Job) -> _Worker | None:
    """Parse `job` on `worker`; returns the worker if it may parse the next one."""
    left = job.end - time.monotonic()
    if left <= 0:
        job.answer(took_too_long(job.seconds))
        return worker
    try:
        answer = worker.call(job.job, left)
    except _Overran:
        lanes.end_worker(worker)
        job.answer(took_too_long(job.seconds))
        return None
    except _Died:
        lanes.end_worker(worker)
        if lanes.closed:
            job.answer(ParseError("cancelled", "the refresh was stopped"))
        elif job.retried or job.end <= time.monotonic():
            job.answer(ParseError("crashed", "the parser crashed on this feed"))
        else:  # out of memory on a hostile feed? one retry on a fresh worker
            lanes.retry_first(job)
        return None
    job.answer(answer)
    return worker


def took_too_long(seconds: float) -> ParseError:
    return ParseError("timeout", f"took too long to parse (more than {seconds:.3g} s)")


def ignore(future: asyncio.Future[Any]) -> None:
    """Marks an answer nobody waits for any more as seen (asyncio would log it)."""
    if not future.cancelled():
        future.exception()


def settle(future: asyncio.Future[Any], outcome: object) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
