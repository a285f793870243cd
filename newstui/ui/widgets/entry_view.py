"""EntryView: the article pane. Shows a rendered entry, a feed's status, or a short message.

A Line API widget: the article is laid out once per width into strips and drawn line by line.
Static widgets in a scroll container made every article change re-layout the whole screen
(~60 ms per Down key with 2,000 feeds in the feed list); this changes only this widget.
It draws its own scroll bar as the last cells of each line (`newstui.ui.widgets._scroll_bar`:
the stylesheet gives it no Textual scrollbar).
It only displays what it is given (rich renderables built from plain strings); it never parses
markup and never touches the store.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip

from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.widgets._extent import set_extent, style_scrollbar
from newstui.ui.widgets._line_cache import ContentLineCache
from newstui.ui.widgets._marks import Marker, mark_segments
from newstui.ui.widgets._scroll_bar import BAR_WIDTH, DrawnScrollBar

MARGIN = 1
"""Cells of space on each side of the text."""
LAYOUT_CACHE = 8
"""Wrapped articles kept (each ~50-500 lines of strips)."""


class EntryView(StoreErrorsShown, DrawnScrollBar, can_focus=True):
    """Scrollable article pane."""

    COMPONENT_CLASSES = {
        "entry-view--title",
        "entry-view--meta",
        "entry-view--error",
        "entry-view--match",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Finished lines kept by the strip `render_line` hands back, which `prepare` fills for
        # the next article's first screen (and a scroll styles only the lines it brings in).
        self._styles_cache = ContentLineCache()
        self._blanks: dict[tuple[int, Style, Segment | None], Strip] = {}
        """The empty lines below a short article, by width, style and bar cell (kept: the
        same strip on every row is finished once, not once a row and frame)."""
        self.shown_id: int | None = None
        """The entry on display, if any."""
        self.shown_source: object = None
        """What a non-entry view was made from (a feed for its status), to skip redrawing it."""
        self._parts: tuple[RenderableType, RenderableType] = (Text(""), Text(""))
        """The header and body on display."""
        self._strips: list[Strip] = []
        self._available = Size(0, 0)
        self._laid_out: OrderedDict[tuple[int, int, Size], _Layout] = OrderedDict()
        """Recent articles already wrapped, by (header, body, pane size): see `prepare`."""
        self._shown = _Layout((Text(""), Text("")), 0, [])
        self.marker: Marker | None = None
        """Set while search results are shown: the words to mark in the article."""
        self._line_style: Style | None = None
        """The pane's style while a frame's lines are drawn."""
        self._bar_rows: list[Segment] | None = None
        """The scroll bar while a frame's lines are drawn (None: the article fits)."""

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
        title = "Article · reader mode (f: feed's text)" if reader else "Article"
        if title != self.border_title:  # setting it, even to the same, redraws the whole pane
            self.border_title = title
        self._parts = (header, body)
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

    def prepare(self, header: RenderableType, body: RenderableType) -> None:
        """Wrap an article that is likely to be shown next (the next unread, the next row),
        while the reader reads this one: showing it is then a lookup, not ~5-7 ms of
        wrapping in the key's frame. The same objects must be passed to `show`."""
        if self.marker is None and self._text_width(self.container_size) > 0:
            layout = self._lay_out((header, body), self.container_size)
            style = self.rich_style
            # Its first screen as `render_line` will hand it over, finished as Textual will
            # finish it (borders, filters, the terminal's codes): the key's frame then looks
            # each line up (~2 ms of each `n` and Down frame with the 100k store).
            bar = self._scroll_bar(style, lines=len(layout.strips))
            lines = [
                self._line(layout, index, style, bar, y=index)
                for index in range(self.container_size.height)
            ]
            self._styles_cache.prepare(lines, self.get_line_filters(), self.app.console)

    def _text_width(self, available: Size) -> int:
        width = available.width - BAR_WIDTH
        return width if width > 2 * MARGIN else 0

    def _layout(self, *, force: bool = False) -> None:
        available = self.container_size  # the pane without any scrollbar
        if not self._text_width(available) or (available == self._available and not force):
            return
        self._available = available
        before = self._strips
        layout = self._shown = self._lay_out(self._parts, available)
        self._strips = layout.strips
        set_extent(self, Size(layout.width, len(layout.strips)))
        height = self.size.height
        if not force or self.scroll_y or max(len(before), len(layout.strips)) > height:
            self.refresh()
            return
        # Both fit the pane, from its top (a feed's status after another's, as each key in
        # the feed list shows): only the lines that differ are drawn again, not the ~40 of the
        # pane (~4 ms of each such key's frame).
        for y in range(height):
            old = before[y] if y < len(before) else None
            if old != (layout.strips[y] if y < len(layout.strips) else None):
                self.refresh_line(y)

    def _lay_out(self, parts: tuple[RenderableType, RenderableType], available: Size) -> _Layout:
        """The article's lines for this pane size, from the cache when it was wrapped already
        (moving back and forth between articles, or `prepare`d)."""
        key = (id(parts[0]), id(parts[1]), available)
        cached = self._laid_out.get(key) if self.marker is None else None
        if cached is not None:
            self._laid_out.move_to_end(key)
            return cached
        # Wrap for the width the text will really have: most articles are longer than the pane
        # and get a scrollbar, so try that first; if it all fits, wrap again at full width.
        renderable = Group(parts[0], Text(""), parts[1])
        width = self._text_width(available)
        lines = self._wrap(renderable, width)
        if len(lines) <= available.height:
            width = available.width
            lines = self._wrap(renderable, width)
        if self.marker is not None:
            match = self.get_component_rich_style("entry-view--match")
            lines = [mark_segments(line, self.marker, match) for line in lines]
        margin = Segment(" " * MARGIN)
        # The parts are kept with their lines: their ids stay theirs while the entry lives.
        layout = _Layout(parts, width, [Strip([margin, *line, margin], width) for line in lines])
        if self.marker is None:
            self._laid_out[key] = layout
            while len(self._laid_out) > LAYOUT_CACHE:
                self._laid_out.popitem(last=False)
        return layout

    def forget_layouts(self) -> None:
        """The theme changed: wrapped lines carry the old colours."""
        self._laid_out.clear()

    def _wrap(self, renderable: RenderableType, width: int) -> list[list[Segment]]:
        console = self.app.console
        options = console.options.update(width=width - 2 * MARGIN, height=None)
        return console.render_lines(renderable, options, pad=True)

    def on_mount(self) -> None:
        style_scrollbar(self)

    def on_resize(self, _event: events.Resize) -> None:
        self._layout()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The pane's style once a frame, not once a line: `rich_style` walks the styles of
        # every ancestor (~0.1 ms each time, ~4 ms of each new article's frame).
        self._line_style = self.rich_style
        self._bar_rows = self._scroll_bar(self._line_style)
        try:
            return super().render_lines(crop)
        finally:
            self._line_style = None
            self._bar_rows = None

    def render_line(self, y: int) -> Strip:
        style = self.rich_style if self._line_style is None else self._line_style
        bar = self._bar_rows if self._line_style is not None else self._scroll_bar(style)
        return self._line(self._shown, round(self.scroll_y) + y, style, bar, y)

    def _line(
        self, layout: _Layout, index: int, style: Style, bar: list[Segment] | None, y: int
    ) -> Strip:
        """Line `index` of `layout` on row `y`, with the bar's cell: the same strip each
        time it is drawn the same (`ContentLineCache` then finishes it once)."""
        cell = bar[y] if bar is not None and 0 <= y < len(bar) else None
        if 0 <= index < len(layout.strips):
            return layout.line(index, style, cell)
        key = (self.size.width, style, cell)
        blank = self._blanks.get(key)
        if blank is None:
            if len(self._blanks) > 16:
                self._blanks.clear()
            if cell is None:
                blank = Strip.blank(self.size.width, style)
            else:
                line = Strip.blank(self.size.width - BAR_WIDTH, style)
                blank = Strip([*line, cell], line.cell_length + BAR_WIDTH)
            self._blanks[key] = blank
        return blank

    def _line_count(self) -> int:
        return len(self._strips)


@dataclass(slots=True)
class _Layout:
    """An article wrapped for one pane size, and its lines in the pane's style as drawn."""

    parts: tuple[RenderableType, RenderableType]
    width: int
    strips: list[Strip]
    style: Style | None = None
    styled: dict[int, Strip] = field(default_factory=dict)
    barred: dict[tuple[int, Segment], Strip] = field(default_factory=dict)
    """Styled lines with a bar cell, by (line, cell), in `style`."""

    def styled_line(self, index: int, style: Style) -> Strip:
        """Line `index` in `style`: styled once per line, not once per frame (scrolling
        redraws lines drawn before; `prepare` styles the first screen in advance)."""
        if style != self.style:
            self.styled.clear()
            self.barred.clear()
            self.style = style
        strip = self.styled.get(index)
        if strip is None:
            strip = self.styled[index] = self.strips[index].apply_style(style)
        return strip

    def line(self, index: int, style: Style, cell: Segment | None) -> Strip:
        """Line `index` in `style`, with the scroll bar's `cell` (None: no bar)."""
        line = self.styled_line(index, style)
        if cell is None:
            return line
        strip = self.barred.get((index, cell))
        if strip is None:
            strip = self.barred[index, cell] = Strip([*line, cell], line.cell_length + BAR_WIDTH)
        return strip
