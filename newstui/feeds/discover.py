"""Finding the feed behind any address, for `newstui add` and the reader's add dialog.

In order, stopping at the first step that finds something:
1. the address itself is a feed;
2. `<link rel="alternate">` feeds in the page's head (RSS, Atom, JSON Feed);
3. links in the body that look like feeds (`/feed`, `rss.xml`, "RSS");
4. sites whose feeds are not linked: a YouTube channel or playlist, a GitHub repository;
5. well-known paths (`/feed`, `/rss`, `/atom.xml`, `/feed.xml`, `/index.xml`, `/rss.xml`) at the
   page's path and at the site root.
Every candidate is fetched with the engine's client and limits (`newstui.feeds.fetch`) and kept
only if `newstui.feeds.parse` reads it as a feed; a few at a time, so a page listing fifty links
costs no burst of requests. The HTML is read with the standard library's tolerant parser: only
tags and attributes are needed, and the body read is capped like any feed's.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from newstui.core.errors import ParseError
from newstui.core.models import ParsedFeed
from newstui.core.text import clean_line
from newstui.core.timefmt import utc_now
from newstui.feeds.fetch import Fetched, FetchFailed, NotModified, fetch_feed
from newstui.feeds.parse import parse_feed

if TYPE_CHECKING:
    import httpx

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
"""`type`s of head links taken as feeds. Not plain application/json: WordPress links its REST
API that way on every page."""
WELL_KNOWN = ("feed", "rss", "atom.xml", "feed.xml", "index.xml", "rss.xml")
MAX_CANDIDATES = 8
"""Links checked per step: a page linking to more feeds than this lists the first ones."""
CONCURRENCY = 4
HTML_LIMIT = 2_000_000
"""Characters of a page read for links: the head and the top of the body are enough."""

_FEEDISH_HREF = re.compile(
    r"(?:[/.](?:feed|rss|atom)(?:\.xml|\.json)?/?$)|(?:\.(?:rss|atom)$)|(?:/(?:feed|rss)/)"
    r"|(?:[?&](?:feed|format)=(?:rss|atom))",
    re.IGNORECASE,
)
_FEEDISH_TEXT = re.compile(r"^\W*(?:rss|atom|feed|subscribe|json feed)\b", re.IGNORECASE)
_YOUTUBE_ID = re.compile(r'"(?:externalId|channelId)"\s*:\s*"(UC[\w-]{22})"')


@dataclass(frozen=True, slots=True)
class Candidate:
    """A feed found for an address, checked by fetching and parsing it."""

    url: str
    """What to subscribe to: the final address after permanent redirects."""
    title: str
    """The feed's own title (or the link's), terminal-safe."""
    format: str
    entries: int
    final_url: str
    """Where the fetch ended up (after any redirect): for the already-subscribed check."""


@dataclass(frozen=True, slots=True)
class Discovery:
    """What `discover` found."""

    url: str
    feeds: tuple[Candidate, ...] = ()
    how: str = ""
    """How they were found, for the message: "the address is a feed", "linked in the page"."""
    error: str | None = None
    """Why nothing was found (one line), when `feeds` is empty."""


async def discover(
    client: httpx.AsyncClient,
    url: str,
    *,
    timeout: float = 30.0,
    max_bytes: int = 10_000_000,
    now: datetime | None = None,
) -> Discovery:
    """Find the feeds behind `url`. Never raises for network or content problems."""
    checker = _Checker(client, timeout, max_bytes, now or utc_now())
    first = await checker.fetch(url)
    if isinstance(first, str):
        return Discovery(url, error=f"cannot fetch {url}: {first}")
    feed = await checker.parse(first)
    if isinstance(feed, ParsedFeed):
        return Discovery(url, (checker.candidate(url, first, feed),), "the address is a feed")
    page = first.final_url
    # Reading a page of up to 2 MB for links takes a while: on a thread, not the caller's
    # event loop (the reader's add dialog keeps taking keys meanwhile).
    read = await asyncio.to_thread(_read_page, page, first)
    if read is None:
        return Discovery(url, error=f"{url} is not a feed ({feed}) nor a web page")
    links, on_site = read
    known = well_known(page)
    steps = (
        ("linked in the page's head", links.head),
        ("linked in the page's body", links.body),
        ("the site's own feed address", on_site),
        # The page's own path first, then the site root, so a blog in /blog/ gets its feed.
        ("found at a well-known address", known[: len(WELL_KNOWN)]),
        ("found at a well-known address", known[len(WELL_KNOWN) :]),
    )
    for step, (how, urls) in enumerate(steps):
        found = await checker.check_all(_unique(urls, exclude=(url, page))[:MAX_CANDIDATES])
        if found:
            return Discovery(url, tuple(found), how)
        if step == 1:
            # Only what the page itself links to explains a failure; guessed addresses
            # (site feeds, well-known paths) that answer 404 are no news.
            checker.failures = dict(checker.failed)
    if checker.failures:
        linked, reason = next(iter(checker.failures.items()))
        count = len(checker.failures)
        return Discovery(
            url,
            error=f"no feed found at {url}: it links to {count} possible feed"
            f"{'s' if count > 1 else ''}, none usable ({linked}: {reason})",
        )
    return Discovery(url, error=f"no feed found at {url} (it is a web page that links to none)")


def _read_page(page: str, fetched: Fetched) -> tuple[_Links, list[str]] | None:
    """The page's feed links and site feeds, or None when it is not HTML."""
    text = fetched.body[:HTML_LIMIT].decode(_charset(fetched.headers), "replace")
    if not _looks_like_html(text, fetched.headers):
        return None
    links = _Links(page)
    links.feed(text)
    return links, site_feeds(page, text)


def site_feeds(page: str, html: str = "") -> list[str]:
    """Feeds that well-known sites have but do not always link: YouTube channels and
    playlists, GitHub repositories (releases, then commits)."""
    parts = urlsplit(page)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    if host in ("youtube.com", "youtu.be"):
        base = "https://www.youtube.com/feeds/videos.xml"
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        if len(segments) >= 2 and segments[0] == "channel":
            return [f"{base}?channel_id={segments[1]}"]
        if "list" in query:
            return [f"{base}?playlist_id={query['list']}"]
        match = _YOUTUBE_ID.search(html)
        return [f"{base}?channel_id={match[1]}"] if match else []
    if host == "github.com" and len(segments) >= 2:
        repo = f"https://github.com/{segments[0]}/{segments[1].removesuffix('.git')}"
        return [f"{repo}/releases.atom", f"{repo}/commits.atom"]
    return []


def well_known(page: str) -> list[str]:
    """The usual feed paths under the page's own path, then at the site root."""
    parts = urlsplit(page)
    root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    bases = [urlunsplit((parts.scheme, parts.netloc, path, "", ""))]
    if bases[0] != root:
        bases.append(root)
    return [base + name for base in bases for name in WELL_KNOWN]


class _Checker:
    """Fetches and parses candidates with one client and the engine's limits."""

    def __init__(
        self, client: httpx.AsyncClient, timeout: float, max_bytes: int, now: datetime
    ) -> None:
        self.client, self.timeout, self.max_bytes, self.now = client, timeout, max_bytes, now
        self.gate = asyncio.Semaphore(CONCURRENCY)
        self.failed: dict[str, str] = {}
        """Why each candidate checked so far was refused."""
        self.failures: dict[str, str] = {}
        """The refusals among the page's own links."""

    async def fetch(self, url: str) -> Fetched | str:
        async with self.gate:
            result = await fetch_feed(
                self.client, url, timeout=self.timeout, max_bytes=self.max_bytes
            )
        if isinstance(result, FetchFailed):
            return result.message
        if isinstance(result, NotModified):  # nothing conditional was asked: a broken server
            return "the server answered 304 Not Modified to a plain request"
        return result

    async def parse(self, fetched: Fetched) -> ParsedFeed | str:
        try:
            return await asyncio.to_thread(
                parse_feed, fetched.final_url, fetched.body, fetched.headers, now=self.now
            )
        except ParseError as error:
            return str(error)

    def candidate(self, url: str, fetched: Fetched, feed: ParsedFeed) -> Candidate:
        return Candidate(
            url=fetched.permanent_redirect or url,
            title=clean_line(feed.title, limit=200),
            format=feed.format,
            entries=len(feed.entries),
            final_url=fetched.final_url,
        )

    async def check(self, url: str) -> Candidate | None:
        fetched = await self.fetch(url)
        if isinstance(fetched, str):
            self.failed[url] = fetched
            return None
        feed = await self.parse(fetched)
        if isinstance(feed, str):
            self.failed[url] = feed
            return None
        return self.candidate(url, fetched, feed)

    async def check_all(self, urls: Sequence[str]) -> list[Candidate]:
        results = await asyncio.gather(*(self.check(url) for url in urls))
        seen: set[str] = set()
        found = []
        for candidate in results:
            if candidate is not None and candidate.final_url not in seen:
                seen.add(candidate.final_url)
                found.append(candidate)
        return found


class _Links(HTMLParser):
    """Feed links of a page: `<link rel=alternate>` in the head, feed-looking `<a>` links."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = page
        self.head: list[str] = []
        self.body: list[str] = []
        self._anchor: str | None = None
        self._anchor_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "").strip() for name, value in attrs}
        href = values.get("href", "")
        if tag == "base" and href:
            self.base = urljoin(self.base, href)
        elif tag == "link" and href:
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").lower().split(";")[0].strip()
            if ("alternate" in rels and kind in FEED_TYPES) or "feed" in rels:
                self.head.append(urljoin(self.base, href))
        elif tag == "a" and href:
            kind = values.get("type", "").lower()
            if kind in FEED_TYPES or _FEEDISH_HREF.search(href.split("#")[0]):
                self.body.append(urljoin(self.base, href))
            else:
                self._anchor, self._anchor_text = urljoin(self.base, href), ""

    def handle_data(self, data: str) -> None:
        if self._anchor is not None and len(self._anchor_text) < 100:
            self._anchor_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            if _FEEDISH_TEXT.search(self._anchor_text.strip()):
                self.body.append(self._anchor)
            self._anchor = None


def _unique(urls: Iterable[str], *, exclude: Iterable[str]) -> list[str]:
    skip = set(exclude)
    out: list[str] = []
    for url in urls:
        if url.lower().startswith(("http://", "https://")) and url not in skip:
            skip.add(url)
            out.append(url)
    return out


def _charset(headers: dict[str, str]) -> str:
    match = re.search(r"charset=([\w.:-]+)", headers.get("content-type", ""), re.IGNORECASE)
    if match:
        try:
            "".encode(match[1])
        except LookupError:
            return "utf-8"
        return match[1]
    return "utf-8"


def _looks_like_html(text: str, headers: dict[str, str]) -> bool:
    kind = headers.get("content-type", "").lower()
    if "html" in kind:
        return True
    return bool(re.search(r"<(?:!doctype\s+html|html|head|body)[\s>]", text[:4096], re.I))
