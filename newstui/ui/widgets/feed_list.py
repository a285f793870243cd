"""FeedList: smart views, then feeds grouped by tag, each with its unread count.

Drawn line by line from plain strings, never markup: a feed called `[@click=app.quit]x[/]` is
just shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newstui.core.models import Feed
from newstui.core.views import View
from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.widgets._extent import set_extent, style_scrollbar

UNTAGGED = "Untagged"


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row of the list: a smart view, a tag heading, or a feed (under one tag)."""

    view: View
    label: str
    unread: int = 0
    error: bool = False
    indent: bool = False


def build_rows(
    feeds: Sequence[Feed],
    *,
    unread_total: int,
    bookmarks: int,
    saved: Sequence[tuple[str, int | None]] = (),
) -> list[FeedRow]:
    """The rows for these feeds: smart views first (then the saved views of `[[views]]`, by
    name with their unread count, None while it is being counted), then each tag with its feeds.

    A feed with several tags appears under each, as newsboat's tag queries do; feeds without a
    tag come last, under "Untagged".
    """
    rows = [
        FeedRow(View.unread(), "All unread", unread_total),
        FeedRow(View.bookmarks(), "Bookmarks", bookmarks),
        *(FeedRow(View.saved(name), name, count or 0) for name, count in saved),
    ]
    groups: dict[str, list[Feed]] = {}
    for feed in feeds:
        for tag in feed.tags or (UNTAGGED,):
            groups.setdefault(tag, []).append(feed)
    if UNTAGGED in groups:
        groups[UNTAGGED] = groups.pop(UNTAGGED)
    for tag, members in groups.items():
        tag_view = View.everything() if tag == UNTAGGED and len(groups) == 1 else View.tag(tag)
        if tag != UNTAGGED or len(groups) > 1:
            rows.append(FeedRow(tag_view, tag, sum(f.unread for f in members)))
        for feed in members:
            rows.append(
                FeedRow(
                    View.feed(feed.url, tag),
                    feed.title,
                    feed.unread,
                    error=bool(feed.last_error),
                    indent=True,
                )
            )
    return rows


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
        del restyle  # rows are styled when drawn, so a new theme needs nothing here
        current = self.current_view
        self._rows = rows
        self._index = None
        views = self.views
        self.cursor = views.index(current) if current in views else 0
        set_extent(self, Size(self.size.width, len(rows)))
        self.refresh()

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

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        base = self.rich_style
        # The cursor goes over every part's own style, last: a component style carries the
        # pane's background, which would cut the cursor to one cell on heading rows.
        over = Style()
        if index == self.cursor:
            cursor = self.get_component_rich_style("feed-list--cursor")
            over = cursor if self.has_focus else cursor + Style(dim=True)
        count = (str(row.unread) if row.unread else "").rjust(5)
        indent = "  " if row.indent else ""
        label_width = max(width - cell_len(count) - 2 - len(indent), 0)
        label = row.label
        if cell_len(label) > label_width:
            # rstrip: where the cut halves a wide character set_cell_size leaves a space.
            label = set_cell_size(label, max(label_width - 1, 0)).rstrip() + "…"
        label_style = (
            base if row.indent else base + self.get_component_rich_style("feed-list--heading")
        )
        segments = [
            Segment(" " + indent, base + over),
            Segment(
                "!" if row.error else " ",
                base + self.get_component_rich_style("feed-list--error") + over,
            ),
            Segment(set_cell_size(label, label_width), label_style + over),
            Segment(count, base + self.get_component_rich_style("feed-list--count") + over),
        ]
        return Strip(segments).adjust_cell_length(width, base + over)
