"""Waiting for a state, not for a time: poll a condition until it holds, within a deadline
generous enough for a loaded machine (2 cores shared with busy neighbours). A test that waits
so is as quick as the state comes and fails (slowly) only when it never comes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

DEADLINE = 20.0
"""Seconds: far beyond what any state waited for takes on an idle machine (well under 1 s)."""

EVERY = 0.02
"""Seconds between two looks at the condition."""


def eventually(condition: Callable[[], Any], seconds: float = DEADLINE) -> bool:
    """Whether `condition()` holds within `seconds` (for threads and other processes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return bool(condition())
        time.sleep(EVERY)
    return True


async def until(pilot: Any, condition: Callable[[], Any], seconds: float = DEADLINE) -> None:
    """Fail unless `condition()` holds within `seconds`. Between looks the app's pending
    messages are handled (`pilot.pause`); with `pilot` None (no app, or none left to wait
    for), only the event loop runs."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if pilot is None:
            await asyncio.sleep(EVERY)
        else:
            await pilot.pause(EVERY)


async def settled(pilot: Any, seconds: float = DEADLINE) -> None:
    """Every worker of the app done, with the messages they left handled and no worker started
    by those (a refresh's end posts `Finished`, whose handler starts the lists' reload:
    `app.workers.wait_for_complete()` alone returns before that reload has run)."""
    app = pilot.app
    deadline = time.monotonic() + seconds
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return
        assert time.monotonic() < deadline, "timed out"


async def written(pilot: Any) -> None:
    """Every write the reader queued is in the store: a read mark is written by the reader's
    write thread once its key's frame is drawn, not by the key (`newstui.ui.writes`), so a
    test that reads the store through another connection waits for it first."""
    await until(pilot, lambda: pilot.app.writes.pending() == 0)
