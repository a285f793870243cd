"""StatusLine: the one line at the top: unread count and what the reader is doing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


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

    def show(
        self,
        *,
        unread: int | None = None,
        activity: str | None = None,
        sync: str | None = None,
        warning: str | None = None,
    ) -> None:
        """Change any part; the others are kept."""
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
