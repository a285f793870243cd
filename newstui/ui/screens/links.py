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

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="links.close")]

    def __init__(self, links: tuple[str, ...]) -> None:
        super().__init__()
        self._links = links

    def compose(self) -> ComposeResult:
        # Text, not str: URLs come from feeds and must not be read as markup.
        options = [Option(Text(f"[{n}] {url}")) for n, url in enumerate(self._links, 1)]
        yield OptionList(*options, id="links")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._links[event.option_index])
