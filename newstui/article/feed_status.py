"""A feed's status as the article pane shows it while the feed is highlighted in the feed list.

Pure; rich only. Kept apart from `newstui.article.compose` (whose renderer package takes
~40 ms to import) because it is what a new reader shows first: its keys start in the feed
list, and each Down there shows a feed's status. They must not wait for the article
renderer, which is imported on a thread meanwhile (`ArticlePresenter.import_renderer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from rich.style import Style
from rich.text import Text

from newstui.core.models import Feed
from newstui.core.timefmt import ago


@dataclass(frozen=True, slots=True)
class StatusStyles:
    """The styles the theme fills in for the article pane's header lines (`ArticleStyles`
    adds the body's)."""

    title: Style = field(default_factory=lambda: Style(bold=True))
    meta: Style = field(default_factory=lambda: Style(dim=True))
    link: Style = field(default_factory=lambda: Style(underline=True))
    error: Style = field(default_factory=lambda: Style(bold=True))


class FeedStatus(NamedTuple):
    header: Text
    body: Text


def render_feed_status(feed: Feed, now: datetime, styles: StatusStyles | None = None) -> FeedStatus:
    """What the article pane shows for a highlighted feed: its health, errors first."""
    styles = styles or StatusStyles()
    header = Text()
    header.append(feed.title + "\n", style=styles.title)
    header.append(feed.url, style=styles.link)
    body = Text()
    if feed.last_error:
        body.append(f"Last refresh failed: {feed.last_error}\n", style=styles.error)
        body.append(f"Failures in a row: {feed.failures}\n", style=styles.meta)
    if feed.warning:
        body.append(f"Warning: {feed.warning}\n", style=styles.meta)
    if feed.moved_to:
        body.append(f"Moved permanently to {feed.moved_to}: update feeds.toml\n")
    body.append(f"Last success: {ago(feed.last_ok_at, now)}\n")
    body.append(f"Next refresh: {ago(feed.next_due_at, now) if feed.next_due_at else 'now'}\n")
    body.append(f"{feed.unread} unread of {feed.total}, {feed.bookmarks} bookmarked\n")
    if feed.tags:
        body.append("Tags: " + ", ".join(feed.tags) + "\n", style=styles.meta)
    return FeedStatus(header, body)
