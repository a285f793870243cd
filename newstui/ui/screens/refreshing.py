"""Running refreshes from the reader: in the background, reporting by messages.

The engine's `Refresher` does the work: fetches are async on an event loop of their own in a
thread (not Textual's), parsing runs in worker processes and database writes on their own
thread, so keys stay responsive. This
controller knows nothing of the screen: it runs the refresh in a worker of its `host` node and
posts `Progress` (coalesced: only the newest waits in the queue), `Changed` (at most every
`RELOAD_EVERY` seconds while results arrive) and `Finished` to it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.message import Message

from newstui.core.config import Config
from newstui.core.errors import StoreError
from newstui.core.models import FeedSpec, FeedUpdate, UpdateStatus
from newstui.core.views import View
from newstui.ui.own_loop import on_own_loop

if TYPE_CHECKING:
    from newstui.ui.screens.syncing import SyncController

RELOAD_EVERY = 2.0
"""Seconds between list reloads while a refresh is delivering results (each reload re-counts
2,000 feeds on a thread, whose Python work competes with the keys for the GIL)."""


def _import_refresh() -> ModuleType:
    """The refresh machinery (httpx, the parse pool), imported when first needed: a plain
    import, so the linter sees the edge; callers run it on a thread, off the event loop."""
    from newstui.feeds import refresh

    return refresh


def failure_text(
    errors: list[FeedUpdate], titles: Mapping[str, str], *, tried: int = 0, retry_key: str = "R"
) -> str | None:
    """ "3 feed(s) failed: A, B, C and 2 more. ..." for the notification after a refresh."""
    if not errors:
        return None
    if tried > 1 and len(errors) >= tried:
        # Nothing came through at all: that is the network (or a proxy), not the feeds.
        return (
            f"Every feed failed ({len(errors)} of {tried}): no network? Check the connection,"
            f" then press {retry_key} to try again. Select a feed to see its error."
        )
    names = ", ".join(titles[u.url] for u in errors[:3] if u.url in titles)
    more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
    return f"{len(errors)} feed(s) failed: {names}{more}. Select a feed to see why."


@dataclass
class _Outcome:
    """What a refresh did, filled in by its thread as it goes."""

    tried: int = 0
    errors: list[FeedUpdate] = field(default_factory=list)


class RefreshController:
    """Starts refreshes on request and says what happened by messages to `host`."""

    @dataclass
    class Progress(Message):
        """What the status line should say about refreshing now."""

        text: str

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RefreshController.Progress)

    @dataclass
    class Changed(Message):
        """Entries or counts changed in the store: time to reload the lists."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RefreshController.Changed)

    @dataclass
    class Finished(Message):
        """The refresh ended (completed, failed or cancelled); `errors` are the feeds that
        failed in it."""

        errors: list[FeedUpdate] = field(default_factory=list)
        stopped: str | None = None
        """Why the whole refresh stopped early (the database could not be used), if it did."""
        tried: int = 0
        """How many feeds the refresh fetched (0: none were due)."""

    def __init__(
        self, host: DOMNode, config: Config, db_path: Path, clock: Callable[[], datetime]
    ) -> None:
        self.host = host
        self.config = config
        self.db_path = db_path
        self.clock = clock
        self.running = False
        self.last_finished: datetime | None = None
        self.all_failed = False
        """The last refresh fetched feeds and every one failed: offline, most likely."""
        self.sync: SyncController | None = None
        """With `[sync]`: the server's source goes into the refreshes that sync (it sets this)."""
        self._dirty = False

    def specs_for(self, view: View | None) -> list[FeedSpec]:
        feeds = list(self.config.feeds)
        if view is None or view.kind in ("unread", "bookmarks", "all"):
            return feeds
        if view.kind == "tag":
            return [spec for spec in feeds if view.key in spec.tags]
        return [spec for spec in feeds if spec.url == view.key]

    def start(
        self, *, force: bool, view: View | None = None, quiet: bool = False, sync: bool = False
    ) -> None:
        """Refresh the feeds of `view` (all when None): due ones, or every one when `force`;
        `sync`: sync with the server in the same pass (unless a sync runs already)."""
        if self.running:
            if not quiet:
                self.host.notify("A refresh is already running.", timeout=2)
            return
        specs = self.specs_for(view)
        sync = sync and self.sync is not None and not self.sync.running
        if not specs and not sync:
            return
        self.running = True
        self._launch(specs, force=force, quiet=quiet, sync=sync, local=True)

    def start_sync(self) -> None:
        """Sync with the server alone, beside a refresh of local feeds if one runs."""
        if self.sync is not None and not self.sync.running:
            self._launch([], force=True, quiet=True, sync=True, local=False)

    def _launch(
        self, specs: list[FeedSpec], *, force: bool, quiet: bool, sync: bool, local: bool
    ) -> None:
        if sync and self.sync is not None:
            self.sync.began()
        self.host.run_worker(
            self._run(specs, force=force, quiet=quiet, sync=sync, local=local),
            group="refresh" if local else "sync",
            exit_on_error=False,
        )

    async def _run(
        self, specs: list[FeedSpec], *, force: bool, quiet: bool, sync: bool, local: bool
    ) -> None:
        outcome = _Outcome()
        stopped: str | None = None
        timer = self.host.set_interval(RELOAD_EVERY, self._flush)
        try:
            # Importing httpx (~0.15 s): not on the event loop, where it held keys up.
            refresh = await asyncio.to_thread(_import_refresh)
            sources = [self.sync.source()] if sync and self.sync else []
            # The whole refresh (the HTTP client, the engine) on a loop of its own: see
            # newstui.ui.own_loop; it reports by messages (post_message is thread-safe).
            await on_own_loop(
                functools.partial(
                    self._refresh, refresh, specs, outcome, force=force, sync=sync,
                    local=local, sources=sources,
                ),
                name="newstui-refresh",
            )  # fmt: skip
        except StoreError as exc:
            stopped = f"Refresh stopped: {exc}"
        finally:
            timer.stop()
            self._dirty = False
            if sync and self.sync is not None and self.sync.running:
                self.sync.ended(None)  # it could not even start
            if local:
                self.running = False
                self.last_finished = self.clock()
                if outcome.tried:
                    self.all_failed = len(outcome.errors) >= outcome.tried
                self.host.post_message(self.Finished(outcome.errors, stopped, outcome.tried))
            elif stopped:
                self.host.notify(stopped, severity="error", markup=False, timeout=10)

    async def _refresh(
        self,
        refresh: ModuleType,
        specs: list[FeedSpec],
        outcome: _Outcome,
        *,
        force: bool,
        sync: bool,
        local: bool,
        sources: list[object],
    ) -> None:
        """The refresh itself, on its own loop in a thread (see `_run`)."""
        post = self.host.post_message
        refresher = refresh.Refresher(
            self.db_path,
            self.config.settings,
            clock=self.clock,
            spare_a_core=True,
            filters=self.config.filters,
            sources=sources,
        )
        async with refresher:
            states = await refresher.feed_states()
            todo = refresh.plan_refresh(specs, states, self.clock(), force=force)
            if not todo and not sync:
                return
            outcome.tried = len(todo)
            asked = {spec.url for spec in todo}
            if local:
                post(self.Progress(f"Refreshing 0/{len(todo)}"))
            done = 0
            # The sync's own updates (feeds only the server has) are not counted.
            async for update in refresher.run(todo, force=True):
                if update.url in asked:
                    done += 1
                    post(self.Progress(f"Refreshing {done}/{len(todo)}"))
                    if update.status is UpdateStatus.ERROR:
                        outcome.errors.append(update)
                if update.status is not UpdateStatus.NOT_MODIFIED:
                    self._dirty = True

    def preload(self) -> None:
        """Import the refresh machinery in the background, well before the user presses R."""
        self.host.run_worker(
            asyncio.to_thread(_import_refresh), group="preload", exit_on_error=False
        )

    def idle_text(self) -> str:
        """ "Last refresh 14:05" (with the day when it was not today)."""
        if self.last_finished is None:
            refresh_all = self.host.app.key_label("feed.refresh-all")  # type: ignore[attr-defined]
            return f"Never refreshed: press {refresh_all}"
        local = self.last_finished.astimezone()
        today = self.clock().astimezone().date()
        when = local.strftime("%H:%M") if local.date() == today else local.strftime("%b %d %H:%M")
        if self.all_failed:
            return f"Refresh at {when} failed for every feed: no network?"
        return f"Last refresh {when}"

    def _flush(self) -> None:
        if self._dirty:
            self._dirty = False
            self.host.post_message(self.Changed())
