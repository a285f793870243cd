"""Reader mode: fetch an article's web page and keep only the article. No Textual here.

The page is fetched with the engine's own HTTP client and limits (User-Agent, total deadline,
size cap); extraction is CPU work, so it runs in a thread. Failures are values with a short
message, like fetch failures, because a page that will not load is an expected event.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newstui.article.extract import extract_article
from newstui.core.errors import ParseError
from newstui.feeds.fetch import FetchFailed, NotModified, fetch_feed

if TYPE_CHECKING:
    import httpx

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True, slots=True)
class PageArticle:
    """The main content of a web page (sanitized HTML), or why there is none."""

    url: str
    html: str | None = None
    title: str | None = None
    error: str | None = None


async def fetch_article(
    client: httpx.AsyncClient,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    user_agent: str | None = None,
) -> PageArticle:
    """Fetch `url` and extract its article; never raises for network or page problems."""
    result = await fetch_feed(
        client, url, timeout=timeout, max_bytes=max_bytes, user_agent=user_agent, accept=PAGE_ACCEPT
    )
    if isinstance(result, FetchFailed):
        return PageArticle(url, error=result.message)
    if isinstance(result, NotModified):  # no validators were sent; a confused server
        return PageArticle(url, error="the server answered 304 Not Modified to a plain request")
    try:
        extracted = await asyncio.to_thread(
            extract_article,
            result.body,
            result.final_url,
            content_type=result.headers.get("content-type"),
        )
    except ParseError as exc:
        return PageArticle(url, error=str(exc))
    return PageArticle(url, html=extracted.html, title=extracted.title)
