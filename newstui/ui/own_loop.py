"""Running a coroutine on an event loop of its own, in a thread, from Textual's loop.

A refresh does ~1-3 ms of Python per feed on whatever loop runs it (httpx, the engine's
bookkeeping), in bursts of callbacks of 20-60 ms when hundreds of requests start at once:
on Textual's loop every key waited for them. On its own loop in a thread, the reader's
loop only shares the GIL with it, which Python hands over every switch interval (5 ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

STOP_WAIT = 5.0
"""Seconds a cancelled caller waits for the coroutine to finish its clean-up (close the
HTTP client, stop the parse workers) before leaving the daemon thread to it."""


async def on_own_loop(make: Callable[[], Coroutine[Any, Any, T]], *, name: str) -> T:
    """`await make()` run on a new event loop in a daemon thread; cancelling the caller
    cancels it there (and waits up to `STOP_WAIT` for its clean-up)."""
    caller = asyncio.get_running_loop()
    done: asyncio.Future[T] = caller.create_future()
    started = threading.Event()
    box: dict[str, Any] = {}

    def deliver(setter: Callable[[Any], None], value: Any) -> None:
        if not done.done():
            setter(value)

    def main() -> None:
        loop = asyncio.new_event_loop()
        try:
            task = loop.create_task(make())
            box["loop"], box["task"] = loop, task
            started.set()
            try:
                result = loop.run_until_complete(task)
            except BaseException as error:  # handed to the caller as it is
                if not caller.is_closed():
                    caller.call_soon_threadsafe(deliver, done.set_exception, error)
            else:
                if not caller.is_closed():
                    caller.call_soon_threadsafe(deliver, done.set_result, result)
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            started.set()
            loop.close()

    threading.Thread(target=main, name=name, daemon=True).start()
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        await asyncio.to_thread(started.wait)
        if "task" in box and not box["loop"].is_closed():
            box["loop"].call_soon_threadsafe(box["task"].cancel)
            with contextlib.suppress(asyncio.CancelledError, Exception):  # it is ending anyway
                await asyncio.wait_for(asyncio.shield(done), STOP_WAIT)
        raise
