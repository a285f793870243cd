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

    def show(self, *, unread: int | None = None, activity: str | None = None) -> None:
        """Change either part; the other is kept."""
        self.unread = self.unread if unread is None else unread
        self.activity = self.activity if activity is None else activity
        text = Text(" newstui ", style="bold")
        text.append(f" {self.unread} unread ")
        if self.activity:
            text.append(f" · {self.activity}")
        self.update(text, layout=False)  # one fixed line: no screen re-layout
