"""The colours of the reader's first frame, kept for the next launch's early frame.

The early frame (`newstui.early_frame`) is drawn before Textual is imported, so it cannot ask
the theme for its colours. Instead, once Textual has drawn a first frame, the exact SGR codes
it wrote for each part (`newstui.core.first_frame.ROLES`) are read back from that frame's cells
and kept beside the database, under a key saying what they depend on (terminal, theme, code).
The next launch with the same key draws its early frame in them; any other launch has none.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from newstui.core.atomic_file import replace_quietly
from newstui.core.first_frame import OPTIONAL, ROLES, encode_palette
from newstui.core.list_rows import HEADLINE_LEAD

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen


def sample_palette(screen: MainScreen, system: ColorSystem | None = None) -> dict[str, str] | None:
    """The SGR codes of each part of the screen as drawn now, if it is still the first frame's
    state (both cursors on their first row, the headline list focused); else None. In the
    app's colour system, or in `system` (the palettes made in advance, for each)."""
    feeds, entries, article = screen.feed_list, screen.entry_list, screen.entry_view
    if not (entries.has_focus and entries.ids and feeds.cursor == 0 and entries.cursor == 0):
        return None
    if feeds.scroll_y or entries.scroll_y or screen.searching.active:
        return None
    app = screen.app
    strips = screen._compositor.render_strips()  # the compositor's own frame, filters applied
    system = system or app.console._color_system or ColorSystem.TRUECOLOR

    def sgr(style: Style | None) -> str:
        return "" if style is None else Strip.render_ansi(style, system)

    def at(x: int, y: int) -> str | None:
        if not 0 <= y < len(strips):
            return None
        left = 0
        for segment in strips[y]:
            right = left + segment.cell_length
            if left <= x < right and not segment.control:
                return sgr(segment.style)
            left = right
        return None

    def blank(widget: Widget) -> str:
        strip = Strip([Segment(" ", widget.rich_style)])
        for line_filter in widget.get_line_filters():
            strip = strip.apply_filter(line_filter, widget.background_colors[1])
        return sgr(next(iter(strip)).style)

    f, e = feeds.region, entries.region
    sampled: dict[str, str | None] = {
        "status": at(1, 0),
        "status_blank": at(screen.size.width - 1, 0),
        "footer": blank(screen.query_one("KeysFooter", Widget)),
        "feeds_border": at(f.x, f.y),
        "feeds_title": at(f.x + 1, f.y),
        "feeds_edge": at(f.right - 1, f.y + 1),
        "feeds_cursor": at(f.x, f.y + 1),
        "feeds_cursor_label": at(f.x + 2, f.y + 1),
        "feeds_text": at(f.x, f.y + 2),
        "feeds_heading": at(f.x + 2, f.y + 2),
        "entries_border": at(e.x, e.y),
        "entries_title": at(e.x + 1, e.y),
        "entries_blank": blank(entries),
    }
    rows, feed_width = feeds.rows, feeds.scrollable_content_region.width
    shown = range(1, min(len(rows), feeds.scrollable_content_region.height))
    if (counted := next((i for i in shown if rows[i].unread), None)) is not None:
        sampled["feeds_count"] = at(f.x + feed_width - 1, f.y + 1 + counted)
    if (failed := next((i for i in shown if rows[i].error), None)) is not None:
        sampled["feeds_error"] = at(f.x + 1 + 2 * rows[failed].indent, f.y + 1 + failed)
    room = entries.scrollable_content_region.width - HEADLINE_LEAD
    feed_cells = min(18, room // 3) if entries.show_feed and room > 24 else 0
    for prefix, y in (("cursor_", e.y + 1), ("", e.y + 2)):
        if prefix or len(entries.ids) > 1:
            sampled[prefix + "mark"] = at(e.x, y)
            sampled[prefix + "date"] = at(e.x + 5, y)
            if feed_cells:
                sampled[prefix + "feed"] = at(e.x + HEADLINE_LEAD, y)
            sampled[prefix + "title"] = at(e.x + HEADLINE_LEAD + feed_cells, y)
    if article.display:
        a = article.region
        sampled["article_border"] = at(a.x, a.y)
        sampled["article_title"] = at(a.x + 3, a.y)
        sampled["article_edge"] = at(a.x, a.y + 1)
        sampled["article_blank"] = blank(article)
    palette = {role: value for role, value in sampled.items() if value is not None}
    if not (set(ROLES) - set(OPTIONAL)) <= palette.keys():
        return None
    return palette


def keep_palette(screen: MainScreen, path: Path, key: str) -> None:
    """Sample the screen's palette and keep it at `path` (replaced whole, never torn).

    Never raises: the sampling reads Textual's internals (`screen._compositor`,
    `console._color_system`) and the footer, which another Textual version or layout may not
    have, and a data directory may not be writable. Any failure just means no early frame
    next time; the reader goes on as if it had never tried."""
    try:
        palette = sample_palette(screen)
        blob = None if palette is None else encode_palette(key, palette)
    except Exception:  # whatever Textual's internals did: no palette, nothing else
        return
    if blob is not None:
        replace_quietly(path, blob)
