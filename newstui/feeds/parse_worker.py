"""What runs inside a parse worker process, kept tiny on purpose.

A spawned worker imports the module of every function it is sent. Living in `newstui.feeds.refresh`,
these pulled httpx, ssl, asyncio, SQLite and rich into each worker (~40 MB idle); here the
worker imports only this module and `newstui.feeds.parse` (~30 MB).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newstui.core.rows import FeedRows

NICENESS = 10
"""How much lower parse workers run than the process that started them."""


def prepare() -> None:
    """Make this process ready to parse: the parser imported up front (not during the first
    feed's parse) and feedparser's speed-ups installed (they change no result)."""
    from newstui.feeds import parse, speedups  # noqa: F401

    speedups.install()


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
    prepare()


def parse(url: str, body: bytes, headers: Mapping[str, str], *, now: datetime) -> FeedRows:
    """`newstui.feeds.parse.parse_feed`, its result as the store's rows (`newstui.core.rows`):
    built here, they cross back to the main process as plain tuples, and the main process only
    writes them. Imported here and not at the top: the main process (which only refers to this
    function) never parses, and feedparser, nh3 and chardet would cost it ~15 MB for nothing."""
    from newstui.core.rows import feed_rows
    from newstui.feeds.parse import parse_feed

    return feed_rows(parse_feed(url, body, headers, now=now))
