"""Addresses newstui cannot fetch end in one line and exit 1, never a traceback (issue 10).

`newstui read URL` runs in-process through `newstui.cli.main`, the entry point the command uses;
redirects come from a real loopback server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.feeds.fetch import FetchFailed, fetch_feed, make_client, url_problem
from tests.support.httpserver import HTTPServer, Response

BAD_URLS = {
    "javascript:alert(1)": "cannot fetch javascript: addresses (only http and https)",
    "data:,x": "cannot fetch data: addresses (only http and https)",
    "ftp://x/y": "cannot fetch ftp: addresses (only http and https)",
    "word": "not a web address (it should start with https://)",
    "http://[::1": "not a valid address (unterminated or bad IPv6 address)",
    "http://127.0.0.1:99999/": "not a valid address (port out of range: ports are 1 to 65535)",
    "http:///no-host": "not a valid address (no host name)",
    "http://a b/": "not a valid address (it holds spaces or control characters)",
}


def read(tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str) -> tuple[int, str, str]:
    config = tmp_path / "feeds.toml"
    config.write_text("", "utf-8")
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data"), "read", url]
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("url", list(BAD_URLS))
def test_read_of_an_unfetchable_address_is_one_line(tmp_path, capsys, url: str) -> None:
    status, out, err = read(tmp_path, capsys, url)
    assert (status, out) == (1, "")
    assert err == f"newstui: {url}: {BAD_URLS[url]}\n"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("javascript:alert(1)", "redirected to an address that is not http(s)"),
        ("data:,x", "redirected to an address that is not http(s)"),
        ("ftp://example.org/x", f"redirect refused: {BAD_URLS['ftp://x/y']}"),
        (
            "http://127.0.0.1:99999/",
            "redirect refused: not a valid address (port out of range: ports are 1 to 65535)",
        ),
        (
            "file:///etc/passwd",
            "redirect refused: cannot fetch file: addresses (only http and https)",
        ),
    ],
)
def test_read_of_a_page_that_redirects_somewhere_unfetchable(
    tmp_path, capsys, http_server: HTTPServer, location: str, message: str
) -> None:
    url = http_server.route("/moved", Response(302, {"Location": location}))
    status, out, err = read(tmp_path, capsys, url)
    assert (status, out) == (1, "")
    assert err == f"newstui: {url}: {message}\n"


async def test_fetch_feed_returns_a_value_for_every_bad_address() -> None:
    async with make_client(trust_env=False) as client:
        for url, message in BAD_URLS.items():
            result = await fetch_feed(client, url)
            assert result == FetchFailed("url", message)


def test_good_addresses_pass() -> None:
    for url in ("https://example.org/feed", "http://127.0.0.1:8080/x", "file:///tmp/feed.xml",
                "http://[::1]:80/", "HTTPS://Example.ORG"):  # fmt: skip
        assert url_problem(url) is None, url


@pytest.mark.slow
@pytest.mark.parametrize("command", [["status", "--json"], ["status"], ["themes"], ["--help"]])
def test_a_reader_that_went_away_is_no_traceback(tmp_path: Path, command: list[str]) -> None:
    """`newstui status --json | head -1`: the pipe is closed before newstui writes a byte."""
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "https://example.org/feed"\n', "utf-8")
    data = tmp_path / "data"
    args = [sys.executable, "-m", "newstui", "--config", str(config), "--data-dir", str(data)]
    args.extend(command)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            args,
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode in (0, 1)
