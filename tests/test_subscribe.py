"""`newstui add` and `newstui remove` as a user runs them: a real subprocess, a real feeds.toml,
pages and feeds served from 127.0.0.1. The file must change only by the feed's own lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newstui.core.config import load_config
from tests.support.httpserver import HTTPServer, Response
from tests.test_cli import RSS_TYPE, Home, one_line, rss
from tests.test_config_writer import BETA, GAMMA_TAIL, UNUSUAL

pytestmark = pytest.mark.slow

HTML = {"Content-Type": "text/html"}


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


def unusual_config(home: Home) -> str:
    shutil.copyfile(UNUSUAL, home.config)
    return home.config.read_text()


def test_add_a_feed_appends_its_block_only_and_fetches_it(
    http_server: HTTPServer, home: Home
) -> None:
    original = unusual_config(home)
    url = http_server.route("/alpha.xml", Response(200, RSS_TYPE, rss("Alpha News", "a", "b")))
    done = home.run("add", url, "--tag", "news", "--tag", "long reads", "--title", "Alpha")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Added Alpha ({url}) to {home.config}: 2 entries.\n"
    at = original.index(GAMMA_TAIL) + len(GAMMA_TAIL)
    block = f'\n[[feeds]]\nurl = "{url}"\ntitle = "Alpha"\ntags = ["news", "long reads"]\n'
    assert home.config.read_text() == original[:at] + block + original[at:]
    status = home.run("status", "--json")
    assert '"total": 2' in status.stdout


def test_add_a_page_with_several_feeds_asks_for_a_pick(http_server: HTTPServer, home: Home) -> None:
    home.write_config([])
    before = home.config.read_bytes()
    head = (
        '<link rel="alternate" type="application/rss+xml" href="/posts.xml">'
        '<link rel="alternate" type="application/rss+xml" href="/comments.xml">'
    )
    page = http_server.route("/", Response(200, HTML, f"<html><head>{head}</head></html>".encode()))
    http_server.route("/posts.xml", Response(200, RSS_TYPE, rss("Posts", "p1")))
    comments = http_server.route("/comments.xml", Response(200, RSS_TYPE, rss("Comments", "c1")))

    done = home.run("add", page)
    assert done.returncode == 1
    assert "1. Posts" in done.stdout and "2. Comments" in done.stdout
    assert one_line(done.stderr) == (
        "newstui: several feeds found: choose one with --pick N, or --all"
    )
    assert home.config.read_bytes() == before

    done = home.run("add", page, "--pick", "2")
    assert done.returncode == 0, done.stderr
    assert [s.url for s in load_config(home.config).feeds] == [comments]


def test_already_subscribed_under_another_spelling_changes_nothing(
    http_server: HTTPServer, home: Home
) -> None:
    url = http_server.route("/feed/", Response(200, RSS_TYPE, rss("Same", "s")))
    home.write_config([{"url": url}])
    before = home.config.stat()
    done = home.run("add", url.rstrip("/").replace("http://", "HTTPS://"))
    assert done.returncode == 0
    assert done.stdout.startswith("Already subscribed: ")
    assert home.config.stat().st_mtime_ns == before.st_mtime_ns
    assert not http_server.requests, "nothing is fetched for a known feed"


def test_add_to_the_starter_list_copies_it_and_says_so(http_server: HTTPServer, home: Home) -> None:
    url = http_server.route("/a.xml", Response(200, RSS_TYPE, rss("A", "1")))
    env = home.env(NEWSTUI_DATA_DIR=str(home.data_dir))
    done = home.run("add", url, env=env)
    assert done.returncode == 0, done.stderr
    copy = home.xdg_config / "newstui" / "feeds.toml"
    assert f"Copied the starter feed list to {copy}" in done.stdout
    feeds = load_config(copy).feeds
    assert feeds[-1].url == url and len(feeds) > 10


def test_remove_by_title_prefix(http_server: HTTPServer, home: Home) -> None:
    original = unusual_config(home)
    done = home.run("remove", "https://beta")
    assert done.returncode == 1
    assert one_line(done.stderr).endswith("confirm with --yes")
    assert home.config.read_text() == original

    done = home.run("remove", "https://beta", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "Removed https://beta.example.net/rss (https://beta.example.net/rss)"
    )
    assert home.config.read_text() == original.replace(BETA, "", 1)


def test_remove_ambiguous_or_unknown_is_one_line(home: Home) -> None:
    unusual_config(home)
    done = home.run("remove", "https://", "--yes")
    assert done.returncode == 1
    assert "matches 3 feeds" in one_line(done.stderr)
    done = home.run("remove", "nothing like it", "--yes")
    assert one_line(done.stderr) == "newstui: no feed matches 'nothing like it'"


def test_add_errors_are_one_line(http_server: HTTPServer, home: Home) -> None:
    home.write_config([])
    done = home.run("add", "ftp://example.org/feed")
    assert done.returncode == 2
    assert one_line(done.stderr) == "newstui: not a web address: 'ftp://example.org/feed'"
    http_server.route("/", Response(200, HTML, b"<html><body>nothing</body></html>"))
    done = home.run("add", http_server.url("/"))
    assert done.returncode == 1
    assert "no feed found" in one_line(done.stderr)
    done = home.run("add", http_server.url("/"), "--pick", "1", "--all")
    assert done.returncode == 2
