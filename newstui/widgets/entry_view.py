"""EntryView: the article pane. Shows a rendered entry, a feed's status, or a short message.

It only displays what it is given (rich renderables built from plain strings by the screen
and the renderer); it never parses markup and never touches the store.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class EntryView(VerticalScroll, can_focus=True):
    """Scrollable article pane."""

    COMPONENT_CLASSES = {"entry-view--title", "entry-view--meta", "entry-view--error"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown_id: int | None = None
        """The entry on display, if any."""
        self._header = Static(id="article-header")
        self._body = Static(id="article-body")

    def compose(self):  # noqa: ANN201 - Textual's ComposeResult
        yield self._header
        yield self._body

    def show(self, header: RenderableType, body: RenderableType, *, entry_id: int | None) -> None:
        """Display an article (or any header/body pair) from the top."""
        self.shown_id = entry_id
        self._header.update(header)
        self._body.update(body)
        self.scroll_home(animate=False)

    def show_message(self, message: str, *, error: bool = False) -> None:
        style = self.get_component_rich_style("entry-view--error" if error else "entry-view--meta")
        self.show(Text(message, style=style), Text(""), entry_id=None)

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y
