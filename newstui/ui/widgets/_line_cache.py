"""A widget's styled lines kept by the content line they were made from, not by row.

Textual keeps each widget's finished lines (its `StylesCache`) by row: a widget that scrolls
by one row has every row dirty, and each of its lines goes through Textual's line styling
again (borders, padding, ~40 us a line), then the compositor's filter, cut and render of a
strip it has never seen (each cached on the strip object, so lost with a new one). When the
widget hands back the same content strip object for a line it showed before on another row
(`EntryList` keeps its rows' strips), the finished strip made from it is handed back too: a
one-row scroll of the headline list then styles one new line, not 37, and the 36 others reach
the terminal from the caches of strips already drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual._styles_cache import StylesCache
from textual.strip import Strip

KEPT = 512
"""Finished lines kept at most (a few screens of a widget): then they are all forgotten."""


class ContentLineCache(StylesCache):
    """Textual's `StylesCache` that reuses the finished line made from a content strip.

    Only for the rows between the widget's top and bottom gutter (its border and padding),
    which Textual styles the same way whatever row they are on; a frame whose styles, sizes or
    colours differ from the last one forgets every line kept. Widgets with an outline (drawn
    over their first and last row) are styled as Textual does, line by line.
    """

    def __init__(self) -> None:
        super().__init__()
        self._context: tuple[object, ...] | None = None
        """What styling a content line depends on besides the line, as of the last frame."""
        self._finished: dict[int, tuple[Strip, Strip]] = {}
        """id(content strip) -> (the content strip, the finished line made from it)."""
        self._rows = range(0)
        """The widget rows whose lines are content lines this frame (empty: none are kept)."""
        self._last: tuple[Any, ...] | None = None
        """The last frame's arguments for styling a content line (`prepare` styles with them)."""

    def render(
        self,
        styles: Any,
        size: Any,
        base_background: Any,
        background: Any,
        render_content_line: Callable[[int], Strip],
        filters: Any,
        border_title: Any,
        border_subtitle: Any,
        content_size: Any = None,
        padding: Any = None,
        crop: Any = None,
        opacity: float = 1.0,
        **options: Any,
    ) -> list[Strip]:
        content_size = size if content_size is None else content_size
        pad = styles.padding if padding is None else padding
        gutter = styles.gutter
        outline = styles.outline
        hatch = styles.hatch if styles.has_rule("hatch") else None
        # Everything Textual's `render_line` reads for a content row, but the line itself.
        context = (
            size, content_size, pad, gutter, base_background, background, opacity,
            styles.border, outline, styles.text_opacity, styles.tint, hatch,
            *sorted(options.items(), key=lambda item: item[0]),
        )  # fmt: skip
        if context != self._context or len(self._finished) > KEPT:
            self._context = context
            self._finished.clear()
        if any(edge for edge, _ in outline):
            self._rows = range(0)
        else:
            top = gutter.top
            self._rows = range(top, min(size.height - gutter.bottom, top + content_size.height))
        self._last = (
            styles, size, content_size, pad, base_background, background, border_title,
            border_subtitle, opacity, options.get("ansi_theme"), options.get("native_ansi"),
        )  # fmt: skip
        return super().render(
            styles, size, base_background, background, render_content_line, filters,
            border_title, border_subtitle, content_size=content_size, padding=padding,
            crop=crop, opacity=opacity, **options,
        )  # fmt: skip

    def render_line(
        self,
        styles: Any,
        y: int,
        size: Any,
        content_size: Any,
        padding: Any,
        base_background: Any,
        background: Any,
        render_content_line: Callable[[int], Strip],
        *rest: Any,
    ) -> Strip:
        if y not in self._rows:
            return super().render_line(
                styles, y, size, content_size, padding, base_background, background,
                render_content_line, *rest,
            )  # fmt: skip
        content = render_content_line(y - self._rows.start)
        finished = self._finished.get(id(content))
        if finished is not None and finished[0] is content:
            return finished[1]
        strip = super().render_line(
            styles, y, size, content_size, padding, base_background, background,
            lambda _y: content, *rest,
        )  # fmt: skip
        self._finished[id(content)] = (content, strip)  # the content kept: its id stays its own
        return strip

    def prepare(self, contents: Sequence[Strip], filters: Sequence[Any], console: Any) -> None:
        """Finish these content lines now, as the next frame will if nothing about the widget
        changes meanwhile (else that frame forgets them), with its filters applied and the
        terminal's codes for them made (both kept on the strips): lines of an article likely
        to be shown next, while the keys pause. `filters` and `console`: the widget's line
        filters and the app's console, as Textual's frame uses them."""
        if self._last is None or not self._rows or len(self._finished) > KEPT:
            return
        styles, size, content_size, pad, base_background, background, *rest = self._last
        if len(rest) != 5 or rest[3] is None:  # not the frame arguments Textual 8 passes
            return
        for content in contents:
            finished = self._finished.get(id(content))
            if finished is None or finished[0] is not content:
                strip = super().render_line(
                    styles, self._rows.start, size, content_size, pad, base_background,
                    background, lambda _y, content=content: content, *rest,
                )  # fmt: skip
                self._finished[id(content)] = finished = (content, strip)
            line = finished[1]
            for line_filter in filters:  # as `StylesCache.render` applies them
                line = line.apply_filter(line_filter, background)
            line.render(console)
