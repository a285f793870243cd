"""Where feed bodies are parsed during a refresh: worker processes, started only when needed.

Parsing dominates a refresh's CPU, and the reader's event loop must never wait for it, so
bodies go to a pool of worker processes (one per core by default, one core fewer inside the
reader), started on a thread the first time a body needs parsing: an all-304 refresh starts no
process at all. A pool whose worker died is replaced; where processes cannot be started, one
thread parses instead, still off the event loop. No Textual here.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from newstui.feeds import parse_worker

if TYPE_CHECKING:
    from newstui.core.rows import FeedRows


class ParsePool:
    """`await pool.parse(...)` runs `parse_worker.parse` in a worker; `shutdown()` ends them."""

    def __init__(self, workers: int | None, *, spare_a_core: bool = False) -> None:
        """`workers`: the `parse_workers` setting (None: one per core, less the spared one;
        1: a thread). `spare_a_core`: for the reader, whose own process needs a core for keys
        and drawing: its workers also run at a lower priority (`parse_worker.warm_up`)."""
        self._workers = workers
        self._spare_a_core = spare_a_core
        self._executor: Executor | None = None
        self._lock = asyncio.Lock()

    async def parse(
        self, url: str, body: bytes, headers: Mapping[str, str], *, now: datetime
    ) -> FeedRows:
        """The feed's rows, ready for `Store.save_fetch`."""
        loop = asyncio.get_running_loop()
        call = partial(parse_worker.parse, url, body, headers, now=now)
        try:
            return await loop.run_in_executor(await self._started(), call)
        except BrokenProcessPool:
            # A worker died (out of memory on a hostile feed?): start a new pool and retry once.
            self._executor = None
            return await loop.run_in_executor(await self._started(), call)
        except (OSError, ValueError):
            if not isinstance(self._executor, ProcessPoolExecutor):
                raise
            # Worker processes cannot be started here: parse on a thread instead, still
            # off the event loop, rather than fail every feed.
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = _thread_pool()
            return await loop.run_in_executor(self._executor, call)

    @property
    def executor(self) -> Executor | None:
        """The executor parsing now (None before the first parse and after `shutdown`)."""
        return self._executor

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def _started(self) -> Executor:
        """The executor, its worker processes started on a thread the first time: spawning them
        from the event loop held the reader's keys up for tens of milliseconds."""
        if self._executor is None:
            async with self._lock:
                if self._executor is None:
                    self._executor = await asyncio.to_thread(self._start)
        return self._executor

    def _start(self) -> Executor:
        cores = os.cpu_count() or 1
        spare = 1 if self._spare_a_core else 0
        workers = self._workers or max(1, cores - spare)
        if self._workers == 1 or cores == 1:
            return _thread_pool()
        # spawn, not fork: forking a process that runs threads (the TUI, httpx) is unsafe; and
        # not forkserver, whose extra process cost ~13 MB for nothing.
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=parse_worker.warm_up,
            initargs=(parse_worker.NICENESS if self._spare_a_core else 0,),
        )
        pool.submit(os.getpid)  # a process pool starts its workers on its first job
        return pool


def _thread_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        1, thread_name_prefix="newstui-parse", initializer=parse_worker.prepare
    )
