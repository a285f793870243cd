"""A parse worker loads ssl and chardet only if a parse needs them (`parse_worker._defer`):
each worker is a few MB smaller, and a feed only chardet can decode parses as it did."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.feeds import parse_worker
from newstui.feeds.parse_pool import ParsePool

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TEXT = "Новости дня: погода, экономика и культура. Подробности в статье ниже, читайте дальше."
# No encoding declared anywhere (headers, XML declaration, BOM): only chardet can tell KOI8-R.
UNDECLARED = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>Лента</title>"
    + "".join(
        f"<item><guid>{n}</guid><title>{TEXT[:40]} {n}</title><description>{TEXT}</description>"
        "</item>"
        for n in range(5)
    )
    + "</channel></rss>"
).encode("koi8-r")
PLAIN = (
    b"<rss version='2.0'><channel><title>t</title><item><guid>1</guid><title>a</title></item>"
    b"</channel></rss>"
)
HEADERS = {"content-type": "text/xml"}


def mapped(pid: int, name: str) -> bool:
    return name in Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
async def test_a_worker_loads_openssl_only_if_a_parse_needs_it_and_parses_the_same() -> None:
    pool = ParsePool(1)
    try:
        plain = await pool.parse("http://example.test/feed", PLAIN, HEADERS, now=NOW)
        (pid,) = pool.pids
        assert plain.rows
        # An ordinary parse: no OpenSSL in the worker (feedparser imports urllib.request).
        assert not mapped(pid, "_ssl"), "the worker loaded ssl"
        undeclared = await pool.parse("http://example.test/feed", UNDECLARED, HEADERS, now=NOW)
    finally:
        pool.shutdown()
    parse_worker.prepare()
    expected = parse_worker.parse("http://example.test/feed", UNDECLARED, HEADERS, now=NOW)
    assert undeclared == expected
    assert TEXT[:40] in undeclared.rows[0][1]  # chardet's KOI8-R, not windows-1252 mojibake


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
async def test_a_reader_refresh_worker_hashes_without_openssl_and_parses_the_same() -> None:
    # The reader's workers (`spare_a_core`) never import `_hashlib`: Python's own sha1 gives
    # the same content hashes without libcrypto in the worker (~3.7 MB RSS).
    body = UNDECLARED.decode("koi8-r").encode("utf-8")
    pool = ParsePool(1, spare_a_core=True)
    try:
        rows = await pool.parse("http://example.test/feed", body, HEADERS, now=NOW)
        (pid,) = pool.pids
        assert not mapped(pid, "libcrypto"), "the worker loaded OpenSSL"
    finally:
        pool.shutdown()
    parse_worker.prepare()
    assert rows == parse_worker.parse("http://example.test/feed", body, HEADERS, now=NOW)
    assert len(rows.rows) == 5 and all(len(row[-1]) == 40 for row in rows.rows)  # sha1 hex
