"""An entry as the article pane shows it: a header (title, feed, author, date, reading time,
link), the body rendered from its sanitized HTML, attachments, and the numbered links.
Pure; rich only, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.text import Text

from newstui.article.feed_status import StatusStyles
from newstui.article.render import RenderStyles, Wrapped
from newstui.core.durations import format_duration
from newstui.core.htmlclean import html_to_text, limit_nesting
from newstui.core.models import Enclosure, Entry

WORDS_PER_MINUTE = 230
READING_WIDTH = 100
"""Lines longer than this are hard to read: wide terminals get margins, not longer lines."""


@dataclass(frozen=True, slots=True)
class ArticleStyles(StatusStyles):
    """Styles the theme fills in (the UI passes its component styles): a feed status's, and
    the article body's."""

    body: RenderStyles = field(default_factory=RenderStyles)


@dataclass(frozen=True, slots=True)
class Article:
    header: RenderableType
    body: RenderableType
    links: tuple[str, ...] = ()
    """Link N of the text is links[N-1]; attachments follow the text's links."""
    link_texts: tuple[str, ...] = ()
    """What each link says in the text, by the same index ("" when nothing)."""


def render_entry(
    entry: Entry, styles: ArticleStyles | None = None, *, list_links: bool = True
) -> Article:
    """The whole article for `entry`.

    `list_links=False` leaves the numbered link list out of the body, for callers that print
    it themselves (piped output keeps each URL on one line so it can be copied).
    """
    styles = styles or ArticleStyles()
    # Flattened once, here, for both conversions below: entries stored before nesting was
    # limited at ingestion may be nested 200,000 deep (a linear pass; ordinary HTML is kept).
    # Imported here: the converter brings lxml (~15 ms), which the feed status (shown at the
    # first key in a new reader's feed list) does not need.
    from newstui.article.render import html_to_rich

    html = limit_nesting(entry.content_html or entry.summary_html or "")
    rendered = html_to_rich(html, base_url=entry.link, width=READING_WIDTH, styles=styles.body)
    links = list(rendered.links)
    parts: list[RenderableType] = [rendered.renderable]
    if not html.strip():
        parts = [Text("(This entry has no text.)", style=styles.meta)]
    if entry.enclosures:
        parts.append(_attachments(entry.enclosures, links, styles))
    if links and list_links:
        parts.append(_link_list(links, styles))
    words = len(html_to_text(html).split())
    texts = rendered.link_texts + ("attachment",) * (len(links) - len(rendered.link_texts))
    return Article(_header(entry, words, styles), Group(*parts), tuple(links), texts)


def _header(entry: Entry, words: int, styles: ArticleStyles) -> Wrapped:
    header = Text()
    header.append(entry.title + "\n", style=styles.title)
    meta = [entry.feed_title]
    if entry.author:
        meta.append(entry.author)
    meta.append(entry.published_at.astimezone().strftime("%a %d %b %Y %H:%M"))
    meta.append(f"{max(1, round(words / WORDS_PER_MINUTE))} min read")
    header.append(" · ".join(meta) + "\n", style=styles.meta)
    for enclosure in entry.enclosures[:1]:
        # A podcast: what the episode is, before the show notes (the list below has them all).
        kind = (enclosure.type or "attachment").split(";")[0]
        facts = (kind, _size(enclosure.length), format_duration(enclosure.duration))
        details = " · ".join(part for part in facts if part)
        header.append(f"♪ {details}\n", style=styles.meta)
    if entry.link:
        header.append(entry.link, style=styles.link)
    header.rstrip()
    return Wrapped(header)  # a Chinese or Japanese title breaks between characters


def _attachments(
    enclosures: tuple[Enclosure, ...], links: list[str], styles: ArticleStyles
) -> Text:
    text = Text("\nAttachments\n", style=styles.title)
    for enclosure in enclosures:
        links.append(enclosure.url)
        facts = (enclosure.type, _size(enclosure.length), format_duration(enclosure.duration))
        details = ", ".join(part for part in facts if part)
        text.append(f"[{len(links)}] ", style=styles.meta)
        text.append(f"{details}  " if details else "")
        text.append(enclosure.url + "\n", style=styles.link)
    return text


def _link_list(links: list[str], styles: ArticleStyles) -> Text:
    text = Text("\nLinks\n", style=styles.title)
    for number, url in enumerate(links, 1):
        text.append(f"[{number}] ", style=styles.meta)
        text.append(url + "\n", style=styles.link)
    text.rstrip()
    return text


def _size(length: int | None) -> str:
    if not length:
        return ""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if length >= size:
            return f"{length / size:.1f} {unit}"
    return f"{length} bytes"
