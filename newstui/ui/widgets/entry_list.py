"""EntryList: the headline list, a Line API widget that scales to 100k rows.

Only the ids of the view are held; rows are loaded from a `HeadlineSource` in windows as they
are drawn, so the cost is per visible row (measured at 100k rows: 0.7 s to first paint, where
a ListItem widget per row took 24 s at only 10k). Text from feeds becomes plain `Segment`s: it
is never parsed as markup.
The widget never talks to the store: the screen hands it a source and reacts to its messages.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from newstui.core.errors import StoreError
from newstui.core.list_rows import headline_cells
from newstui.core.models import Headline
from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.widgets._extent import set_extent, style_scrollbar
from newstui.ui.widgets._line_cache import ContentLineCache
from newstui.ui.widgets._marks import Marker, mark_segments
from newstui.ui.widgets._scroll_bar import BAR_WIDTH, DrawnScrollBar

HeadlineSource = Callable[[Sequence[int]], list[Headline]]
_WINDOW = 200
_CACHE_LIMIT = 5_000
_LINES_KEPT = 400
"""Rows' drawn strips kept at most (`EntryList._lines`), ~10 screens: then all forgotten."""
_SIX_DAYS = timedelta(days=6)


class EntryList(StoreErrorsShown, DrawnScrollBar, can_focus=True, inherit_bindings=False):
    """Headlines of one feed or view; the cursor row is the selected entry.

    It draws its scroll bar in its lines, as the article pane does (`DrawnScrollBar`; the
    stylesheet gives it no Textual scrollbar): a list that starts or stops overflowing the
    pane (a feed-list key from an empty feed to one with entries) then lays nothing out,
    where Textual's bar appearing re-laid out the whole screen (~15-25 ms with 2,000 feeds).
    """

    COMPONENT_CLASSES = {
        "entry-list--cursor",
        "entry-list--unread",
        "entry-list--read",
        "entry-list--mark",
        "entry-list--date",
        "entry-list--feed",
        "entry-list--match",
    }

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another entry (None: the list is empty)."""

        entry_list: EntryList
        entry_id: int | None

        @property
        def control(self) -> EntryList:
            return self.entry_list

    @dataclass
    class Opened(Message):
        """The user asked to read the entry (Enter, or a click)."""

        entry_list: EntryList
        entry_id: int

        @property
        def control(self) -> EntryList:
            return self.entry_list

    def __init__(
        self,
        source: HeadlineSource,
        clock: Callable[[], datetime],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # Finished lines kept by the strip `render_line` hands back: a scroll by one row
        # styles only the row that comes into view (see `_lines`).
        self._styles_cache = ContentLineCache()
        self._source = source
        self._clock = clock
        self._ids: Sequence[int] = []
        self._rows: dict[int, Headline] = {}
        self.marker: Marker | None = None
        """Set while the list shows search results: which words of a title to mark."""
        self.show_feed = False
        self.cursor = 0
        self.empty_message = "No entries"
        self._message_lines: tuple[tuple[str, int], list[str]] = (("", 0), [])
        self._frame: _Frame | None = None
        """What drawing a row needs, while a frame's lines are drawn (looked up once)."""
        self._drawn: dict[int, tuple[int, Headline | None, bool, date]] = {}
        """What each line of the pane shows, by line: (list index, the row drawn, cursor on
        it, the local day it was drawn on: a date reads "15:30" today, "Wed" tomorrow), as
        `render_line` last drew it. `update_ids` redraws the lines whose row changed
        against this, not against `_rows`: a window of rows loaded for another line (`n`'s
        look-ahead) replaces rows on screen without drawing their lines again."""
        self._lines: dict[tuple[int, bool], _Line] = {}
        """Each row's strip as last drawn, by (entry id, cursor on it): a scroll by one row
        draws the row that comes into view and hands back the others' strips as they were
        (and with them everything Textual made from them: `ContentLineCache`), where it drew
        all 37 again (~15-19 ms a frame with the 100k store, on a busy host). Valid while the
        row and the frame's `_lines_for` are the same and the date reads the same."""
        self._lines_for: tuple[object, ...] | None = None
        """What every row's strip depends on besides its row (styles, width, marks)."""
        self._barred: dict[tuple[int, Segment], tuple[Strip, Strip]] = {}
        """(id(row strip), bar cell) -> (row strip, the line with that bar cell)."""

    # -- data in -----------------------------------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        return self._ids

    @property
    def current_id(self) -> int | None:
        return self._ids[self.cursor] if self._ids else None

    def show(self, ids: Sequence[int], *, show_feed: bool, cursor_id: int | None = None) -> None:
        """Show a new view, cursor on `cursor_id` if present, else at the top."""
        if not ids and not self._ids and self._drawn_as(show_feed):
            # Empty before and after, with the same message (a new reader's keys in the feed
            # list, every feed still empty): ~40 lines of nothing need not be drawn again.
            self._announce()
            return
        self._ids = ids
        self._rows.clear()
        self.show_feed = show_feed
        self.cursor = ids.index(cursor_id) if cursor_id in ids else 0
        # Not `virtual_size = `: that re-lays out the whole screen (~20-40 ms) on every view
        # change, as a key in the feed list makes.
        set_extent(self, Size(self.size.width, len(ids)))
        self.scroll_to(y=max(0, self.cursor - self.size.height // 3), animate=False)
        self.refresh()
        self._announce()

    def update_ids(self, ids: Sequence[int]) -> None:
        """Same view, new contents (a refresh added entries): the selected entry stays
        selected and stays where it was on screen. Only the lines that changed are drawn
        again (a reload comes every 2 s while a refresh delivers, and a key may be waiting):
        the rows on screen are read again, the others when next drawn."""
        current = self.current_id
        top = round(self.scroll_y)
        offset_on_screen = self.cursor - top
        was_empty = not self._ids
        bar = self._scroll_bar()
        self._ids = ids
        set_extent(self, Size(self.size.width, len(ids)))
        new_top = top
        if current is not None and current in ids:
            self.cursor = ids.index(current)
            new_top = max(0, self.cursor - offset_on_screen)
        else:
            self.cursor = min(self.cursor, max(len(ids) - 1, 0))
            if self.current_id != current:
                self._announce()
        if new_top != top or was_empty or not ids or self._scroll_bar() != bar:
            # Scrolled, or the bar looks different (it is drawn in every line): all lines.
            self._rows.clear()
            self.scroll_to(y=new_top, animate=False)
            self.refresh()
            return
        shown = self._ids[top : top + self.size.height]
        try:
            self._rows = {row.id: row for row in self._source(shown)}
        except StoreError:  # drawn (and said) when the lines are drawn
            self._rows = {}
            self.refresh()
            return
        today = _local_day(self._clock())
        for y in range(self.size.height):
            index = top + y
            row = self._rows.get(shown[y]) if y < len(shown) else None
            if self._drawn.get(y) != (index, row, index == self.cursor, today):
                self.refresh_line(index)

    def forget(self, ids: Sequence[int]) -> None:
        """Rows whose state changed (read, bookmark): reload them when next drawn."""
        for entry_id in ids:
            self._rows.pop(entry_id, None)
        self.refresh()

    def replace_rows(self, rows: Sequence[Headline]) -> None:
        """A few rows whose state changed (read, bookmark), as they are now: kept, and only
        their lines redrawn (a `forget` would re-read a window of rows to draw one)."""
        top = round(self.scroll_y)
        shown = self._ids[top : top + self.size.height]
        for row in rows:
            self._rows[row.id] = row
            if row.id in shown:
                self.refresh_line(top + shown.index(row.id))

    # -- movement ----------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if not self._ids:
            return
        index = max(0, min(len(self._ids) - 1, index))
        if index == self.cursor:
            return
        previous, scrolled_from = self.cursor, self.scroll_offset
        self.cursor = index
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        if self.scroll_offset == scrolled_from:
            # Only two rows changed: redrawing all of them cost ~4 ms a key.
            self.refresh_line(previous)
            self.refresh_line(index)
        else:
            self.refresh()
        self._announce()

    def move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def page(self, direction: int) -> None:
        self.move(direction * max(1, self.size.height - 1))

    def jump(self, end: bool) -> None:
        """To the last row (`end`) or the first."""
        self.move_to(len(self._ids) - 1 if end else 0)

    def move_to_id(self, entry_id: int) -> bool:
        if entry_id not in self._ids:
            return False
        self.move_to(self._ids.index(entry_id))
        return True

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current_id))

    def on_click(self, event: events.Click) -> None:
        if self._bar_row(event) is not None:  # the scroll bar's (DrawnScrollBar)
            return
        index = round(self.scroll_y) + event.y
        if 0 <= index < len(self._ids):
            self.move_to(index)
            self.post_message(self.Opened(self, self._ids[index]))

    # -- drawing -----------------------------------------------------------------------------

    def headline(self, index: int) -> Headline | None:
        entry_id = self._ids[index]
        row = self._rows.get(entry_id)
        if row is None:
            if len(self._rows) > _CACHE_LIMIT:
                self._rows.clear()
            start = max(0, index - _WINDOW // 4)
            for loaded in self._source(self._ids[start : start + _WINDOW]):
                self._rows[loaded.id] = loaded
            row = self._rows.get(entry_id)
        return row

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles once a frame, not once a line (or several times a row): `rich_style`
        # walks the styles of every ancestor (~50 us), each component style is a lookup.
        self._frame = self._styles()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _styles(self) -> _Frame:
        cursor = self.get_component_rich_style("entry-list--cursor")
        if not self.has_focus:
            cursor = Style(reverse=False) + cursor + Style(dim=True)
        style = self.get_component_rich_style
        base = self.rich_style
        bar = self._scroll_bar(base)
        width = self.scrollable_content_region.width
        now = self._clock()
        frame = _Frame(
            width=width - BAR_WIDTH if bar is not None else width,
            bar=bar,
            now=now,
            day=_local_day(now),
            base=base,
            cursor=cursor,
            unread=style("entry-list--unread"),
            read=style("entry-list--read"),
            mark=style("entry-list--mark"),
            date=style("entry-list--date"),
            feed=style("entry-list--feed"),
            match=style("entry-list--match"),
        )
        drawn_for = (
            frame.width, frame.base, frame.cursor, frame.unread, frame.read, frame.mark,
            frame.date, frame.feed, frame.match, self.show_feed, self.marker,
        )  # fmt: skip
        if drawn_for != self._lines_for:
            self._lines_for = drawn_for
            self._forget_lines()
        return frame

    def _forget_lines(self) -> None:
        self._lines.clear()
        self._barred.clear()

    def _drawn_as(self, show_feed: bool) -> bool:
        """The empty list on screen says `empty_message` already (and would not change)."""
        return show_feed == self.show_feed and self._message_lines[0][0] == self.empty_message

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._styles()
        line = self._row_line(y, frame)
        if frame.bar is None or not 0 <= y < len(frame.bar):
            return line
        cell = frame.bar[y]
        key = (id(line), cell)
        barred = self._barred.get(key)
        if barred is not None and barred[0] is line:
            return barred[1]
        strip = Strip([*line, cell], frame.width + BAR_WIDTH)
        self._barred[key] = (line, strip)  # the row strip kept: its id stays its own
        return strip

    def _row_line(self, y: int, frame: _Frame) -> Strip:
        """Line `y` without the scroll bar, `frame.width` cells."""
        width = frame.width
        index = round(self.scroll_y) + y
        self._drawn.pop(y, None)  # a line drawn blank for a missing row is never "unchanged"
        if not self._ids:
            # The message wraps: it may say what went wrong and what to do about it.
            lines = self._wrapped_message(max(width - 2, 10))
            if y < len(lines):
                return Strip([Segment(set_cell_size(f" {lines[y]}", width), frame.read)])
            return Strip.blank(width, frame.base)
        if index >= len(self._ids):
            self._drawn[y] = (index, None, index == self.cursor, frame.day)
            return Strip.blank(width, frame.base)
        try:
            row = self.headline(index)
        except StoreError as error:  # a damaged page: say so (once), draw the rest
            self.app.store_problem(error)  # type: ignore[attr-defined]
            return Strip.blank(width, frame.base)
        if row is None:  # deleted between the id query and now
            return Strip.blank(width, frame.base)
        self._drawn[y] = (index, row, index == self.cursor, frame.day)
        return self._row_strip(row, frame, index == self.cursor)

    def _row_strip(self, row: Headline, frame: _Frame, is_cursor: bool) -> Strip:
        """The row's strip: the one drawn before if it would be drawn the same now."""
        key = (row.id, is_cursor)
        kept = self._lines.get(key)
        if (
            kept is not None
            and (kept.row is row or kept.row == row)
            and kept.day == frame.day
            and kept.drawn <= frame.now
            and (kept.turns is None or frame.now < kept.turns)
        ):
            return kept.strip
        strip = Strip(self._segments(row, frame, is_cursor), frame.width)
        if len(self._lines) >= _LINES_KEPT:
            self._forget_lines()
        turns = _date_turns(row.published_at, frame.now)
        self._lines[key] = _Line(row, strip, frame.day, frame.now, turns)
        return strip

    def _wrapped_message(self, width: int) -> list[str]:
        """The empty list's message, wrapped once per message and width (not once a line)."""
        key = (self.empty_message, width)
        if self._message_lines[0] != key:
            self._message_lines = (key, textwrap.wrap(self.empty_message, width))
        return self._message_lines[1]

    def _segments(self, row: Headline, frame: _Frame, is_cursor: bool) -> list[Segment]:
        base = frame.read if row.read else frame.unread
        if is_cursor:
            base = base + frame.cursor
        mark = base + frame.mark
        dot, star, date, feed, title_text = headline_cells(
            row, frame.width, frame.now, show_feed=self.show_feed
        )
        segments = [Segment(dot, mark), Segment(star, mark), Segment(date, base + frame.date)]
        if feed is not None:
            segments.append(Segment(feed, base + frame.feed))
        title = Segment(title_text, base)
        if self.marker is None:
            segments.append(title)
        else:
            segments += mark_segments([title], self.marker, base + frame.match)
        return segments

    def _line_count(self) -> int:
        return len(self._ids)

    def on_mount(self) -> None:
        style_scrollbar(self)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self._ids))


@dataclass(frozen=True, slots=True)
class _Frame:
    """What drawing the rows of one frame needs: the width, the time, the styles."""

    width: int
    """The rows' width (the pane's, less the scroll bar's when it has one)."""
    bar: list[Segment] | None
    """The scroll bar's cell on each line (None: the list fits the pane)."""
    now: datetime
    day: date
    """`now`'s local day, which each drawn line keeps (`EntryList._drawn`)."""
    base: Style
    cursor: Style
    unread: Style
    read: Style
    mark: Style
    date: Style
    feed: Style
    match: Style


@dataclass(frozen=True, slots=True)
class _Line:
    """A row's strip as drawn, and what it was drawn for."""

    row: Headline
    strip: Strip
    day: date
    """The local day it was drawn on: "15:30" today is "Wed" after midnight."""
    drawn: datetime
    turns: datetime | None
    """When its date would read otherwise within the day (None: not today): `headline_date`
    gives the weekday for under six days ago and a date from then on."""


def _date_turns(published: datetime, now: datetime) -> datetime | None:
    """The first moment after `now`, before the local day changes, at which
    `headline_date(published, ...)` may change: when a post dated ahead is reached, and six
    days after it (weekday -> date). Midnight is checked apart (`_Line.day`)."""
    for moment in (published, published + _SIX_DAYS):
        if moment > now:
            return moment
    return None


def _local_day(now: datetime) -> date:
    """The day the user's clock shows (headline dates are shown in local time)."""
    return now.astimezone().date()
