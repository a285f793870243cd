"""The text of the feed list's and the headline list's rows, cell by cell. No Textual, no I/O.

The widgets (`newstui.ui.widgets.feed_list`, `newstui.ui.widgets.entry_list`) style these
pieces; the early first frame (`newstui.early_frame`), drawn before Textual is imported, writes
the same pieces, so the switch to Textual's first frame changes no cell's text. One copy of the
layout, so the two cannot drift apart. Feed text is cleaned when it is stored
(`newstui.core.text.clean_line`); it is cleaned again here by the same function (a no-op on
stored text, ~1 us a row), so that nothing a database written some other way holds (escape
sequences, C1 controls, tabs, newlines, bidi overrides) reaches the terminal from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rich.cells import cell_len, set_cell_size

from newstui.core.models import Headline
from newstui.core.text import clean_line
from newstui.core.timefmt import LABEL_WIDTH, headline_date
from newstui.core.views import View

UNTAGGED = "Untagged"

HEADLINE_LEAD = 3 + 2 + LABEL_WIDTH + 1
"""Cells before a headline's feed name or title: the unread dot, the bookmark mark, the date."""


class FeedFacts(Protocol):
    """What the feed list shows of a feed: a `Feed`, or the early frame's lighter
    `newstui.store.first_screen.EarlyFeed`."""

    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def unread(self) -> int: ...
    @property
    def bookmarks(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row of the list: a smart view, a tag heading, or a feed (under one tag)."""

    view: View
    label: str
    unread: int = 0
    error: bool = False
    indent: bool = False


def build_rows(
    feeds: Sequence[FeedFacts],
    *,
    unread_total: int,
    bookmarks: int,
    saved: Sequence[tuple[str, int | None]] = (),
    limit: int | None = None,
) -> list[FeedRow]:
    """The rows for these feeds: smart views first (then the saved views of `[[views]]`, by
    name with their unread count, None while it is being counted), then each tag with its feeds.

    A feed with several tags appears under each, as newsboat's tag queries do; feeds without a
    tag come last, under "Untagged". `limit`: only the first rows (a screenful, for the early
    frame: not 2,000 rows to show 37), the same as the first rows of the whole list.
    """
    rows = [
        FeedRow(View.unread(), "All unread", unread_total),
        FeedRow(View.bookmarks(), "Bookmarks", bookmarks),
        *(FeedRow(View.saved(name), name, count or 0) for name, count in saved),
    ]
    groups: dict[str, list[FeedFacts]] = {}
    for feed in feeds:
        for tag in feed.tags or (UNTAGGED,):
            groups.setdefault(tag, []).append(feed)
    if UNTAGGED in groups:
        groups[UNTAGGED] = groups.pop(UNTAGGED)
    room = len(rows) + sum(map(len, groups.values())) + len(groups) if limit is None else limit
    for tag, members in groups.items():
        if len(rows) >= room:
            break
        tag_view = View.everything() if tag == UNTAGGED and len(groups) == 1 else View.tag(tag)
        if tag != UNTAGGED or len(groups) > 1:
            rows.append(FeedRow(tag_view, tag, sum(f.unread for f in members)))
        for feed in members[: max(room - len(rows), 0)]:
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


def feed_row_cells(row: FeedRow, width: int) -> tuple[str, str, str, str]:
    """(lead, error mark, label, count) of a feed-list row `width` cells wide: the lead and the
    label padded, the count right-aligned in five cells."""
    count = (str(row.unread) if row.unread else "").rjust(5)
    indent = "  " if row.indent else ""
    label_width = max(width - cell_len(count) - 2 - len(indent), 0)
    label = clean_line(row.label)
    if cell_len(label) > label_width:
        # rstrip: where the cut halves a wide character set_cell_size leaves a space.
        label = set_cell_size(label, max(label_width - 1, 0)).rstrip() + "…"
    return " " + indent, "!" if row.error else " ", set_cell_size(label, label_width), count


def headline_cells(
    row: Headline, width: int, now: datetime, *, show_feed: bool
) -> tuple[str, str, str, str | None, str]:
    """(unread dot, bookmark mark, date, feed name or None, title) of a headline row `width`
    cells wide; the feed name is shown only in a mixed view with room for it."""
    mark = " ● " if not row.read else "   "
    # ★ bookmarked, else ♪ for a podcast episode (or any attachment).
    star = "★ " if row.bookmarked else "♪ " if row.attachment else "  "
    # One cell more than the longest label: "Mar 2024" must not run into the feed name.
    date = headline_date(row.published_at, now).ljust(LABEL_WIDTH + 1)
    used = HEADLINE_LEAD
    feed = None
    if show_feed and width - used > 24:
        feed_width = min(18, (width - used) // 3)
        feed = fit_exact(clean_line(row.feed_title), feed_width - 1) + " "
        used += feed_width
    return mark, star, date, feed, fit_exact(clean_line(row.title), max(0, width - used))


def fit_exact(text: str, width: int) -> str:
    """Exactly `width` cells: padded, or cut with an ellipsis. CJK and emoji count double."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    # rstrip: where the cut halves a wide character set_cell_size leaves a space ("公园 …").
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width)
