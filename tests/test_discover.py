"""Autodiscovery on pages served from 127.0.0.1: what `newstui add PAGE` would subscribe to."""

from __future__ import annotations

import pytest

from newstui.feeds.discover import discover, site_feeds, well_known
from newstui.feeds.fetch import make_client
from tests.support.httpserver import HTTPServer, Response

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def rss(title: str, entries: int = 2) -> Response:
    items = "".join(
        f"<item><guid>{title}-{i}</guid><title>{i}</title></item>" for i in range(entries)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}'
    return Response(200, RSS, (body + "</channel></rss>").encode())


def atom(title: str) -> Response:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>' + title + "</title><id>urn:x</id>"
        "<entry><id>urn:1</id><title>one</title><updated>2024-01-01T00:00:00Z</updated></entry>"
        "</feed>"
    )
    return Response(200, {"Content-Type": "application/atom+xml"}, body.encode())


def page(head: str = "", body: str = "") -> Response:
    html = (
        f"<!doctype html><html><head><title>A page</title>{head}</head><body>{body}</body></html>"
    )
    return Response(200, HTML, html.encode())


async def find(server: HTTPServer, path: str):
    async with make_client(trust_env=False) as client:
        return await discover(client, server.url(path), timeout=5)


async def test_a_feed_address_is_the_feed(http_server: HTTPServer) -> None:
    http_server.route("/feed.xml", rss("Plain", 3))
    found = await find(http_server, "/feed.xml")
    assert found.how == "the address is a feed"
    assert [(c.url, c.title, c.entries) for c in found.feeds] == [
        (http_server.url("/feed.xml"), "Plain", 3)
    ]


async def test_a_link_in_the_head_relative_to_the_page(http_server: HTTPServer) -> None:
    http_server.route(
        "/blog/", page('<link rel="alternate" type="application/rss+xml" href="x.rss">')
    )
    http_server.route("/blog/x.rss", rss("Blog"))
    found = await find(http_server, "/blog/")
    assert found.how == "linked in the page's head"
    assert [c.url for c in found.feeds] == [http_server.url("/blog/x.rss")]


async def test_several_head_links_are_all_offered_and_broken_ones_dropped(
    http_server: HTTPServer,
) -> None:
    head = (
        '<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.xml">'
        '<link rel="alternate" type="application/atom+xml" title="Comments" href="/comments">'
        '<link rel="alternate" type="application/rss+xml" href="/missing.xml">'  # 404
        '<link rel="alternate" type="application/json" href="/wp-json/page/1">'  # not a feed type
        '<link rel="stylesheet" href="/style.css">'
    )
    http_server.route("/", page(head))
    http_server.route("/posts.xml", rss("Posts"))
    http_server.route("/comments", atom("Comments"))
    found = await find(http_server, "/")
    assert [c.title for c in found.feeds] == ["Posts", "Comments"]
    assert not http_server.requests_to("/wp-json/page/1")


async def test_a_body_link_when_the_head_has_none(http_server: HTTPServer) -> None:
    body = '<p>Follow us: <a href="/about">about</a> <a href="/subscribe/feed/">RSS</a></p>'
    http_server.route("/", page(body=body))
    http_server.route("/subscribe/feed/", rss("Body"))
    found = await find(http_server, "/")
    assert found.how == "linked in the page's body"
    assert [c.url for c in found.feeds] == [http_server.url("/subscribe/feed/")]
    assert not http_server.requests_to("/about"), "ordinary links are not fetched"


async def test_an_anchor_whose_text_says_rss(http_server: HTTPServer) -> None:
    http_server.route("/", page(body='<a href="/syndicate?x=1">RSS</a>'))
    http_server.route("/syndicate", rss("Texted"))
    found = await find(http_server, "/")
    assert [c.title for c in found.feeds] == ["Texted"]


async def test_a_well_known_path_when_nothing_links(http_server: HTTPServer) -> None:
    http_server.route("/news/", page(body="<p>no links at all</p>"))
    http_server.route("/index.xml", rss("Root index"))
    found = await find(http_server, "/news/")
    assert found.how == "found at a well-known address"
    assert [c.url for c in found.feeds] == [http_server.url("/index.xml")]


async def test_nothing_found_is_one_clear_line(http_server: HTTPServer) -> None:
    http_server.route("/", page(body="<p>nothing</p>"))
    found = await find(http_server, "/")
    assert found.feeds == ()
    assert (
        found.error
        == f"no feed found at {http_server.url('/')} (it is a web page that links to none)"
    )


async def test_unreachable_and_not_html(http_server: HTTPServer) -> None:
    found = await find(http_server, "/missing")
    assert found.error == f"cannot fetch {http_server.url('/missing')}: HTTP 404 Not Found"
    http_server.route(
        "/data", Response(200, {"Content-Type": "application/octet-stream"}, b"\x00\x01")
    )
    found = await find(http_server, "/data")
    assert found.error is not None and "is not a feed" in found.error


async def test_a_permanent_redirect_subscribes_to_the_new_address(http_server: HTTPServer) -> None:
    http_server.route("/old", Response(301, {"Location": "/new.xml"}))
    http_server.route("/new.xml", rss("Moved"))
    found = await find(http_server, "/old")
    assert [c.url for c in found.feeds] == [http_server.url("/new.xml")]


@pytest.mark.parametrize(
    ("page_url", "html", "expected"),
    [
        (
            "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv",
            "",
            ["https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv"],
        ),
        (
            "https://www.youtube.com/@someone",
            '{"externalId":"UC0123456789abcdefghijkl"}',
            ["https://www.youtube.com/feeds/videos.xml?channel_id=UC0123456789abcdefghijkl"],
        ),
        (
            "https://www.youtube.com/playlist?list=PL123",
            "",
            ["https://www.youtube.com/feeds/videos.xml?playlist_id=PL123"],
        ),
        (
            "https://github.com/owner/repo/issues",
            "",
            [
                "https://github.com/owner/repo/releases.atom",
                "https://github.com/owner/repo/commits.atom",
            ],
        ),
        ("https://github.com/owner", "", []),
        ("https://example.org/", "", []),
    ],
)
def test_site_feeds(page_url: str, html: str, expected: list[str]) -> None:
    assert site_feeds(page_url, html) == expected


def test_well_known_paths_at_the_path_then_the_root() -> None:
    urls = well_known("https://example.org/blog/post?x=1")
    assert urls[0] == "https://example.org/blog/post/feed"
    assert "https://example.org/rss.xml" in urls and len(urls) == 12
    assert len(well_known("https://example.org/")) == 6


async def test_linked_feeds_that_all_fail_are_named_in_the_error(http_server: HTTPServer) -> None:
    http_server.route("/", page('<link rel="alternate" type="application/rss+xml" href="/gone">'))
    found = await find(http_server, "/")
    assert found.error == (
        f"no feed found at {http_server.url('/')}: it links to 1 possible feed, none usable "
        f"({http_server.url('/gone')}: HTTP 404 Not Found)"
    )
