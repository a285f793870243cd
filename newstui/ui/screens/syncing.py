"""Syncing with the `[sync]` server from the reader: in the background, reporting by messages.

A sync is a refresh with the server's source (`newstui.feeds.sources.server`): the
`RefreshController` runs it, alone (on start and every `[sync] interval`) or in the same pass as
the local feeds (R), in the refresh's own process, so no key ever waits for the network or the
server. This controller
keeps what the status line says and posts `Started` and `Finished` to its `host`; marks made
meanwhile wait in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.dom import DOMNode
from textual.message import Message

from newstui.core.settings import Config

if TYPE_CHECKING:
    from newstui.ui.screens.refreshing import RefreshController


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
        self,
        host: DOMNode,
        config: Config,
        db_path: Path,
        clock: Callable[[], datetime],
        refresher: RefreshController,
    ) -> None:
        assert config.sync is not None
        self.host = host
        self.config = config
        self.settings = config.sync
        self.db_path = db_path
        self.clock = clock
        self.refresher = refresher
        refresher.sync = self
        self.running = False
        self.last_sync: datetime | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        """Sync now, on its own (on start, every interval): unless one runs already."""
        self.refresher.start_sync()

    def began(self) -> None:
        """A refresh with the sync in it is starting."""
        self.running = True
        self.host.post_message(self.Started())

    def ended(self, report: Any) -> None:
        """That refresh ended; `report` is None when the sync could not run at all."""
        self.running = False
        if report is not None:
            self.last_error = report.error
            if report.error is None:
                self.last_sync = report.finished_at
        self.host.post_message(self.Finished(report))

    def text(self, waiting: int) -> str:
        return sync_text(
            last_sync=self.last_sync, waiting=waiting, error=self.last_error,
            running=self.running, now=self.clock(),
        )
