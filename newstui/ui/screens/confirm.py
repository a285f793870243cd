"""ConfirmScreen: a yes/no question before a big change (mark 1,650 entries read)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True for y / Enter, False for n / Escape."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,q", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        # Text, not markup: the question may hold a feed's title.
        with Vertical(id="confirm-box"):
            yield Static(Text(self._question), id="confirm-question")
            yield Static(Text("y / Enter: yes    n / Escape: no", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
