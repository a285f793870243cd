"""fetch.py against a real HTTP server on 127.0.0.1: what a user sees when feeds misbehave."""

from __future__ import annotations

import concurrent.futures
import contextlib
import gzip
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from newstui import __version__
from newstui.feeds.fetch import (
    DEFAULT_USER_AGENT,
    Fetched,
    FetchFailed,
    NotModified,
    _streams,
    fetch_feed,
    make_client,
)
from tests.support.httpserver import (
    HTTPServer,
    Request,
    Response,
    cut_off,
    endless,
    hang,
    trickle,
)
from tests.support.wait import eventually

RSS = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b"<rss version='2.0'><channel><title>Caf\xc3\xa9</title></channel></rss>"
)
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 01 Jul 2025 10:00:00 GMT"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(trust_env=False, max_redirects=3) as client:
        yield client


def failed(result: object, kind: str) -> FetchFailed:
    assert isinstance(result, FetchFailed), result
    assert result.kind == kind, result
    assert "Traceback" not in result.message
    return result


# --- success --------------------------------------------------------------------------------


async def test_200_returns_body_headers_and_url(http_server, client):
    url = http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    result = await fetch_feed(client, url)

    assert isinstance(result, Fetched)
    assert result.body == RSS
    assert result.status == 200
    assert result.final_url == url
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.permanent_redirect is None


async def test_gzip_body_arrives_decoded(http_server, client):
    url = http_server.route(
        "/feed.xml", Response(200, {**RSS_HEADERS, "Content-Encoding": "gzip"}, gzip.compress(RSS))
    )

    result = await fetch_feed(client, url)

    assert isinstance(result, Fetched)
    assert result.body == RSS
    assert "gzip" in http_server.requests_to("/feed.xml")[0].headers["accept-encoding"]


async def test_random_bytes_are_fetched_not_judged(http_server, client):
    garbage = os.urandom(4096)
    url = http_server.route("/garbage", Response(200, {"Content-Type": "text/plain"}, garbage))

    result = await fetch_feed(client, url)

    assert isinstance(result, Fetched)
    assert result.body == garbage


async def test_html_page_is_fetched_for_the_parser_to_reject(http_server, client):
    html = b"<!doctype html><html><head><title>Blog</title></head><body>hi</body></html>"
    url = http_server.route("/", Response(200, {"Content-Type": "text/html"}, html))

    result = await fetch_feed(client, url)

    assert isinstance(result, Fetched)
    assert result.body == html
    assert result.headers["content-type"] == "text/html"


async def test_contradictory_charset_reaches_the_parser_untouched(http_server, client):
    body = (
        b'<?xml version="1.0" encoding="iso-8859-1"?>'
        b"<rss><channel><title>Caf\xe9</title></channel></rss>"
    )
    headers = {"Content-Type": "application/xml; charset=utf-8"}
    url = http_server.route("/latin1.xml", Response(200, headers, body))

    result = await fetch_feed(client, url)

    assert isinstance(result, Fetched)
    assert result.body == body
    assert result.headers["content-type"] == "application/xml; charset=utf-8"


async def test_client_asks_for_feeds(http_server, client):
    url = http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    await fetch_feed(client, url)

    accept = http_server.requests_to("/feed.xml")[0].headers["accept"]
    assert accept.startswith("application/rss+xml, application/atom+xml, application/feed+json")


# --- conditional requests -------------------------------------------------------------------


def conditional(request: Request) -> Response:
    if request.headers.get("if-none-match") == ETAG:
        return Response(304, {"ETag": ETAG})
    if request.headers.get("if-modified-since") == LAST_MODIFIED:
        return Response(304, {"Last-Modified": LAST_MODIFIED})
    return Response(200, {**RSS_HEADERS, "ETag": ETAG, "Last-Modified": LAST_MODIFIED}, RSS)


async def test_first_fetch_is_unconditional_and_returns_validators(http_server, client):
    url = http_server.route("/feed.xml", conditional)

    result = await fetch_feed(client, url)

    assert isinstance(result, Fetched)
    assert result.headers["etag"] == ETAG
    assert result.headers["last-modified"] == LAST_MODIFIED
    sent = http_server.requests_to("/feed.xml")[0].headers
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent


async def test_304_by_etag(http_server, client):
    url = http_server.route("/feed.xml", conditional)

    result = await fetch_feed(client, url, etag=ETAG)

    assert result == NotModified(headers=result.headers)
    assert result.headers["etag"] == ETAG
    assert http_server.requests_to("/feed.xml")[0].headers["if-none-match"] == ETAG


async def test_304s_keep_the_connection_for_the_next_feed(client):
    """An all-304 refresh of feeds on one host must not open a connection (and, for https,
    do a TLS handshake) per feed: the 304's empty body has to be read for the connection to
    go back to the pool."""
    server = HTTPServer(keep_alive=True)
    try:
        urls = [server.route(f"/{i}.xml", conditional) for i in range(3)]
        results = [await fetch_feed(client, url, etag=ETAG) for url in urls]
    finally:
        server.close()

    assert all(isinstance(result, NotModified) for result in results)
    assert server.connections == 1


def closed_by_server(port: int) -> bool:
    """Whether no client socket to 127.0.0.1:`port` is still open both ways (TCP ESTABLISHED):
    the server's FIN (or RST) has reached it."""
    try:
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    except OSError:  # no /proc: on loopback the FIN is there as close() returns; a margin
        time.sleep(0.02)
        return True
    return not any(row[2].endswith(f":{port:04X}") and row[3] == "01" for row in rows)


async def test_a_kept_connection_the_server_closed_is_not_reused(client):
    """A host that closes an idle kept connection (as most do after a few seconds) must cost
    the next feed nothing: the pool sees the closed socket and connects again, instead of
    sending the request into it and failing the feed ("server disconnected")."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)  # a failing run must not leave the thread in accept()
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    closed = threading.Event()

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            accepted.append(conn)
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(RSS), RSS)
            )
            if len(accepted) == 1:
                conn.close()  # kept by the client, closed by the server while idle
                closed.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        first = await fetch_feed(client, f"http://127.0.0.1:{port}/a.xml")
        assert closed.wait(5)
        assert eventually(lambda: closed_by_server(port))
        second = await fetch_feed(client, f"http://127.0.0.1:{port}/b.xml")
    finally:
        thread.join(5)
        listener.close()
        for conn in accepted:
            conn.close()

    assert isinstance(first, Fetched) and isinstance(second, Fetched)
    assert second.body == RSS
    assert len(accepted) == 2
    # ...and the check that saw it is newstui's cheaper one (it passes with httpcore's too).
    backend = client._transport._pool._network_backend  # type: ignore[attr-defined]
    assert isinstance(backend, _streams.CheapChecks) == _streams.AVAILABLE


async def test_304_by_last_modified(http_server, client):
    url = http_server.route("/feed.xml", conditional)

    result = await fetch_feed(client, url, last_modified=LAST_MODIFIED)

    assert isinstance(result, NotModified)
    sent = http_server.requests_to("/feed.xml")[0].headers
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert "if-none-match" not in sent


async def test_stale_etag_gets_the_new_body(http_server, client):
    url = http_server.route("/feed.xml", conditional)

    result = await fetch_feed(client, url, etag='"v0"')

    assert isinstance(result, Fetched)
    assert result.body == RSS


# --- redirects ------------------------------------------------------------------------------


async def test_chain_of_permanent_redirects_is_reported(http_server, client):
    http_server.route("/old", Response(301, {"Location": "/older-still"}))
    http_server.route("/older-still", Response(308, {"Location": "/new.xml"}))
    new = http_server.route("/new.xml", Response(200, RSS_HEADERS, RSS))

    result = await fetch_feed(client, http_server.url("/old"))

    assert isinstance(result, Fetched)
    assert result.body == RSS
    assert result.final_url == new
    assert result.permanent_redirect == new


async def test_temporary_redirect_is_followed_but_not_recorded(http_server, client):
    http_server.route("/old", Response(301, {"Location": "/moving"}))
    http_server.route("/moving", Response(302, {"Location": "/new.xml"}))
    new = http_server.route("/new.xml", Response(200, RSS_HEADERS, RSS))

    result = await fetch_feed(client, http_server.url("/old"))

    assert isinstance(result, Fetched)
    assert result.final_url == new
    assert result.permanent_redirect is None


async def test_redirect_keeps_validators(http_server, client):
    http_server.route("/old", Response(301, {"Location": "/feed.xml"}))
    http_server.route("/feed.xml", conditional)

    result = await fetch_feed(client, http_server.url("/old"), etag=ETAG)

    assert isinstance(result, NotModified)


async def test_redirect_loop(http_server, client):
    http_server.route("/a", Response(302, {"Location": "/b"}))
    http_server.route("/b", Response(302, {"Location": "/a"}))

    result = await fetch_feed(client, http_server.url("/a"))

    assert failed(result, "redirects").message == "too many redirects (redirect loop?)"
    assert len(http_server.requests) == 4  # the first request plus max_redirects=3


# --- HTTP errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone: the feed was removed"),
        (403, "HTTP 403 Forbidden: access denied"),
        (500, "HTTP 500 Internal Server Error"),
        (503, "HTTP 503 Service Unavailable"),
        (599, "HTTP 599 server error"),
    ],
)
async def test_error_status_has_a_friendly_message(http_server, client, status, message):
    url = http_server.route("/feed.xml", Response(status, {"Content-Type": "text/html"}, b"oops"))

    result = failed(await fetch_feed(client, url), "http-status")

    assert result.message == message
    assert result.status == status


async def test_429_passes_retry_after_back(http_server, client):
    url = http_server.route("/feed.xml", Response(429, {"Retry-After": "120"}))

    result = failed(await fetch_feed(client, url), "http-status")

    assert result.message == "HTTP 429 Too Many Requests"
    assert result.headers["retry-after"] == "120"


# --- slow, huge and broken servers ----------------------------------------------------------


async def test_server_that_never_answers_times_out(http_server, client):
    url = http_server.route("/feed.xml", hang())

    start = time.monotonic()
    result = await fetch_feed(client, url, timeout=0.5)

    assert failed(result, "timeout").message == "timed out after 0.5 s"
    assert time.monotonic() - start < 10  # without the deadline: until the server gives up


async def test_trickling_server_is_cut_off_by_the_total_deadline(http_server, client):
    url = http_server.route("/feed.xml", trickle(interval=0.05))

    start = time.monotonic()
    result = await fetch_feed(client, url, timeout=0.5)

    assert failed(result, "timeout").message == "timed out after 0.5 s"
    assert time.monotonic() - start < 10  # without the deadline: until the server gives up


async def test_endless_body_is_cut_off_at_max_bytes(http_server, client):
    url = http_server.route("/feed.xml", endless())

    result = failed(await fetch_feed(client, url, max_bytes=200_000), "too-large")

    assert result.message == "feed larger than 200 kB"
    assert result.status == 200


async def test_oversized_content_length_is_refused_before_reading(http_server, client):
    url = http_server.route("/feed.xml", endless(content_length=50_000_000))

    result = failed(await fetch_feed(client, url), "too-large")

    assert result.message == "feed larger than 10 MB"


async def test_gzip_bomb_is_measured_after_decoding(http_server, client):
    bomb = gzip.compress(b" " * 2_000_000)
    headers = {**RSS_HEADERS, "Content-Encoding": "gzip"}
    url = http_server.route("/feed.xml", Response(200, headers, bomb))

    result = await fetch_feed(client, url, max_bytes=1_000_000)

    assert failed(result, "too-large").message == "feed larger than 1 MB"


async def test_body_exactly_at_the_limit_is_accepted(http_server, client):
    url = http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    result = await fetch_feed(client, url, max_bytes=len(RSS))

    assert isinstance(result, Fetched)


async def test_connection_closed_mid_body(http_server, client):
    url = http_server.route("/feed.xml", cut_off(b"<rss>", declared=1000))

    result = await fetch_feed(client, url)

    assert failed(result, "network").message == "connection closed early"


async def test_connection_reset_mid_body(http_server, client):
    url = http_server.route("/feed.xml", cut_off(b"<rss>", declared=1000, rst=True))

    result = await fetch_feed(client, url)

    assert failed(result, "network").message in {
        "connection reset by the server",
        "connection closed early",  # the kernel may deliver the FIN-like EOF before the RST
    }


# --- connection failures --------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused(client, closed_port):
    result = await fetch_feed(client, f"http://127.0.0.1:{closed_port}/feed.xml")

    assert failed(result, "refused").message == "connection refused"


def _fails_fast(host: str) -> bool:
    """Does this host fail to resolve within a second? Offline sandboxes may hang instead."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(socket.getaddrinfo, host, 80)
    pool.shutdown(wait=False)
    try:
        future.result(timeout=1.0)
    except socket.gaierror:
        return True
    except (concurrent.futures.TimeoutError, OSError):
        return False
    return False  # some resolvers answer every name


async def test_unknown_host_is_a_dns_failure(client):
    host = "feeds.newstui.invalid"  # RFC 2606: guaranteed never to resolve
    if not _fails_fast(host):
        pytest.skip("the resolver does not fail fast for .invalid names here")

    result = await fetch_feed(client, f"http://{host}/feed.xml", timeout=5)

    assert failed(result, "dns").message in {
        "server not found (DNS)",
        "DNS lookup failed (offline?)",
    }


async def test_https_to_a_plain_http_server_is_a_tls_error(http_server, client):
    http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    result = await fetch_feed(client, f"https://127.0.0.1:{http_server.port}/feed.xml")

    assert failed(result, "tls").message.startswith("TLS error: ")


@pytest.fixture(scope="module")
def self_signed_server(tmp_path_factory) -> Iterator[int]:
    """A TLS listener with a self-signed certificate: handshakes, then hangs up."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                # The client rejects our certificate mid-handshake: that is the point.
                with contextlib.suppress(OSError):
                    context.wrap_socket(conn, server_side=True).close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    listener.close()


async def test_untrusted_certificate_is_a_tls_error(client, self_signed_server):
    result = await fetch_feed(client, f"https://127.0.0.1:{self_signed_server}/feed.xml")

    assert failed(result, "tls").message.startswith("TLS error: certificate verify failed")


# --- User-Agent -----------------------------------------------------------------------------


async def test_default_user_agent_names_newstui(http_server, client):
    url = http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    await fetch_feed(client, url)

    sent = http_server.requests_to("/feed.xml")[0].headers["user-agent"]
    assert sent == DEFAULT_USER_AGENT
    assert sent.startswith(f"newstui/{__version__} ")


async def test_per_feed_user_agent_override(http_server, client):
    url = http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    await fetch_feed(client, url, user_agent="Mozilla/5.0 (picky-server workaround)")
    await fetch_feed(client, url)

    agents = [r.headers["user-agent"] for r in http_server.requests_to("/feed.xml")]
    assert agents == ["Mozilla/5.0 (picky-server workaround)", DEFAULT_USER_AGENT]


async def test_client_wide_user_agent(http_server):
    url = http_server.route("/feed.xml", Response(200, RSS_HEADERS, RSS))

    async with make_client(trust_env=False, user_agent="corp-reader/1") as client:
        await fetch_feed(client, url)

    assert http_server.requests_to("/feed.xml")[0].headers["user-agent"] == "corp-reader/1"


# --- file:// -------------------------------------------------------------------------------


async def test_file_url(client, tmp_path: Path):
    path = tmp_path / "my feed.xml"
    path.write_bytes(RSS)

    result = await fetch_feed(client, path.as_uri())

    assert isinstance(result, Fetched)
    assert result.body == RSS
    assert result.final_url == path.as_uri()


async def test_missing_file(client, tmp_path: Path):
    path = tmp_path / "gone.xml"

    result = await fetch_feed(client, path.as_uri())

    assert failed(result, "file").message == f"file not found: {path}"


async def test_oversized_file(client, tmp_path: Path):
    path = tmp_path / "big.xml"
    path.write_bytes(b" " * 2_000)

    result = await fetch_feed(client, path.as_uri(), max_bytes=1_000)

    assert failed(result, "too-large").message == "feed larger than 1 kB"


async def test_unsupported_scheme_is_a_failure_not_an_exception(client):
    result = await fetch_feed(client, "gopher://example.org/feed")

    assert failed(result, "url").message == "cannot fetch gopher: addresses (only http and https)"


async def test_redirect_to_another_scheme(http_server, client):
    url = http_server.route("/feed.xml", Response(301, {"Location": "ftp://example.org/feed"}))

    result = await fetch_feed(client, url)

    assert failed(result, "redirects").message == (
        "redirect refused: cannot fetch ftp: addresses (only http and https)"
    )


async def test_corrupt_gzip_body(http_server, client):
    headers = {**RSS_HEADERS, "Content-Encoding": "gzip"}
    url = http_server.route("/feed.xml", Response(200, headers, b"this is not gzip"))

    result = await fetch_feed(client, url)

    assert failed(result, "network").message == "the server sent a corrupt compressed body"
