"""FeedList: smart views, then feeds grouped by tag, each with its unread count.

Drawn line by line from plain strings, never markup: a feed called `[@click=app.quit]x[/]` is
just shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newstui.core.list_rows import FeedRow, build_rows, feed_row_cells
from newstui.core.views import View
from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.widgets._extent import set_extent, style_scrollbar

__all__ = ["FeedList", "FeedRow", "build_rows"]


class FeedList(StoreErrorsShown, ScrollView, can_focus=True, inherit_bindings=False):
    """The left pane. Posts `FeedList.Selected` when the user moves to another row.

    A Line API widget like the headline list: an OptionList of 2,000 feeds cost ~0.3 s at
    start-up and re-rendered on every layout. Rows are drawn from plain strings with the
    current theme's styles, never parsed as markup.
    """

    COMPONENT_CLASSES = {
        "feed-list--cursor",
        "feed-list--error",
        "feed-list--count",
        "feed-list--heading",
    }

    @dataclass
    class Selected(Message):
        feed_list: FeedList
        view: View

        @property
        def control(self) -> FeedList:
            return self.feed_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[FeedRow] = []
        self._index: dict[tuple[str, str], list[int]] | None = None
        self.cursor = 0
        self._frame_styles: _Styles | None = None
        """The styles while a frame's lines are drawn (looked up once a frame, not a line)."""

    @property
    def current_view(self) -> View | None:
        return self._rows[self.cursor].view if self._rows else None

    @property
    def rows(self) -> tuple[FeedRow, ...]:
        """The rows as drawn (labels and counts)."""
        return tuple(self._rows)

    @property
    def views(self) -> list[View]:
        return [row.view for row in self._rows]

    def set_rows(self, rows: list[FeedRow], *, restyle: bool = False) -> None:
        """Replace the rows, keeping the highlighted view (and so the user's place)."""
        current, before, cursor = self.current_view, self._rows, self.cursor
        self._rows = rows
        self._index = None
        views = self.views
        self.cursor = views.index(current) if current in views else 0
        set_extent(self, Size(self.size.width, len(rows)))
        if restyle or len(rows) != len(before) or self.cursor != cursor:
            self.refresh()
            return
        # A refresh's reload changes a few counts (rows are styled when drawn, so a new theme
        # redraws them all): only those rows are drawn again, not the whole pane (~40 lines
        # through Textual's styling, every 2 s while a refresh delivers, when a key may come).
        top = round(self.scroll_y)
        for index in range(top, min(len(rows), top + self.size.height)):
            if rows[index] != before[index]:
                self.refresh_line(index)

    def update_counts(
        self, feeds: Mapping[str, int], *, unread: int = 0, bookmarks: int = 0
    ) -> None:
        """New unread counts for a few feeds (by URL), in place: their rows (one per tag),
        their tags' rows, and All unread and Bookmarks moved by `unread` and `bookmarks`.
        Only the rows that changed are redrawn."""
        where = self._where()
        steps: dict[int, int] = {}
        for url, count in feeds.items():
            for index in where.get(("feed", url), ()):
                step = count - self._rows[index].unread
                steps[index] = step
                for tag_index in where.get(("tag", self._rows[index].view.group), ()):
                    steps[tag_index] = steps.get(tag_index, 0) + step
        for kind, step in (("unread", unread), ("bookmarks", bookmarks)):
            for index in where.get((kind, ""), ()):
                steps[index] = steps.get(index, 0) + step
        for index, step in steps.items():
            if step:
                row = self._rows[index]
                self._rows[index] = dataclasses.replace(row, unread=row.unread + step)
                self.refresh_line(index)

    def _where(self) -> dict[tuple[str, str], list[int]]:
        """Row indices by (view kind, key), built once per set of rows."""
        if self._index is None:
            self._index = {}
            for index, row in enumerate(self._rows):
                self._index.setdefault((row.view.kind, row.view.key), []).append(index)
        return self._index

    def select_view(self, view: View) -> bool:
        """Highlight `view` without posting `Selected` (the caller shows it)."""
        views = self.views
        if view not in views:
            return False
        self._place(views.index(view))
        return True

    def move_to(self, index: int) -> None:
        if self.place(index):
            self.post_message(self.Selected(self, self._rows[self.cursor].view))

    def place(self, index: int) -> bool:
        """Move the cursor without posting `Selected` (the caller shows the view at once, in
        the same frame as the cursor); False when it did not move."""
        return bool(self._rows) and self._place(max(0, min(len(self._rows) - 1, index)))

    def move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def page(self, direction: int) -> None:
        self.move(direction * max(1, self.size.height - 1))

    def jump(self, end: bool) -> None:
        """To the last row (`end`) or the first."""
        self.move_to(len(self._rows) - 1 if end else 0)

    def _place(self, index: int) -> bool:
        if index == self.cursor and self._rows:
            return False
        previous, scrolled_from = self.cursor, self.scroll_offset
        self.cursor = index
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        if self.scroll_offset == scrolled_from:
            self.refresh_line(previous)  # only two rows changed
            self.refresh_line(index)
        else:
            self.refresh()
        return True

    def on_click(self, event: events.Click) -> None:
        self.move_to(round(self.scroll_y) + event.y)

    def on_mount(self) -> None:
        style_scrollbar(self)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles once a frame, not once a line: `rich_style` walks the styles of every
        # ancestor (~50 us), and each component style is a lookup of its own.
        self._frame_styles = self._styles()
        try:
            return super().render_lines(crop)
        finally:
            self._frame_styles = None

    def _styles(self) -> _Styles:
        cursor = self.get_component_rich_style("feed-list--cursor")
        return _Styles(
            width=self.scrollable_content_region.width,
            base=self.rich_style,
            cursor=cursor if self.has_focus else cursor + Style(dim=True),
            heading=self.get_component_rich_style("feed-list--heading"),
            error=self.get_component_rich_style("feed-list--error"),
            count=self.get_component_rich_style("feed-list--count"),
        )

    def render_line(self, y: int) -> Strip:
        styles = self._frame_styles or self._styles()
        width, base = styles.width, styles.base
        index = round(self.scroll_y) + y
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        # The cursor goes over every part's own style, last: a component style carries the
        # pane's background, which would cut the cursor to one cell on heading rows.
        over = styles.cursor if index == self.cursor else Style()
        lead, error, label, count = feed_row_cells(row, width)
        label_style = base if row.indent else base + styles.heading
        segments = [
            Segment(lead, base + over),
            Segment(error, base + styles.error + over),
            Segment(label, label_style + over),
            Segment(count, base + styles.count + over),
        ]
        return Strip(segments).adjust_cell_length(width, base + over)


@dataclass(frozen=True, slots=True)
class _Styles:
    """What drawing a row needs from the widget's styles."""

    width: int
    base: Style
    cursor: Style
    heading: Style
    error: Style
    count: Style
