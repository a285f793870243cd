"""Reader mode: fetch an article's web page and keep only the article. No Textual here.

`fetch_page` is the one way newstui gets an entry's web page, for `f` in the reader,
`newstui read --full-text` and `full_text = true` feeds after a refresh (`fetch_new_pages`).
The page is fetched with the engine's own HTTP client and limits (User-Agent, total deadline,
size cap); extraction is CPU work, so it runs in a thread. Failures are values with a short
message, like fetch failures, because a page that will not load is an expected event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newstui.core.errors import ParseError
from newstui.feeds.addresses import PagePolicy, guarded, unguarded
from newstui.feeds.fetch import FetchFailed, NotModified, fetch_feed, make_client

if TYPE_CHECKING:
    import httpx

    from newstui.core.config import Settings
    from newstui.core.models import FeedSpec
    from newstui.feeds.sources import RefreshContext

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True, slots=True)
class PageArticle:
    """The main content of a web page (sanitized HTML), or why there is none."""

    url: str
    html: str | None = None
    title: str | None = None
    error: str | None = None


FULL_TEXT_CONCURRENCY = 4
FULL_TEXT_PER_FEED = 20


async def fetch_page(
    url: str,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    user_agent: str | None = None,
    feed: FeedSpec | None = None,
    typed_by_user: bool = False,
) -> PageArticle:
    """Fetch `url` and extract its article; never raises for network or page problems.

    A link from feed content may reach only public addresses, or the feed's own host, unless
    `allow_private_links` is set (`newstui.feeds.addresses`); a URL the user typed may reach
    anything.

    Args:
        url: The page (an entry's link, or a URL the user typed).
        settings: Limits (deadline, size cap, redirects) and the default User-Agent.
        client: A client from `page_client` shared by several pages; without one, a client
            is made for this page.
        user_agent: A feed's own User-Agent, when it has one.
        feed: The feed whose entry links to the page (its host may always be reached).
        typed_by_user: The user typed `url` (`newstui read URL`): no address is refused.
    """
    policy = None
    if not typed_by_user:
        own_host = urlsplit(feed.url).hostname if feed is not None else None
        allow = settings.allow_private_links or (feed is not None and feed.allow_private_links)
        policy = PagePolicy(own_host=own_host, allow_private=allow)
    if client is None:
        async with page_client(settings, guarded=policy is not None) as own:
            return await _guarded_fetch(own, url, settings, user_agent, policy)
    return await _guarded_fetch(client, url, settings, user_agent, policy)


def page_client(settings: Settings, *, guarded: bool = True) -> httpx.AsyncClient:
    """A client for page fetches; `guarded` ones apply each fetch's address policy."""
    return make_client(
        concurrency=FULL_TEXT_CONCURRENCY,
        max_redirects=settings.max_redirects,
        user_agent=settings.user_agent,
        guarded=guarded,
    )


async def fetch_new_pages(
    context: RefreshContext, specs: Sequence[FeedSpec], *, since: datetime
) -> None:
    """Reader mode for feeds with `full_text = true`: the pages of entries new since `since`
    (and failed pages whose back-off has passed), a few at a time and at most
    `FULL_TEXT_PER_FEED` per feed (never every old entry)."""
    gate = asyncio.Semaphore(FULL_TEXT_CONCURRENCY)
    now = context.clock()

    async def one(client: httpx.AsyncClient, entry_id: int, link: str, spec: FeedSpec) -> None:
        async with gate:
            try:
                page = await fetch_page(
                    link, context.settings, client=client, user_agent=spec.user_agent, feed=spec
                )
            except Exception as error:  # an extraction bug must not skip the page silently
                page = PageArticle(link, error=f"could not read the page ({type(error).__name__})")
            now = context.clock()
            await context.db(
                lambda store: store.save_full_text(
                    entry_id, link, html=page.html, error=page.error, now=now
                )
            )

    # Not the refresh's own client: page fetches need the guarded one.
    async with page_client(context.settings) as client:
        jobs = []
        for spec in specs:
            ids = await context.db(
                lambda store, url=spec.url: store.entries_missing_full_text(  # type: ignore[misc]
                    url, since, FULL_TEXT_PER_FEED, now=now
                )
            )
            entries = await context.db(lambda store, ids=ids: store.entries_by_id(ids))  # type: ignore[misc]
            jobs.extend(one(client, entry.id, entry.link, spec) for entry in entries if entry.link)
        await asyncio.gather(*jobs, return_exceptions=True)


async def _guarded_fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: Settings,
    user_agent: str | None,
    policy: PagePolicy | None,
) -> PageArticle:
    if policy is None:
        return await _fetch_and_extract(client, url, settings, user_agent)
    if urlsplit(url).scheme.lower() == "file":
        # A feed may say file:///etc/passwd: feed links never read local files.
        return PageArticle(
            url, error="not fetched: only http and https pages are fetched for feed links"
        )
    token = guarded(policy)
    try:
        return await _fetch_and_extract(client, url, settings, user_agent)
    finally:
        unguarded(token)


async def _fetch_and_extract(
    client: httpx.AsyncClient, url: str, settings: Settings, user_agent: str | None
) -> PageArticle:
    # lxml and readability (~6 MB, ~60 ms) load with the first page, not with every
    # `newstui refresh` that imports this module and may fetch no page at all.
    from newstui.article.extract import extract_article

    result = await fetch_feed(
        client,
        url,
        timeout=settings.timeout,
        max_bytes=settings.max_feed_size,
        user_agent=user_agent,
        accept=PAGE_ACCEPT,
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
