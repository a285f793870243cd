"""Changing how far a Line API widget scrolls without re-laying out the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def set_extent(widget: ScrollView, size: Size) -> None:
    """Set `widget.virtual_size`, re-laying out the screen only when that changes anything.

    Assigning `virtual_size` re-lays out the whole screen, every pane (~20 ms with 2,000 feeds
    in the feed list). A new article, or a list that gained rows during a refresh, needs that
    only when its scrollbar appears or disappears (the text area changes width); otherwise
    only the widget and its scrollbar are redrawn.
    """
    viewport = widget.container_size.height
    before = widget.virtual_size
    if (
        viewport > 0
        and before.width == size.width
        and (before.height > viewport) == (size.height > viewport)
    ):
        widget.set_reactive(ScrollView.virtual_size, size)
        if widget.show_vertical_scrollbar:
            widget.vertical_scrollbar.window_virtual_size = size.height
    else:
        widget.virtual_size = size


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
