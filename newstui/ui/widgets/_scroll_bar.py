"""The scroll bar `EntryView` and `EntryList` draw themselves, as the last cells of each line.

Textual's scrollbar widget cost ~2.5-3 ms of every new article's frame (each of its one-cell
lines goes through the compositor's line cache and filters), a fifth of what `n` and Down
spend drawing. `DrawnScrollBar` draws the same bar (Textual's glyphs, thumb size and position,
and `scrollbar-*` colours) into the widget's own lines, and handles its clicks and drags as
Textual's does. The stylesheet gives such a widget no Textual scrollbar.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender

BAR_WIDTH = 2
"""Cells of the scroll bar a long article has at its right (Textual's scrollbar width)."""


class DrawnScrollBar(ScrollView):
    """A Line API scroll view with a vertical bar drawn in its lines: `render_line` appends
    `_scroll_bar()[y]` to row `y`'s line; `_line_count` says how many lines it scrolls."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bar: tuple[tuple[object, ...], list[Segment]] | None = None
        """The scroll bar's cells, one per row, with what they were drawn for."""
        self._grab: float | None = None
        """Where in the thumb the mouse holds it (rows), while it drags the scroll bar."""

    def _line_count(self) -> int:
        """The lines the bar scrolls through."""
        raise NotImplementedError

    def _scroll_bar(
        self, base: Style | None = None, *, lines: int | None = None
    ) -> list[Segment] | None:
        """The bar's cell on each row, as Textual's scrollbar draws it (its glyphs, thumb
        size and position, and the `scrollbar-*` colours, over the pane's style `base`);
        None when the article fits. `lines`: for that many lines shown from the top (an
        article prepared to be shown next), not for what is shown now."""
        height = self.size.height
        if lines is None:
            lines = self._line_count()
            position = int(self.scroll_y * 8) / 8  # Textual's scrollbar: 1/8 of a cell
        else:
            position = 0.0
        if lines <= height or height <= 0 or self.size.width <= BAR_WIDTH:
            return None
        styles = self.styles
        background = styles.scrollbar_background
        if background.a < 1:
            background = self.background_colors[0] + background
        color = background + styles.scrollbar_color
        base = self.rich_style if base is None else base
        key = (height, lines, position, color, background, base)
        if self._bar is not None and self._bar[0] == key:
            return self._bar[1]
        drawn = ScrollBarRender.render_bar(
            size=height,
            virtual_size=lines,
            window_size=height,
            position=position,
            thickness=BAR_WIDTH,
            vertical=True,
            back_color=background.rich_color,
            bar_color=color.rich_color,
        )
        # Without the segments' mouse meta: this widget handles the bar's clicks itself.
        plain: dict[Style, Style] = {}
        rows = []
        for segment in drawn.segments:
            style = segment.style or Style()
            if style not in plain:
                bare = Style(color=style.color, bgcolor=style.bgcolor, reverse=style.reverse)
                plain[style] = base + bare
            rows.append(Segment(segment.text, plain[style]))
        self._bar = (key, rows)
        return rows

    def _thumb(self) -> tuple[float, float]:
        """The thumb's first row and its length in rows (as `ScrollBarRender` draws it)."""
        height, lines = self.size.height, max(self._line_count(), 1)
        length = max(1, height * height / lines)
        top = (height - length) * (self.scroll_y / self.max_scroll_y if self.max_scroll_y else 0)
        return top, length

    def _bar_row(self, event: events.MouseEvent) -> int | None:
        """The row of the scroll bar the mouse is on, or None when it is not on the bar."""
        offset = event.get_content_offset(self)
        if offset is None or self._scroll_bar() is None:
            return None
        return offset.y if offset.x >= self.size.width - BAR_WIDTH else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """On the bar, as on Textual's: above or below the thumb a page, on it a drag."""
        row = self._bar_row(event) if event.button == 1 else None
        if row is None:
            return
        event.stop()
        top, length = self._thumb()
        if row < int(top):
            self.scroll_page_up(animate=False)
        elif row >= top + length:
            self.scroll_page_down(animate=False)
        else:
            self._grab = row - top
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._grab is None:
            return
        offset = event.get_content_offset_capture(self)
        _, length = self._thumb()
        room = self.size.height - length
        share = (offset.y - self._grab) / room if room > 0 else 0
        self.scroll_to(y=max(0.0, min(1.0, share)) * self.max_scroll_y, animate=False)

    def on_mouse_up(self, _event: events.MouseUp) -> None:
        if self._grab is not None:
            self._grab = None
            self.release_mouse()

    def on_mouse_release(self, _event: events.MouseRelease) -> None:
        # Textual takes the mouse back without a MouseUp when a screen is pushed or switched:
        # a drag left on would make plain hovering scroll the article.
        self._grab = None
