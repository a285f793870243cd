"""FeedList: smart views, then feeds grouped by tag, each with its unread count.

An OptionList (fine up to ~10k rows, TEXTUAL-NOTES §2) whose prompts are rich `Text` built
from plain strings, never markup: a feed called `[@click=app.quit]x[/]` is just shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from newstui.models import Feed
from newstui.views import View

UNTAGGED = "Untagged"


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row of the list: a smart view, a tag heading, or a feed (under one tag)."""

    view: View
    label: str
    unread: int = 0
    error: bool = False
    indent: bool = False


def build_rows(feeds: Sequence[Feed], *, unread_total: int, bookmarks: int) -> list[FeedRow]:
    """The rows for these feeds: smart views first, then each tag with its feeds.

    A feed with several tags appears under each, as newsboat's tag queries do; feeds without a
    tag come last, under "Untagged".
    """
    rows = [
        FeedRow(View.unread(), "All unread", unread_total),
        FeedRow(View.bookmarks(), "Bookmarks", bookmarks),
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


class FeedList(OptionList):
    """The left pane. Posts `FeedList.Selected` when the highlighted row changes."""

    COMPONENT_CLASSES = {"feed-list--error", "feed-list--count", "feed-list--heading"}

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
        self._styles: tuple[object, ...] = ()

    @property
    def current_view(self) -> View | None:
        if self.highlighted is None or not self._rows:
            return None
        return self._rows[self.highlighted].view

    @property
    def views(self) -> list[View]:
        return [row.view for row in self._rows]

    def set_rows(self, rows: list[FeedRow], *, restyle: bool = False) -> None:
        """Replace the rows, keeping the highlighted view (and so the user's place).

        When only counts changed, only the changed rows are redrawn: a refresh of 2,000 feeds
        updates the list many times and must not rebuild it each time.
        """
        current = self.current_view
        styles = tuple(self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES)
        restyle = restyle or styles != self._styles  # prompts hold styles: a new theme redraws
        self._styles = styles
        if [r.view for r in rows] == [r.view for r in self._rows]:
            previous, self._rows = self._rows, rows
            for index, (old, row) in enumerate(zip(previous, rows, strict=True)):
                if restyle or old != row:
                    self.replace_option_prompt_at_index(index, self._prompt(row))
            return
        self._rows = rows
        with self.prevent(OptionList.OptionHighlighted):
            self.clear_options()
            self.add_options(Option(self._prompt(row)) for row in rows)
            views = self.views
            self.highlighted = views.index(current) if current in views else 0

    def select_view(self, view: View) -> bool:
        """Highlight `view` without posting `Selected` (the caller shows it)."""
        views = self.views
        if view not in views:
            return False
        with self.prevent(OptionList.OptionHighlighted):
            self.highlighted = views.index(view)
        return True

    def _prompt(self, row: FeedRow) -> Text:
        width = max(self.scrollable_content_region.width, 12)
        count = (str(row.unread) if row.unread else "").rjust(5)
        mark = "!" if row.error else " "
        label_width = width - cell_len(count) - 2 - (2 if row.indent else 0)
        label = row.label
        if cell_len(label) > label_width:
            label = set_cell_size(label, max(label_width - 1, 0)) + "…"
        text = Text(no_wrap=True, overflow="ellipsis")
        if row.indent:
            text.append("  ")
        text.append(mark, style=self.get_component_rich_style("feed-list--error"))
        style = "" if row.indent else self.get_component_rich_style("feed-list--heading")
        text.append(set_cell_size(label, max(label_width, 0)), style=style)
        text.append(count, style=self.get_component_rich_style("feed-list--count"))
        return text

    def on_resize(self) -> None:
        self.set_rows(self._rows, restyle=True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.current_view is not None:
            self.post_message(self.Selected(self, self.current_view))
