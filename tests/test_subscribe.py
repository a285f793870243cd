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


class Answers:
    """A person at the terminal answering each question in turn (what they read is kept)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.questions.append(prompt)
        return self.answers.pop(0)


async def test_on_a_terminal_add_asks_which_feed_and_remove_asks_first(
    http_server: HTTPServer, tmp_path: Path
) -> None:
    import io

    from newstui.commands.subscribe import Terminal, add_command, remove_command

    head = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/{name}.xml">'
        for name in ("posts", "comments")
    )
    page = http_server.route("/", Response(200, HTML, f"<html><head>{head}</head></html>".encode()))
    http_server.route("/posts.xml", Response(200, RSS_TYPE, rss("Posts", "p1")))
    comments = http_server.route("/comments.xml", Response(200, RSS_TYPE, rss("Comments", "c1")))
    config_path = tmp_path / "feeds.toml"
    config_path.write_text("[settings]\nparse_workers = 1\n")
    db = tmp_path / "newstui.db"
    out = io.StringIO()
    ask = Answers("2")
    code = await add_command(
        load_config(config_path), db, page, terminal=Terminal(out=out, err=out, ask=ask)
    )
    assert code == 0, out.getvalue()
    assert ask.questions == ["Subscribe to which (1-2, a for all, Enter for none)? "]
    assert [s.url for s in load_config(config_path).feeds] == [comments]
    assert "Added Comments" in out.getvalue() and "1 entry" in out.getvalue()

    no = Answers("n")
    remove_command(load_config(config_path), db, "Comments", terminal=Terminal(out=out, ask=no))
    assert no.questions == [f"Remove Comments ({comments})? [y/N] "]
    assert len(load_config(config_path).feeds) == 1
    remove_command(
        load_config(config_path), db, "comm", terminal=Terminal(out=out, ask=Answers("y"))
    )
    assert load_config(config_path).feeds == ()


def test_already_subscribed_through_a_redirect(http_server: HTTPServer, home: Home) -> None:
    """The feed moved (301, recorded by a refresh), or a page's feed link redirects to it."""
    old = http_server.route("/old.xml", Response(301, {"Location": "/new.xml"}))
    new = http_server.route("/new.xml", Response(200, RSS_TYPE, rss("Moved", "m")))
    home.write_config([{"url": old}])
    assert home.run("refresh").returncode == 0
    before = home.config.read_bytes()
    done = home.run("add", new)
    assert done.stdout.startswith(f"Already subscribed: {old} ({old})"), done.stdout
    http_server.route("/short", Response(302, {"Location": "/new.xml"}))
    done = home.run("add", http_server.url("/short"))
    assert "Already subscribed" in done.stdout, done.stdout
    assert home.config.read_bytes() == before
