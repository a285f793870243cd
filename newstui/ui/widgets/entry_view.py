"""EntryView: the article pane. Shows a rendered entry, a feed's status, or a short message.

A Line API widget: the article is laid out once per width into strips and drawn line by line.
Static widgets in a scroll container made every article change re-layout the whole screen
(~60 ms per Down key with 2,000 feeds in the feed list); this changes only this widget.
It only displays what it is given (rich renderables built from plain strings); it never parses
markup and never touches the store.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.widgets._extent import set_extent, style_scrollbar
from newstui.ui.widgets._marks import Marker, mark_segments

MARGIN = 1
"""Cells of space on each side of the text."""


class EntryView(StoreErrorsShown, ScrollView, can_focus=True):
    """Scrollable article pane."""

    COMPONENT_CLASSES = {
        "entry-view--title",
        "entry-view--meta",
        "entry-view--error",
        "entry-view--match",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown_id: int | None = None
        """The entry on display, if any."""
        self.shown_source: object = None
        """What a non-entry view was made from (a feed for its status), to skip redrawing it."""
        self._renderable: RenderableType = Text("")
        self._strips: list[Strip] = []
        self._available = Size(0, 0)
        self.marker: Marker | None = None
        """Set while search results are shown: the words to mark in the article."""
        self._line_style: Style | None = None
        """The pane's style while a frame's lines are drawn."""

    def show(
        self,
        header: RenderableType,
        body: RenderableType,
        *,
        entry_id: int | None,
        reader: bool = False,
        source: object = None,
    ) -> None:
        """Display an article (or any header/body pair) from the top; `reader`: it is the web
        page's article (reader mode), which the pane's title says."""
        self.shown_id = entry_id
        self.shown_source = source
        self.border_title = "Article · reader mode (f: feed's text)" if reader else "Article"
        self._renderable = Group(header, Text(""), body)
        self._layout(force=True)
        self.scroll_to(0, 0, animate=False, immediate=True)

    def show_message(self, message: str, *, error: bool = False) -> None:
        style = self.get_component_rich_style("entry-view--error" if error else "entry-view--meta")
        self.show(Text(message, style=style), Text(""), entry_id=None)

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    # The pane protocol the screen drives (the lists have the same three): rows are lines here.

    def move(self, delta: int) -> None:
        self.scroll_relative(y=delta, animate=False)

    def page(self, direction: int) -> None:
        if direction > 0:
            self.scroll_page_down(animate=False)
        else:
            self.scroll_page_up(animate=False)

    def jump(self, end: bool) -> None:
        if end:
            self.scroll_end(animate=False)
        else:
            self.scroll_home(animate=False)

    def _layout(self, *, force: bool = False) -> None:
        available = self.container_size  # the pane without any scrollbar
        bar = self.styles.scrollbar_size_vertical
        if available.width - bar <= 2 * MARGIN or (available == self._available and not force):
            return
        self._available = available
        # Wrap for the width the text will really have: most articles are longer than the pane
        # and get a scrollbar, so try that first; if it all fits, wrap again at full width.
        width = available.width - bar
        lines = self._wrap(width)
        if len(lines) <= available.height:
            width = available.width
            lines = self._wrap(width)
        if self.marker is not None:
            match = self.get_component_rich_style("entry-view--match")
            lines = [mark_segments(line, self.marker, match) for line in lines]
        margin = Segment(" " * MARGIN)
        self._strips = [Strip([margin, *line, margin], width) for line in lines]
        set_extent(self, Size(width, len(self._strips)))
        self.refresh()

    def _wrap(self, width: int) -> list[list[Segment]]:
        console = self.app.console
        options = console.options.update(width=width - 2 * MARGIN, height=None)
        return console.render_lines(self._renderable, options, pad=True)

    def on_mount(self) -> None:
        style_scrollbar(self)

    def on_resize(self, _event: events.Resize) -> None:
        self._layout()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The pane's style once a frame, not once a line: `rich_style` walks the styles of
        # every ancestor (~0.1 ms each time, ~4 ms of each new article's frame).
        self._line_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._line_style = None

    def render_line(self, y: int) -> Strip:
        style = self.rich_style if self._line_style is None else self._line_style
        index = round(self.scroll_y) + y
        if 0 <= index < len(self._strips):
            return self._strips[index].apply_style(style)
        return Strip.blank(self.size.width, style)
