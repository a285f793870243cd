"""Running refreshes from the reader: in the background, with progress in the status line.

The engine's `Refresher` does the work: fetches are async on Textual's loop, parsing runs in
worker processes and database writes on their own thread, so keys stay responsive. The lists
are reloaded at most a few times a second while results arrive, keeping the user's place.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from newstui.core.config import Config
from newstui.core.models import FeedSpec, FeedUpdate, UpdateStatus
from newstui.core.views import View
from newstui.store import Store

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen

RELOAD_EVERY = 2.0
"""Seconds between list reloads while a refresh is delivering results (each reload re-counts
2,000 feeds on a thread, whose Python work competes with the keys for the GIL)."""


def _import_refresh() -> ModuleType:
    """The refresh machinery (httpx, the parse pool), imported when first needed: a plain
    import, so the linter sees the edge; callers run it on a thread, off the event loop."""
    from newstui.feeds import refresh

    return refresh


class RefreshController:
    def __init__(
        self, screen: MainScreen, config: Config, db_path: Path, clock: Callable[[], datetime]
    ) -> None:
        self.screen = screen
        self.config = config
        self.db_path = db_path
        self.clock = clock
        self.running = False
        self.reader: Store | None = None
        self.last_finished: datetime | None = None
        self._dirty = False

    def specs_for(self, view: View | None) -> list[FeedSpec]:
        feeds = list(self.config.feeds)
        if view is None or view.kind in ("unread", "bookmarks", "all"):
            return feeds
        if view.kind == "tag":
            return [spec for spec in feeds if view.key in spec.tags]
        return [spec for spec in feeds if spec.url == view.key]

    def start(self, *, force: bool, view: View | None = None, quiet: bool = False) -> None:
        """Refresh the feeds of `view` (all when None): due ones, or every one when `force`."""
        if self.running:
            if not quiet:
                self.screen.notify("A refresh is already running.", timeout=2)
            return
        specs = self.specs_for(view)
        if not specs:
            return
        self.running = True
        self.screen.run_worker(
            self._run(specs, force=force, quiet=quiet),
            group="refresh",
            exit_on_error=False,
        )

    async def _run(self, specs: list[FeedSpec], *, force: bool, quiet: bool) -> None:
        screen = self.screen
        errors: list[FeedUpdate] = []
        # A connection of its own for the background reloads (WAL: reads never wait).
        self.reader = await asyncio.to_thread(Store, self.db_path)
        timer = screen.set_interval(RELOAD_EVERY, self._flush)
        try:
            # Importing httpx (~0.15 s) and building the HTTP client with its TLS certificates
            # (~0.05 s): not on the event loop, where they held keys up.
            refresh = await asyncio.to_thread(_import_refresh)
            refresher = await asyncio.to_thread(
                functools.partial(
                    refresh.Refresher,
                    self.db_path,
                    self.config.settings,
                    clock=self.clock,
                    spare_a_core=True,
                )
            )
            async with refresher:
                states = await refresher.feed_states()
                todo = refresh.plan_refresh(specs, states, self.clock(), force=force)
                if not todo:
                    if not quiet:
                        screen.status_update(self.idle_text())
                    return
                screen.status_update(f"Refreshing 0/{len(todo)}")
                done = 0
                async for update in refresher.run(todo, force=True):
                    done += 1
                    screen.status_update(f"Refreshing {done}/{len(todo)}")
                    if update.status is UpdateStatus.ERROR:
                        errors.append(update)
                    if update.status is not UpdateStatus.NOT_MODIFIED:
                        self._dirty = True
        finally:
            timer.stop()
            self.running = False
            self.last_finished = self.clock()
            self._dirty = False
            await screen.reload_in_background(self.reader)
            self.reader.close()
            self.reader = None
            screen.status_update(self.idle_text())
        if errors:
            names = ", ".join(
                screen.feeds[u.url].title for u in errors[:3] if u.url in screen.feeds
            )
            more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
            screen.notify(
                f"{len(errors)} feed(s) failed: {names}{more}. Select a feed to see why.",
                severity="warning",
                markup=False,
                timeout=6,
            )

    def preload(self) -> None:
        """Import the refresh machinery in the background, well before the user presses R."""
        self.screen.run_worker(
            asyncio.to_thread(_import_refresh),
            group="preload",
            exit_on_error=False,
        )

    def idle_text(self) -> str:
        """ "Last refresh 14:05" (with the day when it was not today)."""
        if self.last_finished is None:
            return "Never refreshed: press R"
        local = self.last_finished.astimezone()
        today = self.clock().astimezone().date()
        when = local.strftime("%H:%M") if local.date() == today else local.strftime("%b %d %H:%M")
        return f"Last refresh {when}"

    def _flush(self) -> None:
        if self._dirty and self.reader is not None:
            self._dirty = False
            self.screen.run_worker(
                self.screen.reload_in_background(self.reader),
                group="reload",
                exclusive=True,
                exit_on_error=False,
            )
