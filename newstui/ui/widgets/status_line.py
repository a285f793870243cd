"""StatusLine: the one line at the top: unread count and what the reader is doing."""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

SOON_EVERY = 0.1
"""Seconds between two activities shown by `show_soon`: a refresh reports every feed (~70 a
second in a 2,000-feed refresh), and each report drew a frame of its own between the keys'."""


class StatusLine(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unread = 0
        self.activity = ""
        """What is going on ("Refreshing 3/40", "Last refresh 14:05")."""
        self.sync = ""
        """How syncing with the server goes ("Synced 14:05 · 3 waiting"); empty without one."""
        self.warning = ""
        """What the user must know until it is over ("not saved yet: database locked...")."""
        self._soon: str | None = None
        """The newest activity given to `show_soon`, not shown yet."""
        self._soon_timer: Timer | None = None

    def show_soon(self, activity: str) -> None:
        """Show `activity` ("Refreshing 120/2000") at once if none was shown this way in the
        last `SOON_EVERY` s, else the newest one at the end of that time."""
        if self._soon_timer is None:
            self.show(activity=activity)
            self._soon_timer = self.set_timer(SOON_EVERY, self._soon_due)
        else:
            self._soon = activity

    def _soon_due(self) -> None:
        self._soon_timer = None
        if self._soon is not None:
            self.show_soon(self._soon)

    def show(
        self,
        *,
        unread: int | None = None,
        activity: str | None = None,
        sync: str | None = None,
        warning: str | None = None,
    ) -> None:
        """Change any part; the others are kept. A new `activity` replaces one waiting to be
        shown by `show_soon` (the refresh's last count must not come after its end)."""
        if activity is not None:
            self._soon = None
        self.unread = self.unread if unread is None else unread
        self.activity = self.activity if activity is None else activity
        self.sync = self.sync if sync is None else sync
        self.warning = self.warning if warning is None else warning
        text = Text(" newstui ", style="bold")
        text.append(f" {self.unread} unread ")
        if self.activity:
            text.append(f" · {self.activity}")
        if self.sync:
            failed = self.sync.startswith("Sync failed")
            text.append(f" · {self.sync}", style="red" if failed else "")
        if self.warning:
            text.append(f" · {self.warning}", style="bold reverse")
        self.update(text, layout=False)  # one fixed line: no screen re-layout
