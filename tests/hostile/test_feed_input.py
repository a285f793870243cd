"""Hostile input through a real refresh (loopback server → `Refresher` → SQLite): each odd
input a stranger's feed or server can send ends as that feed's own message or as clean stored
text, never as "internal error" or a feed that fails on every refresh (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstui.core.config import Settings, load_config
from newstui.core.errors import ConfigError
from newstui.core.models import FeedSpec, UpdateStatus
from tests.support.httpserver import Behaviour, Connection, Response
from tests.test_refresh import (
    JSON_TYPE,
    RSS_TYPE,
    refresh,
    stored_entries,
    stored_feeds,
)

FAST = Settings(parse_workers=1, timeout=5.0, concurrency=4)
JSON_VERSION = "https://jsonfeed.org/version/1.1"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newstui.db"


def encodable(*texts: str | None) -> None:
    for text in texts:
        assert text is not None
        text.encode("utf-8")  # a lone surrogate raises here (and in SQLite, and on screen)


async def test_lone_surrogates_in_rss_are_dropped(http_server, db_path):
    body = (
        b'<rss version="2.0"><channel><title>Odd&#xD800; feed</title>'
        b"<item><guid isPermaLink='false'>a&#55296;1</guid><title>Lone &#xDFFF;half</title>"
        b"<description>before&#xD800;after &#x110000;and&#99999999999;</description></item>"
        b"</channel></rss>"
    )
    spec = FeedSpec(http_server.route("/rss", Response(200, RSS_TYPE, body)))

    updates = await refresh(db_path, [spec], settings=FAST)

    assert updates[spec.url].status is UpdateStatus.NEW, updates[spec.url]
    assert stored_feeds(db_path)[spec.url].title == "Odd feed"
    entry = stored_entries(db_path, spec.url)["a1"]
    assert entry.title == "Lone half"
    assert entry.summary_html is not None and "beforeafter" in entry.summary_html
    encodable(entry.title, entry.summary_html)


async def test_lone_surrogates_in_json_feed_are_dropped(http_server, db_path):
    body = json.dumps(
        {
            "version": JSON_VERSION,
            "title": "Odd\ud800 JSON",
            "items": [
                {
                    "id": "j\udc001",
                    "title": "Half\ud800 a pair",
                    "content_html": "<p>x\ud800y</p>",
                    "authors": [{"name": "Mal\udfffl\udc00ory"}],
                }
            ],
        }
    ).encode()  # json.dumps writes them as \ud800 escapes, as a hostile server would
    spec = FeedSpec(http_server.route("/json", Response(200, JSON_TYPE, body)))

    updates = await refresh(db_path, [spec], settings=FAST)

    assert updates[spec.url].status is UpdateStatus.NEW, updates[spec.url]
    assert stored_feeds(db_path)[spec.url].title == "Odd JSON"
    entry = stored_entries(db_path, spec.url)["j1"]
    assert (entry.title, entry.author, entry.content_html) == (
        "Half a pair",
        "Mallory",
        "<p>xy</p>",
    )


async def test_json_feed_with_a_5000_digit_number_is_stored(http_server, db_path):
    digits = "9" * 5000
    body = (
        f'{{"version": "{JSON_VERSION}", "title": "Big", "items": ['
        f'{{"id": {digits}, "title": "Huge id"}},'
        f'{{"id": "2", "title": "Huge size", "attachments": [{{"url": "https://e.org/a.mp3",'
        f' "mime_type": "audio/mpeg", "size_in_bytes": {digits}}}]}}]}}'
    ).encode()
    spec = FeedSpec(http_server.route("/json", Response(200, JSON_TYPE, body)))

    updates = await refresh(db_path, [spec], settings=FAST)

    assert updates[spec.url].status is UpdateStatus.NEW, updates[spec.url]
    titles = sorted(entry.title for entry in stored_entries(db_path, spec.url).values())
    assert titles == ["Huge id", "Huge size"]


async def test_unicode_digits_in_retry_after_are_ignored(http_server, db_path):
    def answer(conn: Connection) -> None:
        # Raw bytes: http.server will not send a header that is not Latin-1.
        conn.handler.wfile.write(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: \xe2\x91\xa0\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        conn.handler.wfile.flush()

    spec = FeedSpec(http_server.route("/busy", Behaviour(answer)))

    updates = await refresh(db_path, [spec], settings=FAST)

    assert updates[spec.url].error == "HTTP 503 Service Unavailable"
    feed = stored_feeds(db_path)[spec.url]
    assert feed.last_error == "HTTP 503 Service Unavailable"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("javascript:alert(1)", "redirected to an address that is not http(s)"),
        ("data:,x", "redirected to an address that is not http(s)"),
        ("data:text/html,<b>x</b>", "redirected to an address that is not http(s)"),
    ],
)
async def test_redirect_to_an_unsupported_address_is_the_feeds_message(
    http_server, db_path, target, message
):
    spec = FeedSpec(http_server.route("/moved", Response(302, {"Location": target})))

    updates = await refresh(db_path, [spec], settings=FAST)

    assert updates[spec.url].error == message
    assert stored_feeds(db_path)[spec.url].last_error == message


@pytest.mark.parametrize("size", ["1e-320", "0.0009", "0", "-1"])
def test_a_tiny_max_feed_size_is_rejected_by_the_config_check(tmp_path: Path, size: str):
    path = tmp_path / "feeds.toml"
    path.write_text(f"[settings]\nmax_feed_size_mb = {size}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    shown = str(caught.value)
    assert shown.startswith(f"{path}:2: settings.max_feed_size_mb: must be at least 0.001"), shown


def test_the_smallest_max_feed_size_is_accepted(tmp_path: Path):
    path = tmp_path / "feeds.toml"
    path.write_text("[settings]\nmax_feed_size_mb = 0.001\n")
    assert load_config(path).settings.max_feed_size == 1_000


async def test_a_body_that_names_a_local_file_is_not_read_from_disk(
    http_server, db_path, tmp_path: Path
):
    """feedparser tries a bytes document as a file name before parsing it: a server that
    answers with a local path ("/etc/passwd", "/dev/zero", another reader's cache) must get
    that text parsed as the feed it is (not a feed), never the file's contents."""
    local = tmp_path / "private.xml"
    local.write_bytes(
        b'<rss version="2.0"><channel><title>Private file</title>'
        b"<item><guid>secret</guid><title>Only on this disk</title></item></channel></rss>"
    )
    spec = FeedSpec(http_server.route("/path", Response(200, RSS_TYPE, str(local).encode())))

    updates = await refresh(db_path, [spec], settings=FAST)

    assert updates[spec.url].status is UpdateStatus.ERROR, updates[spec.url]
    assert stored_entries(db_path, spec.url) == {}
    assert stored_feeds(db_path)[spec.url].title != "Private file"
