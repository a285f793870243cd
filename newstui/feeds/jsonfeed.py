"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) → `ParsedFeed`. Pure.

feedparser does not read JSON Feed at all (it reports zero entries), so this small reader gives
those feeds the same treatment as RSS and Atom: sanitized HTML, resolved URLs, clean text,
stable identity and UTC dates.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from newstui.core.durations import parse_duration
from newstui.core.errors import ParseError
from newstui.core.htmlclean import html_to_text, sanitize_html, text_to_html
from newstui.core.models import Enclosure, ParsedEntry, ParsedFeed
from newstui.core.text import clean_line

_VERSION_PREFIX = "https://jsonfeed.org/version/"
_FUTURE_TOLERANCE = timedelta(days=2)
_MAX_ITEMS = 5_000
_MAX_INT_DIGITS = 30
"""Longer integers stay text: Python refuses to convert more than 4,300 digits (and no field of
a JSON Feed needs more than a byte count), so a hostile `"id": 999...` must not fail the feed."""


def _int(text: str) -> int | str:
    return int(text) if len(text) <= _MAX_INT_DIGITS else text


def looks_like_json(body: bytes, content_type: str) -> bool:
    """JSON by its media type, or by its first character when servers send text/plain."""
    if "json" in content_type:
        return True
    start = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{")


def parse_json_feed(url: str, body: bytes, *, now: datetime) -> ParsedFeed:
    """Parse a JSON Feed document.

    Raises:
        ParseError: invalid JSON (`unparseable`) or JSON that is not a JSON Feed (`not-a-feed`).
    """
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"), parse_int=_int)
    except (json.JSONDecodeError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            # json's messages point at the position ("Invalid control character at"): the
            # position is said first here, so the dangling "at" goes.
            message = exc.msg.removesuffix(" starting at").removesuffix(" at")
            detail = f"line {exc.lineno}, column {exc.colno}: {message.lower()}"
        else:
            detail = "nested too deeply"
        raise ParseError("unparseable", f"invalid JSON Feed: {detail}") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(_VERSION_PREFIX):
        raise ParseError("not-a-feed", "not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("unparseable", "invalid JSON Feed: 'items' is not a list")

    home = _url(document.get("home_page_url"), url)
    base = _url(document.get("feed_url"), url) or url
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    feed_author = _author(document)  # items without an author inherit the feed's
    for item in items[:_MAX_ITEMS]:
        if isinstance(item, dict):
            entry = _entry(item, base, now, feed_author)
            if entry.guid not in seen:
                seen.add(entry.guid)
                entries.append(entry)
    number = version.removeprefix(_VERSION_PREFIX)
    return ParsedFeed(
        format={"1": "json10", "1.1": "json11"}.get(number, "json"),
        title=clean_line(_title(document.get("title"))),
        site_url=home,
        entries=tuple(entries),
    )


def _entry(item: dict[str, Any], base: str, now: datetime, feed_author: str) -> ParsedEntry:
    link = _url(item.get("url"), base) or _url(item.get("external_url"), base)
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary = _str(item.get("summary"))
    content = (
        sanitize_html(content_html, link or base)
        if content_html.strip()
        else text_to_html(content_text)
    )
    title = clean_line(_title(item.get("title")))
    if not title:
        title = clean_line(summary or html_to_text(content), limit=100)
    published = _date(item.get("date_published"), now)
    updated = _date(item.get("date_modified"), now)
    raw_id = item.get("id")
    guid = clean_line(str(raw_id), limit=100_000) if raw_id not in (None, "") else ""
    if len(guid) > 512:
        guid = "sha1:" + hashlib.sha1(guid.encode()).hexdigest()
    if not guid:
        guid = link or "sha1:" + hashlib.sha1(f"{title}\x00{published}".encode()).hexdigest()
    return ParsedEntry(
        guid=guid,
        title=title or "(untitled)",
        link=link,
        author=_author(item) or feed_author or None,
        published_at=published or updated,
        updated_at=updated,
        summary_html=text_to_html(summary) if summary else None,
        content_html=content or None,
        enclosures=_attachments(item.get("attachments"), base),
    )


def _author(item: dict[str, Any]) -> str:
    """1.1's `authors` list or 1.0's `author` object, at item or feed level."""
    authors = item.get("authors")
    if isinstance(authors, list):  # 1.1
        names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
        return clean_line(", ".join(n for n in names if n), limit=200)
    author = item.get("author")  # 1.0
    return clean_line(_str(author.get("name")), limit=200) if isinstance(author, dict) else ""


def _attachments(raw: object, base: str) -> tuple[Enclosure, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw[:20]:
        if not isinstance(item, dict) or not (href := _url(item.get("url"), base)):
            continue
        size = item.get("size_in_bytes")
        out.append(
            Enclosure(
                url=href,
                type=clean_line(_str(item.get("mime_type")), limit=100) or None,
                length=size if isinstance(size, int) and not isinstance(size, bool) else None,
                duration=parse_duration(item.get("duration_in_seconds")),
            )
        )
    return tuple(out)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _title(value: object) -> str:
    """JSON Feed titles are plain text, but publishers often leave HTML entities in them."""
    return html.unescape(_str(value))


def _url(value: object, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    resolved = clean_line(urljoin(base, value.strip()), limit=4000)
    return resolved if resolved.lower().startswith(("http://", "https://")) else None


def _date(value: object, now: datetime) -> datetime | None:
    """RFC 3339 → aware UTC; implausible dates count as missing."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.year < 1970 or moment > now + _FUTURE_TOLERANCE:
        return None
    return moment
