"""LinksScreen: every link of the article, numbered as in the text; Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class LinksScreen(ModalScreen[str | None]):
    """Dismisses with the chosen URL (the caller opens it), or None."""

    # The reader's list keys work here too (arrows come with OptionList).
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="links.close"),
        Binding("j", "move('cursor_down')", "Down", show=False),
        Binding("k", "move('cursor_up')", "Up", show=False),
        Binding("g", "move('first')", "Top", show=False),
        Binding("G", "move('last')", "Bottom", show=False),
    ]

    def __init__(self, links: tuple[str, ...], texts: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._links = links
        self._texts = texts

    def compose(self) -> ComposeResult:
        # Text, not str: URLs come from feeds and must not be read as markup.
        options = []
        for n, url in enumerate(self._links, 1):
            label = Text(f"[{n}] ")
            said = self._texts[n - 1] if n <= len(self._texts) else ""
            if said:
                label.append(said, style="bold")
                label.append("  ")
            label.append(url, style="dim" if said else "")
            options.append(Option(label))
        yield OptionList(*options, id="links")

    async def action_move(self, action: str) -> None:
        await self.query_one(OptionList).run_action(action)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._links[event.option_index])
