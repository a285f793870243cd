"""The reader's first frame as text and colours, computed without Textual. Pure: no I/O.

`newstui.early_frame` writes it to the terminal before Textual is imported (~250 ms of the
launch on the benchmark machine), and Textual then paints over it. So that the switch shows
no jump, every cell drawn here holds what Textual's first frame holds there: the row text
comes from `newstui.core.list_rows`, as the widgets' does; the pane widths and title bars are
the ones `newstui/ui/newstui.tcss` gives; the colours are the exact SGR codes Textual wrote in
the last launch's first frame for the same theme and terminal (the `Palette`, sampled by
`newstui.ui.first_frame_palette`). Where the frame is not known in advance (the status line's
activity, the footer's keys, the article, scrollbars) the cells are left blank: less, never
something different.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from newstui.core.list_rows import (
    HEADLINE_LEAD,
    FeedFacts,
    FeedRow,
    build_rows,
    feed_row_cells,
    headline_cells,
)
from newstui.core.models import Headline

NARROW_WIDTH = 110
"""As `newstui.ui.screens.main.NARROW_WIDTH` (a test checks they agree)."""
FEEDS_WIDTH, NARROW_FEEDS_WIDTH = 30, 24
"""The feed pane's width in `newstui.tcss`."""
SCROLLBAR = 2
"""Textual's vertical scrollbar, in cells."""

ENV_KEYS = (
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "TEXTUAL_COLOR_SYSTEM",
    "TEXTUAL_FILTERS",
    "TEXTUAL_ALLOW_SIGNALS",
)
"""What decides the colours Textual writes (its colour system and filters)."""

ROLES = (
    "status",  # the status line's text (" newstui  N unread ")
    "status_blank",
    "footer",
    "feeds_border",  # the feed pane's title bar (not focused)
    "feeds_title",
    "feeds_edge",  # its right border
    "feeds_text",  # a feed row, and the pane's blank cells
    "feeds_heading",  # a heading row's label (All unread, a tag)
    "feeds_count",
    "feeds_error",
    "feeds_cursor",  # the highlighted row (All unread, not focused)
    "feeds_cursor_label",
    "entries_border",  # the headline pane's title bar (focused)
    "entries_title",
    "entries_blank",
    "mark",
    "date",
    "feed",
    "title",
    "cursor_mark",
    "cursor_date",
    "cursor_feed",
    "cursor_title",
    "article_border",
    "article_title",
    "article_edge",
    "article_blank",
)
OPTIONAL = {
    "feeds_count": "feeds_text",
    "feeds_error": "feeds_text",
    "mark": "entries_blank",
    "date": "entries_blank",
    "feed": "entries_blank",
    "title": "entries_blank",
    "cursor_feed": "cursor_title",
    "article_border": "feeds_border",
    "article_title": "feeds_title",
    "article_edge": "feeds_edge",
    "article_blank": "entries_blank",
}
"""Roles a first frame may not have shown (no second headline, no feed in error, a narrow
terminal): the role drawn in their place."""

Palette = Mapping[str, str]
"""SGR parameters by role ("1;38;2;224;224;224;48;2;36;47;56"; "" for the default style)."""


def palette_key(
    env: Mapping[str, str], theme_state: Mapping[str, str], theme: str | None, code: str
) -> str:
    """What a palette depends on: the terminal's environment, the theme asked for (`--theme`,
    the theme picked in the reader, feeds.toml's `theme`) and the code (version, theme files)."""
    parts = {
        "env": {key: env.get(key) for key in ENV_KEYS},
        "state": {k: theme_state.get(k) for k in ("theme", "theme.configured")},
        "theme": theme,
        "code": code,
    }
    return json.dumps(parts, sort_keys=True)


def encode_palette(key: str, palette: Palette) -> bytes:
    return json.dumps({"key": key, "sgr": dict(palette)}, sort_keys=True).encode()


def decode_palette(blob: bytes | None, key: str) -> dict[str, str] | None:
    """The palette in `blob` if it was made under `key` and is whole; else None."""
    if blob is None:
        return None
    try:
        data = json.loads(blob)
        sgr = data["sgr"] if data.get("key") == key else None
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    return _whole(sgr)


def _whole(sgr: object) -> dict[str, str] | None:
    """`sgr` as a palette of every role, if it is one (SGR strings, the required roles)."""
    if not isinstance(sgr, dict) or not all(
        isinstance(v, str) and all(c.isdigit() or c == ";" for c in v) for v in sgr.values()
    ):
        return None
    required = set(ROLES) - set(OPTIONAL)
    if not required <= sgr.keys():
        return None
    return {role: sgr.get(role, sgr.get(OPTIONAL.get(role, ""), "")) for role in ROLES}


@dataclass(frozen=True, slots=True)
class Panes:
    """Where the panes are, in columns (the article pane is hidden when narrow)."""

    feeds: int
    entries_x: int
    entries: int
    article_x: int | None


def panes(width: int, feed_pane_width: int | None) -> Panes:
    """As `newstui.tcss` lays them out: the feed pane fixed, the other two sharing the rest
    (Textual rounds the first fraction down)."""
    narrow = width < NARROW_WIDTH
    feeds = feed_pane_width or (NARROW_FEEDS_WIDTH if narrow else FEEDS_WIDTH)
    rest = width - feeds
    if narrow:
        return Panes(feeds, feeds, rest, None)
    return Panes(feeds, feeds, rest // 2, feeds + rest // 2)


Run = tuple[str, str]
"""(role, text)."""


def frame_runs(
    size: tuple[int, int],
    feeds: Sequence[FeedFacts],
    hidden_bookmarks: int,
    headlines: Sequence[Headline],
    unread_count: int,
    now: datetime,
    *,
    feed_pane_width: int | None = None,
    show_read: bool = True,
) -> list[list[Run]] | None:
    """Each line of the first frame as runs of (role, text), every line `size[0]` cells wide;
    None when this frame cannot be known (too small, nothing unread, too few headlines).
    `show_read`: the setting, named in the headline pane's title when off."""
    width, height = size
    rows_high = height - 3  # the status line, the title bars, the footer
    layout = panes(width, feed_pane_width)
    if rows_high < 3 or layout.entries < HEADLINE_LEAD + 10 or layout.feeds < 12:
        return None
    if unread_count == 0 or len(headlines) < min(unread_count, rows_high):
        return None  # the list would show a message, or rows not read
    unread = sum(f.unread for f in feeds)
    bookmarks = sum(f.bookmarks for f in feeds) + hidden_bookmarks
    # One row more than the pane shows: whether it has a scroll bar.
    feed_rows = build_rows(feeds, unread_total=unread, bookmarks=bookmarks, limit=rows_high + 1)
    lines: list[list[Run]] = []
    status = f" newstui  {unread} unread "
    lines.append([("status", status), ("status_blank", " " * (width - len(status)))])
    title = "Headlines" if show_read else "Headlines · read hidden"  # as MainScreen's title
    if layout.entries < len(title) + 2:
        return None
    lines.append(_title_bars(layout, width, title))
    feed_width = layout.feeds - 1 - (SCROLLBAR if len(feed_rows) > rows_high else 0)
    entry_width = layout.entries - (SCROLLBAR if unread_count > rows_high else 0)
    for y in range(rows_high):
        line = _feed_line(feed_rows, y, feed_width, layout.feeds - 1)
        line.append(("feeds_edge", "▕"))
        line += _entry_line(headlines, y, entry_width, layout.entries, now)
        if layout.article_x is not None:
            line += [("article_edge", "▏"), ("article_blank", " " * (width - layout.article_x - 1))]
        lines.append(line)
    lines.append([("footer", " " * width)])
    return lines


def _title_bars(layout: Panes, width: int, title: str) -> list[Run]:
    # Textual puts an unfocused pane's title after one cell of the bar, with a space after it
    # (a space before it when the pane has a left border); a focused one without spaces.
    feeds = [("feeds_border", "▔"), ("feeds_title", "Feeds ")]
    feeds.append(("feeds_border", "▔" * (layout.feeds - 7)))
    entries = [("entries_border", "▔"), ("entries_title", title)]
    entries.append(("entries_border", "▔" * (layout.entries - 1 - len(title))))
    if layout.article_x is None:
        return feeds + entries
    article = [("article_border", "▔▔"), ("article_title", " Article")]
    article.append(("article_border", "▔" * (width - layout.article_x - 10)))
    return feeds + entries + article


def _feed_line(rows: Sequence[FeedRow], y: int, width: int, pane: int) -> list[Run]:
    gap = [("feeds_text", " " * (pane - width))] if pane > width else []
    if y >= len(rows):
        return [("feeds_text", " " * pane)]
    row = rows[y]
    lead, error, text, count = feed_row_cells(row, width)
    if y == 0:  # the cursor (All unread), the feed list not focused
        runs = [("feeds_cursor", lead + error), ("feeds_cursor_label", text)]
        return [*runs, ("feeds_cursor", count), *gap]
    indent = row.indent
    return [
        ("feeds_text", lead),
        ("feeds_error", error),
        ("feeds_text" if indent else "feeds_heading", text),
        ("feeds_count", count),
        *gap,
    ]


def _entry_line(
    headlines: Sequence[Headline], y: int, width: int, pane: int, now: datetime
) -> list[Run]:
    if y >= len(headlines):
        return [("entries_blank", " " * pane)]
    row = headlines[y]
    dot, star, date, feed, text = headline_cells(row, width, now, show_feed=True)
    prefix = "cursor_" if y == 0 else ""
    runs = [(prefix + "mark", dot + star), (prefix + "date", date)]
    if feed is not None:
        runs.append((prefix + "feed", feed))
    runs.append((prefix + "title", text))
    if pane > width:
        runs.append(("entries_blank", " " * (pane - width)))
    return runs


def render(lines: Sequence[Sequence[Run]], palette: Palette) -> str:
    """The terminal output that draws `lines` from the top left, as Textual writes a frame:
    each run's SGR, its text, a reset."""
    out = []
    for y, line in enumerate(lines):
        out.append(f"\x1b[{y + 1};1H")
        for role, text in line:
            if not text:
                continue
            sgr = palette.get(role, "")
            out.append(f"\x1b[{sgr}m{text}\x1b[0m" if sgr else text)
    return "".join(out)


# -- palettes made in advance (`newstui/early_frame_palettes.json`), for a first launch ----------

DEFAULT_THEME = "textual-dark"
"""Textual's theme when none is asked for (a test checks it is the reader's)."""
BUNDLED_ENV_OFF = (
    "NO_COLOR",
    "FORCE_COLOR",
    "TEXTUAL_COLOR_SYSTEM",
    "TEXTUAL_FILTERS",
    "TEXTUAL_DIM_FACTOR",
)
"""Set, any of these changes how Textual picks or filters colours: the palettes made in
advance are for none of them (a palette kept from a launch still applies)."""
_TERM_COLORS = {"kitty": "256", "256color": "256", "16color": "standard"}


def color_system(env: Mapping[str, str]) -> str | None:
    """The colour system Textual's console finds in `env` ("truecolor", "256", "standard"),
    as rich's `Console._detect_color_system` does for a terminal (Textual forces one); None
    for a dumb terminal. A test checks it against rich's console."""
    if env.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    if env.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return "truecolor"
    colors = env.get("TERM", "").strip().lower().rpartition("-")[2]
    return _TERM_COLORS.get(colors, "standard")


def wanted_theme(explicit: str | None, configured: str | None, state: Mapping[str, str]) -> str:
    """The theme the reader shows first, as `NewsApp._wanted_theme` picks it: `--theme`, else
    the one last picked in the reader (if feeds.toml's `theme` is what it was then), else
    feeds.toml's, else Textual's default."""
    picked, picked_over = state.get("theme"), state.get("theme.configured")
    chosen = picked if picked and picked_over == (configured or "") else configured
    return explicit or chosen or DEFAULT_THEME


def encode_bundled(
    stamp: Mapping[str, object], palettes: Mapping[str, Mapping[str, Palette]]
) -> str:
    """The palettes made in advance, by colour system and theme, under `stamp` (what they were
    made with: Textual's and rich's versions, the schema, the theme files' and stylesheet's
    sizes). One line per theme, for readable diffs."""
    lines = ["{", f'"stamp": {json.dumps(dict(stamp), sort_keys=True)},', '"palettes": {']
    systems = sorted(palettes)
    for i, system in enumerate(systems):
        lines.append(f"{json.dumps(system)}: {{")
        themes = sorted(palettes[system])
        for j, theme in enumerate(themes):
            row = [palettes[system][theme].get(role, "") for role in ROLES]
            comma = "," if j < len(themes) - 1 else ""
            lines.append(f"  {json.dumps(theme)}: {json.dumps(row)}{comma}")
        lines.append("}," if i < len(systems) - 1 else "}")
    lines += ["}", "}", ""]
    return "\n".join(lines)


def bundled_palette(
    blob: bytes | None, stamp: Mapping[str, object], env: Mapping[str, str], theme: str
) -> dict[str, str] | None:
    """The palette made in advance for `theme` in this terminal (`env`), if `blob` was made
    under `stamp` (this code, this Textual) and none of `BUNDLED_ENV_OFF` is set; else None."""
    if blob is None or any(name in env for name in BUNDLED_ENV_OFF):
        return None
    system = color_system(env)
    try:
        data = json.loads(blob)
        if data.get("stamp") != dict(stamp):
            return None
        row = data["palettes"][system][theme]
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    if not isinstance(row, list) or len(row) != len(ROLES):
        return None
    return _whole(dict(zip(ROLES, row, strict=True)))
