"""Opening the reader's database when the upgrade it needs has to wait for another program.

A new newstui upgrades the database's schema when it first opens it, and that needs the write
lock. Another program holding the lock (a `newstui refresh` from cron, a backup tool) used to
freeze the terminal on the store's 30 s busy wait and then end the reader with one line. An
interactive reader does what apt does when dpkg's lock is held: it says plainly what it is
waiting for, keeps trying, and lets the user leave with `q`. The holder is almost always a
refresh that ends within a minute, so waiting beats making the user start again by hand.
Headless commands keep their bounded wait and one line (cron wants an exit status).
`newstui.cli` shows this screen only after a first short try found the lock taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from newstui.core.errors import StoreError
from newstui.store import Store

TRY_FOR = 0.5
"""Seconds one attempt waits for the lock (the store's busy timeout for that attempt)."""
RETRY_EVERY = 1.0
"""Seconds between attempts."""


class WaitForUpgrade(App[bool | StoreError]):
    """Says what is being waited for, then how the upgrade goes; ends with True once the
    database is upgraded, the error that stopped it, or False when the user pressed `q`."""

    BINDINGS = [
        Binding("q", "give_up", "Quit"),
        Binding("ctrl+c", "give_up", show=False, priority=True),
    ]
    CSS = "Screen { align: center middle; } #waiting { width: auto; padding: 1 2; }"

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._line = Static(self._text(0), id="waiting", markup=False)

    def compose(self) -> ComposeResult:
        yield self._line

    def _text(self, tries: int) -> str:
        tried = f" (tried {tries} time{'s' if tries != 1 else ''})" if tries else ""
        return (
            f"newstui: database is locked by another program: waiting to upgrade it{tried}\n"
            f"{self.db_path}\n"
            f"Retrying every {RETRY_EVERY:g} s; press q to quit."
        )

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._keep_trying, name="newstui-upgrade", daemon=True).start()

    def action_give_up(self) -> None:
        self._stop.set()
        self.exit(False)

    def _keep_trying(self) -> None:
        """On its own thread: the event loop (and `q`) never waits for the lock."""
        tries = 0
        while not self._stop.is_set():
            try:
                Store(self.db_path, busy_timeout=TRY_FOR, progress=self._progress).close()
            except StoreError as error:
                if error.kind != "locked":
                    self._hand_over(error)
                    return
                tries += 1
                self._call(self._line.update, self._text(tries))
                self._stop.wait(RETRY_EVERY)
                continue
            self._hand_over(True)
            return

    def _progress(self, done: int, total: int) -> None:
        """The lock is ours: the upgrade is building the search index."""
        self._call(
            self._line.update, f"newstui: upgrading the database: search index {done}/{total}"
        )

    def _hand_over(self, outcome: bool | StoreError) -> None:
        self._call(self._finish, outcome)

    def _finish(self, outcome: bool | StoreError) -> None:
        """On the event loop, so it cannot cross a `q` pressed meanwhile."""
        if not self._stop.is_set():
            self.exit(outcome)

    def _call(self, function: Callable[..., object], *args: object) -> bool:
        """Have the event loop run `function(*args)` (no waiting for it); False when the app
        has ended already."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return False
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            loop.call_soon_threadsafe(function, *args)
            return True
        return False
