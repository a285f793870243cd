"""An entry as the article pane shows it: a header (title, feed, author, date, reading time,
link) and the body rendered from its sanitized HTML. Pure; rich only, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text

from newstui.htmlclean import html_to_text
from newstui.models import Entry, Feed
from newstui.text import clean_block
from newstui.timefmt import ago

WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class ArticleStyles:
    """Styles the theme fills in (the UI passes its component styles)."""

    title: Style = Style(bold=True)  # noqa: RUF009 - immutable rich Style
    meta: Style = Style(dim=True)  # noqa: RUF009
    link: Style = Style(underline=True)  # noqa: RUF009
    error: Style = Style(bold=True)  # noqa: RUF009


@dataclass(frozen=True, slots=True)
class Article:
    header: RenderableType
    body: RenderableType
    links: tuple[str, ...] = ()


def render_entry(entry: Entry, styles: ArticleStyles | None = None) -> Article:
    """The whole article for `entry`: header plus body."""
    styles = styles or ArticleStyles()
    html = entry.content_html or entry.summary_html or ""
    body = Text(clean_block(html_to_text(html)) or "(This entry has no text.)")
    words = len(body.plain.split())
    header = Text()
    header.append(entry.title + "\n", style=styles.title)
    meta = [entry.feed_title]
    if entry.author:
        meta.append(entry.author)
    meta.append(entry.published_at.astimezone().strftime("%a %d %b %Y %H:%M"))
    meta.append(f"{max(1, round(words / WORDS_PER_MINUTE))} min read")
    header.append(" · ".join(meta) + "\n", style=styles.meta)
    if entry.link:
        header.append(entry.link, style=styles.link)
    header.rstrip()
    return Article(header, body, (entry.link,) if entry.link else ())


def render_feed_status(feed: Feed, now: datetime, styles: ArticleStyles | None = None) -> Article:
    """What the article pane shows for a highlighted feed: its health, errors first."""
    styles = styles or ArticleStyles()
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
    return Article(header, body)
