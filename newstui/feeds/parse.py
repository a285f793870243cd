"""Fetched bytes → `ParsedFeed`. Pure and synchronous: no network, no database, no Textual.

feedparser reads RSS 0.9x/1.0/2.0, RDF and Atom; JSON Feed 1.0/1.1 (which feedparser cannot
read: it returns zero entries) is handled by `newstui.feeds.jsonfeed`. Callers run `parse_feed` in a
worker process or thread because parsing is CPU-heavy and would block the event loop; the
worker's start-up (`newstui.feeds.parse_worker.prepare`) installs `newstui.feeds.speedups` first.

feedparser's own HTML sanitizer and relative-URI resolver are switched off: together they more
than double its cost. nh3 (Rust's ammonia) does both jobs on the entry HTML instead, an order of
magnitude faster, with each piece of content resolved against its own `xml:base`.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
import xml.sax
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser

from newstui.core.durations import parse_duration
from newstui.core.errors import ParseError
from newstui.core.htmlclean import html_to_text, sanitize_html, text_to_html
from newstui.core.models import Enclosure, ParsedEntry, ParsedFeed
from newstui.core.text import clean_line
from newstui.feeds import jsonfeed

MAX_ENTRIES = 5_000
"""A feed with more entries than this is cut: nobody reads them, and they cost memory."""
MAX_ENCLOSURES = 20
MAX_ID_LENGTH = 512
"""Longer ids are replaced by their hash: some feeds put whole documents in <guid>."""
FUTURE_TOLERANCE = timedelta(days=2)
"""Dates further ahead than this are treated as missing, so a bad clock cannot pin an entry."""
MAX_TTL = timedelta(days=7)
MAX_GUNZIPPED = 50_000_000
"""The most a raw `.gz` body unpacks to when the caller names no cap (the refresh passes the
`max_feed_size_mb` setting: a 3.8 MB download unpacked to 1.5 million items)."""

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_get = dict.get
"""For the ordinary keys of feedparser's results (dicts): FeedParserDict's own `get` runs
Python code for its aliases (`guid`, `description`, `url`, ...) and computed keys
(`enclosures`, `category`, `updated`, ...) and then does this; those keys still use it."""
_HTML_SNIFF = re.compile(rb"<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_FEED_LINK = re.compile(
    rb"<link[^>]+type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE
)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.IGNORECASE)
# Numeric references that may name no character: a surrogate (D800-DFFF, 55296-57343) or a
# number past U+10FFFF. feedparser's fallback parser turns them into UnicodeEncodeError,
# ValueError or OverflowError, failing the whole feed on every refresh. Only these candidates
# reach the (Python) check below; the common `&#8217;` and `&#x2019;` do not match.
_ODD_CHARREF = re.compile(
    rb"&#(?:[xX]0*([dD][89a-fA-F][0-9a-fA-F]{2}|[0-9a-fA-F]{6,})(?![0-9a-fA-F])"
    rb"|0*(5[5-7][0-9]{3}|[0-9]{7,})(?![0-9]));?"
)


def parse_feed(
    url: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    now: datetime,
    max_bytes: int = MAX_GUNZIPPED,
) -> ParsedFeed:
    """Parse one fetched document.

    Args:
        url: the address the body came from (after redirects): the base for relative links.
        body: the raw bytes, decoded from any Content-Encoding but not from any charset.
        headers: response headers (lower-case names); the charset in Content-Type matters.
        now: the current time; dates in the far future are treated as missing.
        max_bytes: the most a raw `.gz` body may unpack to (the feed size cap).

    Raises:
        ParseError: nothing usable came out (`kind` is `not-a-feed` or `unparseable`).
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    body = _gunzip_if_needed(body, max_bytes)
    body = _ODD_CHARREF.sub(_drop_if_no_character, body)
    content_type = headers.get("content-type", "").lower()
    if jsonfeed.looks_like_json(body, content_type):
        return jsonfeed.parse_json_feed(url, body, now=now)

    parsed = feedparser.parse(
        # As a stream, never as bytes: feedparser tries bytes as a *file name* first, so a
        # server answering "/etc/passwd" or "/dev/zero" had it read a local file.
        io.BytesIO(body),
        response_headers={"content-location": url, **headers},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = parsed.get("version") or ""
    if not parsed.entries and (_warning(parsed) or not version):
        raise _explain_failure(url, body, content_type, parsed)

    feed_info = parsed.feed
    feed_author = _author(feed_info)  # entries without an author inherit the feed's (Atom)
    entries = _unique(_entry(raw, url, now, feed_author) for raw in parsed.entries[:MAX_ENTRIES])
    return ParsedFeed(
        format=version or "unknown",
        title=clean_line(_plain(feed_info, "title")),
        site_url=_http_url(feed_info.get("link")),
        ttl=_ttl(feed_info.get("ttl")),
        entries=tuple(entries),
        warning=_warning(parsed),
    )


def _gunzip_if_needed(body: bytes, max_bytes: int) -> bytes:
    """Some servers send a stored `.gz` file without `Content-Encoding`: unpack it (capped)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    unpacker = zlib.decompressobj(wbits=31)
    try:
        unpacked = unpacker.decompress(body, max_bytes)
    except zlib.error:
        return body
    if unpacker.unconsumed_tail:
        size = f"{max_bytes / 1_000_000:.3g} MB"
        raise ParseError("too-large", f"compressed feed larger than {size} when unpacked")
    return unpacked


def _drop_if_no_character(match: re.Match[bytes]) -> bytes:
    """The reference as it was when it names a real character, else nothing (as `clean_line`
    drops lone surrogates that arrive as raw text)."""
    hex_digits, decimal = match.group(1), match.group(2)
    digits = hex_digits or decimal
    if len(digits) > 8:
        return b""
    value = int(digits, 16 if hex_digits else 10)
    return b"" if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF else match.group(0)


def _explain_failure(url: str, body: bytes, content_type: str, parsed: Any) -> ParseError:
    head = body[:4096]
    if any(t in content_type for t in _HTML_TYPES) or _HTML_SNIFF.search(head):
        link = _FEED_LINK.search(body[:65536])
        href = _HREF.search(link.group(0)) if link else None
        if href:
            raw_target = html.unescape(href.group(1).decode("utf-8", "replace"))
            target = clean_line(urljoin(url, raw_target), limit=500)
            return ParseError("not-a-feed", f"not a feed: an HTML page (it links to {target})")
        return ParseError("not-a-feed", "not a feed: the address serves an HTML page")
    if not body.strip():
        return ParseError("unparseable", "empty response")
    reason = _short(parsed.get("bozo_exception")) or "no RSS, Atom or JSON Feed found"
    return ParseError("unparseable", f"not a valid feed: {reason}")


def _warning(parsed: Any) -> str | None:
    if not parsed.bozo:
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, feedparser.NonXMLContentType):
        # A feed served as text/plain (or with no type) is common and harmless.
        return None
    return _short(exc) or "the feed is not well-formed"


def _short(exc: object) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        # "<unknown>:8:24: not well-formed" → "line 8, column 24: not well-formed"
        text = f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    else:
        text = str(exc) if exc else ""
    return clean_line(text, limit=300)


def _author(container: Any) -> str:
    """The author's name: feedparser's `author` may carry the email address too."""
    detail = _get(container, "author_detail") or {}
    return clean_line(_get(detail, "name") or _get(container, "author"), limit=200)


def _entry(raw: Any, feed_url: str, now: datetime, feed_author: str) -> ParsedEntry:
    link = _http_url(_get(raw, "link")) or _enclosure_link(raw)
    published = _date(_get(raw, "published_parsed"), now) or _date(_get(raw, "created_parsed"), now)
    # dict.get: feedparser's own get() answers "updated" with the published date (and warns).
    updated = _date(dict.get(raw, "updated_parsed"), now)
    content_html = _content_html(_get(raw, "content"), feed_url)
    # Without summary_detail, feedparser's "summary" is a copy of the content: not a summary.
    summary_detail = _get(raw, "summary_detail")
    summary_html = (
        _detail_html(summary_detail, _get(raw, "summary"), feed_url) if summary_detail else None
    )
    if summary_html and summary_html == content_html:
        summary_html = None
    title = clean_line(_plain(raw, "title"))
    if not title:
        # Mastodon toots and many microblogs have no titles: show the start of the text.
        title = clean_line(html_to_text(summary_html or content_html or ""), limit=100)
    published = published or updated
    return ParsedEntry(
        guid=_identity(raw, link, title, published),
        title=title or "(untitled)",
        link=link,
        author=_author(raw) or feed_author or None,
        published_at=published,
        updated_at=updated,
        summary_html=summary_html,
        content_html=content_html,
        enclosures=_enclosures(raw, link or feed_url),
    )


def _identity(raw: Any, link: str | None, title: str, published: datetime | None) -> str:
    """guid/id, else link, else a hash of title and date.

    The RSS guid is optional and links can be missing too; the hash keeps such entries stable
    across refreshes as long as their title and date don't change.
    """
    candidate = clean_line(_get(raw, "id") or raw.get("guid") or "", limit=100_000) or link
    if candidate:
        if len(candidate) > MAX_ID_LENGTH:
            return "sha1:" + hashlib.sha1(candidate.encode()).hexdigest()
        return candidate
    date_text = published.isoformat() if published else raw.get("published", "")
    seed = f"{title}\x00{date_text}\x00{raw.get('summary', '')[:1000]}"
    return "sha1:" + hashlib.sha1(seed.encode()).hexdigest()


def _unique(entries: Iterable[ParsedEntry]) -> list[ParsedEntry]:
    """Drop repeated ids: the first (usually newest) copy wins, as a reader would show it."""
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.guid not in seen:
            seen.add(entry.guid)
            out.append(entry)
    return out


def _plain(container: Any, key: str) -> str:
    """A text construct as plain text: feedparser leaves tags in titles of type html."""
    value = _get(container, key) or ""
    detail = _get(container, f"{key}_detail") or {}
    if _get(detail, "type") in _HTML_TYPES:
        return html_to_text(value)
    return value


def _content_html(contents: Any, feed_url: str) -> str | None:
    if not contents:
        return None
    best = next((c for c in contents if _get(c, "type") in _HTML_TYPES), contents[0])
    return _detail_html(best, _get(best, "value"), feed_url)


def _detail_html(detail: Any, value: str | None, feed_url: str) -> str | None:
    if not value or not value.strip():
        return None
    detail = detail or {}
    base = _get(detail, "base") or feed_url
    if _get(detail, "type") == "text/plain":
        return text_to_html(value)
    return sanitize_html(value, base) or None


def _enclosures(raw: Any, base: str) -> tuple[Enclosure, ...]:
    """The entry's `<enclosure>`s. `<itunes:duration>` is the episode's: the first enclosure's;
    a `<media:content duration>` for the same file gives any enclosure its own."""
    items = list(raw.get("enclosures") or ())[:MAX_ENCLOSURES]
    if not items:
        return ()
    media = {
        str(item.get("url")): item.get("duration")
        for item in raw.get("media_content") or ()
        if isinstance(item, Mapping) and item.get("duration")
    }
    episode = parse_duration(raw.get("itunes_duration"))
    out = []
    for item in items:
        href = _http_url(urljoin(base, str(item.get("href") or item.get("url") or "")))
        if not href:
            continue
        length = str(item.get("length") or "").strip()
        duration = (episode if not out else None) or parse_duration(
            media.get(str(item.get("href")))
        )
        out.append(
            Enclosure(
                url=href,
                type=clean_line(item.get("type"), limit=100) or None,
                length=int(length) if length.isdigit() and len(length) < 16 else None,
                duration=duration,
            )
        )
    return tuple(out)


def _enclosure_link(raw: Any) -> str | None:
    """Podcast items sometimes have no <link>: the episode file is the next best thing."""
    for item in raw.get("enclosures") or ():
        if url := _http_url(item.get("href")):
            return url
    return None


def _http_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    url = clean_line(value, limit=4000)
    return url if url.lower().startswith(("http://", "https://")) else None


def _date(value: time.struct_time | None, now: datetime) -> datetime | None:
    """feedparser's struct_time (already UTC) → aware datetime, or None when implausible."""
    if not value:
        return None
    try:
        moment = datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    if moment.year < 1970 or moment > now + FUTURE_TOLERANCE:
        return None
    return moment


def _ttl(value: object) -> timedelta | None:
    """RSS <ttl> is in minutes."""
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if minutes <= 0:
        return None
    return min(timedelta(minutes=minutes), MAX_TTL)
