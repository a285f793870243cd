"""Running refreshes from the reader: in the background, reporting by messages.

The engine's `Refresher` does the work in a process of its own (`newstui.feeds.refresh_child`,
at a lower priority, with its own parse worker), so that no part of a refresh holds the
reader's GIL while keys wait: the reader only reads the child's reports, on a thread. This
controller knows nothing of the screen: it runs the refresh from a worker of its `host` node
and posts `Progress` (coalesced: only the newest waits in the queue), `Changed` (at most every
`RELOAD_EVERY` seconds while results arrive) and `Finished` to it. The child writes to the
store beside the reader's own marks, as a cron `newstui refresh` would (WAL, busy timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.message import Message

import newstui
from newstui.core.errors import StoreError
from newstui.core.models import FeedSpec, FeedState, FeedUpdate, UpdateStatus
from newstui.core.settings import Config
from newstui.core.text import clean_line
from newstui.core.timefmt import utc_now
from newstui.core.views import View
from newstui.feeds.refresh_child import BOOT, Job
from newstui.feeds.schedule import plan_refresh

if TYPE_CHECKING:
    from newstui.ui.screens.syncing import SyncController

RELOAD_EVERY = 2.0
"""Seconds between list reloads while a refresh is delivering results (each reload re-counts
2,000 feeds on a thread, whose Python work competes with the keys for the GIL)."""

STOP_WAIT = 5.0
"""Seconds the refresh process may take to stop (close its client and parse workers) once
told to, before it is killed."""


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
    stopped: str | None = None
    """Why the whole refresh stopped early (the database could not be used), if it did."""
    failed: str | None = None
    """The child's unexpected error (a traceback) or its early end."""


def _start_child(job: Job) -> subprocess.Popen[bytes]:
    """Start the refresh process and hand it `job` (on a thread: both take a few ms)."""
    env = dict(os.environ)
    # glibc gives each thread that allocates an arena of its own: with the writer thread and
    # the fetch threads, the child's peak RSS was 74 MB instead of 56 (500-feed refresh).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    child = subprocess.Popen(
        [sys.executable, "-P", "-c", BOOT, str(Path(newstui.__file__).resolve().parent.parent)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the terminal is the reader's; the child reports by frames
    )
    assert child.stdin is not None
    try:
        pickle.dump(job, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.flush()
    except OSError:  # it died at once: the reports say so
        pass
    return child


def _tell_to_stop(child: subprocess.Popen[bytes]) -> None:
    """The end of the child's input: it cancels its refresh and exits."""
    with contextlib.suppress(OSError, ValueError):
        child.stdin.close()  # type: ignore[union-attr]


def _stop(child: subprocess.Popen[bytes]) -> None:
    """Tell the child to stop and wait for it to end, killing it after `STOP_WAIT`."""
    _tell_to_stop(child)
    try:
        child.wait(STOP_WAIT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


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
        self,
        host: DOMNode,
        config: Config,
        db_path: Path,
        clock: Callable[[], datetime],
        feed_states: Callable[[], Mapping[str, FeedState]],
    ) -> None:
        self.host = host
        self.feed_states = feed_states
        """The store's schedule (read on a thread): an unforced refresh with nothing due
        starts no process."""
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
        self.child: subprocess.Popen[bytes] | None = None
        """The refresh process while one runs."""

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
        if view is not None and view.kind == "feed" and not self.specs_for(view):
            self._sync_server_feed(quiet)
            return
        if self.running:
            if not quiet:
                self.host.notify("A refresh is already running.", timeout=2)
            return
        specs = self.specs_for(view)
        sync = sync and self.sync is not None and not self.sync.running
        if not specs and not sync:
            return
        self.running = True
        if not quiet:  # at once: the refresh process reports its plan only after its imports
            # (~0.2 s); forced, the plan is every feed asked for.
            text = f"Refreshing 0/{len(specs)}" if force and specs else "Refreshing…"
            self.host.post_message(self.Progress(text))
        self._launch(specs, force=force, quiet=quiet, sync=sync, local=True)

    def _sync_server_feed(self, quiet: bool) -> None:
        """`r` on a feed that feeds.toml does not list: only the sync server has it, and there
        is no URL here to fetch. The server fetches it; a sync brings in what it has."""
        if self.sync is None:
            message = "This feed is not in feeds.toml: there is nothing to refresh."
        elif self.sync.running:
            message = "Only the sync server has this feed: a sync with it is running already."
        else:
            message = "Only the sync server has this feed: syncing with the server."
            self.start_sync()
        if not quiet:
            self.host.notify(message, timeout=3)

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
        timer = self.host.set_interval(RELOAD_EVERY, self._flush)
        try:
            if not force and not sync and not await self._any_due(specs):
                # The auto-refresh asks every minute: starting the refresh process only to
                # learn that nothing is due cost ~0.4 s of CPU a minute in an idle reader. It
                # ends as that process's empty refresh did (tried 0: the lists reload, for a
                # cron refresh's news, and the status line says when the last refresh was).
                return
            job = Job(
                self.db_path, self.config.settings, list(specs), force,
                filters=tuple(self.config.filters),
                sync=self.sync.settings if sync and self.sync else None,
                local_urls=[spec.url for spec in self.config.feeds if not spec.sync],
                clock_offset=self.clock() - utc_now(),
            )  # fmt: skip
            await self._in_child(job, outcome, local=local)
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
                self.host.post_message(
                    self.Finished(outcome.errors, outcome.stopped, outcome.tried)
                )
            elif outcome.stopped:
                self.host.notify(outcome.stopped, severity="error", markup=False, timeout=10)

    async def _any_due(self, specs: list[FeedSpec]) -> bool:
        try:
            states = await asyncio.to_thread(self.feed_states)
        except StoreError:
            return True  # the refresh process says what is wrong with the store
        return bool(plan_refresh(specs, states, self.clock()))

    async def _in_child(self, job: Job, outcome: _Outcome, *, local: bool) -> None:
        """Run `job` in a child process (see `newstui.feeds.refresh_child`), its reports read
        on a daemon thread (reading waits without the GIL). Cancelled (the reader quits), the
        child is told to stop by the end of its input, and killed if it has not within
        `STOP_WAIT`. Daemon threads: the reader's exit never waits for a child, and when the
        reader is gone, however it ended, the child's input ends and it stops by itself."""
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()
        child = await asyncio.to_thread(_start_child, job)
        self.child = child

        def finish() -> None:
            if not ended.done():
                ended.set_result(None)

        def reports() -> None:
            try:
                self._read_reports(child, outcome, local)
            finally:
                child.stdout.close()  # type: ignore[union-attr]
                _stop(child)
                # No is_closed() check first: the loop could close between it and this call.
                with contextlib.suppress(RuntimeError):  # it closed: the reader has quit
                    loop.call_soon_threadsafe(finish)

        threading.Thread(target=reports, name="newstui-refresh-reports", daemon=True).start()
        try:
            await asyncio.shield(ended)
        except asyncio.CancelledError:
            _tell_to_stop(child)
            threading.Thread(target=_stop, args=(child,), daemon=True).start()
            raise
        finally:
            self.child = None
        if outcome.failed is not None and outcome.stopped is None:
            # Said like a database problem: one line, and the refresh counts as stopped.
            last = outcome.failed.strip().splitlines()[-1] if outcome.failed.strip() else ""
            last = clean_line(last)  # an exception's text may quote a feed
            outcome.stopped = f"Refresh stopped: {last or 'the refresh process failed'}"

    def _read_reports(self, child: subprocess.Popen[bytes], outcome: _Outcome, local: bool) -> None:
        """The child's frames as they come (on a thread: reading waits without the GIL)."""
        def post(message: Message) -> None:
            with contextlib.suppress(RuntimeError):  # the reader quit (its loop closed)
                self.host.post_message(message)

        asked: set[str] = set()
        done = 0
        assert child.stdout is not None
        while True:
            try:
                kind, value = pickle.load(child.stdout)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                _stop(child)
                outcome.failed = outcome.failed or (
                    f"the refresh process ended early (exit status {child.returncode})"
                )
                return
            except Exception:  # a frame this reader cannot rebuild (newstui upgraded meanwhile?)
                _stop(child)
                outcome.failed = traceback.format_exc(limit=1)
                return
            if kind == "done":
                return
            if kind == "todo":
                asked = set(value)
                outcome.tried = len(value)
                if local:
                    post(self.Progress(f"Refreshing 0/{len(value)}"))
            elif kind == "update":
                update: FeedUpdate = value
                # The sync's own updates (feeds only the server has) are not counted.
                if update.url in asked:
                    done += 1
                    post(self.Progress(f"Refreshing {done}/{len(asked)}"))
                    if update.status is UpdateStatus.ERROR:
                        outcome.errors.append(update)
                if update.status is not UpdateStatus.NOT_MODIFIED:
                    self._dirty = True
            elif kind == "sync":
                if self.sync is not None:
                    with contextlib.suppress(RuntimeError):  # the reader quit
                        self.sync.ended(value)
            elif kind == "stopped":
                outcome.stopped = value
            elif kind == "error":
                outcome.failed = value

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
