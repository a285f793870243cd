"""Syncing with the `[sync]` server from the reader: in the background, reporting by messages.

`newstui.feeds.sync` does the work: HTTP on Textual's loop (a few requests per sync), the store
on a thread of its own, so no key ever waits for the network or the server. Like
`RefreshController`, this controller knows nothing of the screen: it runs the sync in a worker
of its `host` and posts `Finished` with the report. The reader syncs on start, every
`[sync] interval` and when the user presses R; marks made meanwhile wait in the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from textual.dom import DOMNode
from textual.message import Message

from newstui.core.config import Config


def _import_sync() -> ModuleType:
    """The sync machinery (httpx), imported on a thread when first needed."""
    from newstui.feeds import sync

    return sync


def sync_text(
    *, last_sync: datetime | None, waiting: int, error: str | None, running: bool,
    now: datetime,
) -> str:
    """ "Synced 14:05 · 3 waiting" / "Sync failed: cannot reach ... · 3 waiting"."""
    if running:
        text = "Syncing…"
    elif error:
        text = f"Sync failed: {error}"
    elif last_sync is None:
        text = "Not synced yet"
    else:
        local = last_sync.astimezone()
        today = now.astimezone().date()
        text = "Synced " + (
            local.strftime("%H:%M") if local.date() == today else local.strftime("%b %d %H:%M")
        )
    if waiting:
        text += f" · {waiting} waiting"
    return text


class SyncController:
    """Starts syncs on request, one at a time, and reports to `host` by messages."""

    @dataclass
    class Started(Message):
        pass

    @dataclass
    class Finished(Message):
        """The sync ended; `report` is the engine's `SyncReport` (None if it could not run)."""

        report: Any

    def __init__(
        self, host: DOMNode, config: Config, db_path: Path, clock: Callable[[], datetime]
    ) -> None:
        assert config.sync is not None
        self.host = host
        self.config = config
        self.settings = config.sync
        self.db_path = db_path
        self.clock = clock
        self.running = False
        self.last_sync: datetime | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.host.post_message(self.Started())
        self.host.run_worker(self._run(), group="sync", exit_on_error=False)

    async def _run(self) -> None:
        report = None
        try:
            sync = await asyncio.to_thread(_import_sync)
            store = sync.StoreThread(self.db_path)
            try:
                report = await sync.sync_once(
                    store,
                    self.settings,
                    local_urls=[spec.url for spec in self.config.feeds if not spec.sync],
                    clock=self.clock,
                )
            finally:
                await store.close()
            self.last_error = report.error
            if report.error is None:
                self.last_sync = report.finished_at
        finally:
            self.running = False
            self.host.post_message(self.Finished(report))

    def text(self, waiting: int) -> str:
        return sync_text(
            last_sync=self.last_sync, waiting=waiting, error=self.last_error,
            running=self.running, now=self.clock(),
        )
