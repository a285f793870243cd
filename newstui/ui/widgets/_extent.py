"""Changing how far a Line API widget scrolls without re-laying out the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_extent(widget: ScrollView, size: Size) -> None:
    """Set `widget.virtual_size`, re-laying out the screen only when that changes anything.

    Assigning `virtual_size` re-lays out the whole screen, every pane (~20 ms with 2,000 feeds
    in the feed list). A new article, or a list that gained rows during a refresh, needs that
    only when its scrollbar appears or disappears (the text area changes width); otherwise
    only the widget and its scrollbar are redrawn. A widget that draws its own bar
    (`DrawnScrollBar`: Textual's is 0 cells wide) needs it never: showing or hiding a bar of
    no width moves nothing, but Textual laid the whole screen out twice for it (~25 + 8 ms:
    the first feed-list key after an article, from a long article to a feed's status).
    """
    viewport = widget.container_size.height
    before = widget.virtual_size
    overflows = size.height > viewport
    drawn_bar = _draws_its_bar(widget)
    # Sideways, these panes never scroll (`overflow-x: hidden`): a new width moves nothing.
    same_width = before.width == size.width or widget.styles.overflow_x == "hidden"
    if viewport > 0 and same_width and (drawn_bar or (before.height > viewport) == overflows):
        widget.set_reactive(ScrollView.virtual_size, size)
        if drawn_bar and widget.show_vertical_scrollbar != overflows:
            # What Textual's own check would decide (wheel scrolling asks it), without the
            # layouts; the next real layout (a resize) decides it again, the same way. And
            # the scroll position kept within the new extent, as that layout would.
            widget.set_reactive(Widget.show_vertical_scrollbar, overflows)
            widget.scroll_target_y = widget.scroll_y = widget.validate_scroll_y(widget.scroll_y)
        if widget.show_vertical_scrollbar:
            widget.vertical_scrollbar.window_virtual_size = size.height
    else:
        widget.virtual_size = size


def _draws_its_bar(widget: ScrollView) -> bool:
    """Textual's vertical scrollbar takes no room (the widget draws a bar in its lines)."""
    styles = widget.styles
    return styles.scrollbar_size_vertical == 0 and styles.overflow_y == "auto"


def style_scrollbar(widget: ScrollView) -> None:
    """Give the widget's vertical scrollbar its CSS now, while the screen is laid out anyway.

    Textual creates a scrollbar when it is first needed and applies the stylesheet to it only
    at the next style update of an ancestor: the first focus change or screen class change
    (the first `n`, which opens the article). That first pass sets the scrollbar's
    `scrollbar-size` rules, which are layout properties, so it re-laid out and redrew the
    whole screen once (~35 ms of layout and ~30 ms of drawing with 2,000 feeds). Applied at
    mount, the later passes change nothing.
    """
    widget.app.stylesheet.apply(widget.vertical_scrollbar)
