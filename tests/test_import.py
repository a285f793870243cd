"""Moving in from other readers: OPML, newsboat's urls and cache.db; and `newstui export`.

The cache.db here is built with newsboat's own schema statements (its `cache.cpp` schema
patches for 2.10 and 2.11, applied in order as newsboat applies them), so the test runs without
newsboat installed. The refresh after the import fetches the same items from 127.0.0.1 and must
neither duplicate an entry nor reset its read state.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.core.config import TOP_LEVEL_KEYS, load_config
from newstui.core.query import parse_query
from newstui.feeds.newsboat import newsboat_files, parse_urls
from newstui.feeds.newsboat_query import translate
from newstui.feeds.opml import parse_opml
from newstui.store import Store
from tests.support.httpserver import HTTPServer, Response
from tests.test_cli import RSS_TYPE, Home
from tests.test_config_writer import GAMMA_TAIL, UNUSUAL

NEWSBOAT_SCHEMA = (
    "CREATE TABLE rss_feed (  rssurl VARCHAR(1024) PRIMARY KEY NOT NULL,  url VARCHAR(1024)"
    " NOT NULL,  title VARCHAR(1024) NOT NULL ); ",
    "CREATE TABLE rss_item (  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,  guid VARCHAR(64)"
    " NOT NULL,  title VARCHAR(1024) NOT NULL,  author VARCHAR(1024) NOT NULL,  url"
    " VARCHAR(1024) NOT NULL,  feedurl VARCHAR(1024) NOT NULL,  pubDate INTEGER NOT NULL, "
    " content VARCHAR(65535) NOT NULL, unread INTEGER(1) NOT NULL );",
    "CREATE TABLE google_replay (  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,  guid"
    " VARCHAR(64) NOT NULL,  state INTEGER NOT NULL,  ts INTEGER NOT NULL );",
    "ALTER TABLE rss_item ADD enclosure_url VARCHAR(1024);",
    "ALTER TABLE rss_item ADD enclosure_type VARCHAR(1024);",
    "ALTER TABLE rss_item ADD enqueued INTEGER(1) NOT NULL DEFAULT 0;",
    "ALTER TABLE rss_item ADD flags VARCHAR(52);",
    "CREATE INDEX IF NOT EXISTS idx_rssurl ON rss_feed(rssurl);",
    "CREATE INDEX IF NOT EXISTS idx_guid ON rss_item(guid);",
    "CREATE INDEX IF NOT EXISTS idx_feedurl ON rss_item(feedurl);",
    "ALTER TABLE rss_feed ADD lastmodified INTEGER(11) NOT NULL DEFAULT 0;",
    "CREATE INDEX IF NOT EXISTS idx_lastmodified ON rss_feed(lastmodified);",
    "ALTER TABLE rss_item ADD deleted INTEGER(1) NOT NULL DEFAULT 0;",
    "CREATE INDEX IF NOT EXISTS idx_deleted ON rss_item(deleted);",
    "ALTER TABLE rss_feed ADD is_rtl INTEGER(1) NOT NULL DEFAULT 0;",
    'ALTER TABLE rss_feed ADD etag VARCHAR(128) NOT NULL DEFAULT "";',
    'ALTER TABLE rss_item ADD base VARCHAR(128) NOT NULL DEFAULT "";',
    "CREATE TABLE metadata (  db_schema_version_major INTEGER NOT NULL, "
    " db_schema_version_minor INTEGER NOT NULL );",
    "INSERT INTO metadata VALUES ( 2, 11 );",
)
DATE = "Mon, 01 Jan 2024 10:00:00 +0000"


def feed_xml(title: str, items: list[tuple[str | None, str]]) -> bytes:
    """RSS 2.0; each item is (guid or None, link)."""
    body = "".join(
        "<item>"
        + (f"<guid isPermaLink='false'>{guid}</guid>" if guid else "")
        + f"<title>Story {link[-1]}</title><link>{link}</link><pubDate>{DATE}</pubDate>"
        "<description>&lt;p&gt;Text&lt;/p&gt;</description></item>"
        for guid, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link>{body}</channel></rss>"
    ).encode()


def build_cache(path: Path, rows: list[tuple[str, str, str, int, str, int]]) -> None:
    """rows: (feedurl, guid as newsboat stores it, link, unread, flags, deleted)."""
    db = sqlite3.connect(path)
    for statement in NEWSBOAT_SCHEMA:
        db.execute(statement)
    for feed in sorted({row[0] for row in rows}):
        db.execute("INSERT INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)", (feed, "", "Own"))
    db.executemany(
        "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread,"
        " flags, deleted) VALUES (?, 'Story', 'Ann', ?, ?, 1704103200, '<p>Text</p>', ?, ?, ?)",
        [
            (guid, link, feed, unread, flags, deleted)
            for feed, guid, link, unread, flags, deleted in rows
        ],
    )
    db.commit()
    db.close()


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


def status(home: Home) -> dict[str, dict[str, object]]:
    done = home.run("status", "--json")
    return {feed["url"]: feed for feed in json.loads(done.stdout)["feeds"]}


@pytest.mark.slow
def test_newsboat_urls_and_cache_then_a_refresh_adds_no_duplicate(
    http_server: HTTPServer, home: Home
) -> None:
    a = http_server.url("/a.xml")
    b = http_server.url("/b.xml")
    # a: items with guids; b: items without, which newsboat keys as link + date text.
    http_server.route(
        "/a.xml",
        Response(
            200,
            RSS_TYPE,
            feed_xml("A", [("a1", "https://e/a1"), ("a2", "https://e/a2"), ("a3", "https://e/a3")]),
        ),
    )
    http_server.route(
        "/b.xml",
        Response(200, RSS_TYPE, feed_xml("B", [(None, "https://e/b1"), (None, "https://e/b2")])),
    )
    urls = home.root / "urls"
    urls.write_text(f'# mine\n{a} news "long reads" "~Custom A"\n{b} !hidden\nexec:foo.sh\n')
    cache = home.root / "cache.db"
    build_cache(
        cache,
        [
            (a, "a1", "https://e/a1", 0, "", 0),  # read
            (a, "a2", "https://e/a2", 1, "s", 0),  # unread, flagged
            (a, "a3", "https://e/a3", 1, "", 1),  # deleted in newsboat
            (b, "https://e/b1" + DATE, "https://e/b1", 0, "", 0),
            (b, "https://e/b2" + DATE, "https://e/b2", 1, "", 0),
        ],
    )
    home.write_config([])
    done = home.run("import", str(urls), str(cache))
    assert done.returncode == 0, done.stderr
    assert "hidden in newsboat" in done.stdout and "exec: feeds are not supported" in done.stdout
    assert "(1 deleted in newsboat, skipped)" in done.stdout
    specs = {spec.url: spec for spec in load_config(home.config).feeds}
    assert (specs[a].title, specs[a].tags) == ("Custom A", ("news", "long reads"))
    feeds = status(home)
    assert [(feeds[u]["total"], feeds[u]["unread"], feeds[u]["bookmarks"]) for u in (a, b)] == [
        (2, 1, 1),
        (2, 1, 0),
    ]
    assert feeds[b]["title"] == "Own", "the cache's feed title until the first fetch"

    config_after, again = home.config.read_bytes(), home.run("import", str(urls), str(cache))
    assert "Stored 0 new entries" in again.stdout and "4 unchanged" in again.stdout
    assert home.config.read_bytes() == config_after

    refreshed = home.run("refresh", "--all")
    assert refreshed.returncode == 0
    feeds = status(home)
    # a3 was deleted in newsboat: skipped, so the refresh brings it back as the one new entry.
    assert [(feeds[u]["total"], feeds[u]["unread"], feeds[u]["bookmarks"]) for u in (a, b)] == [
        (3, 2, 1),
        (2, 1, 0),
    ]


@pytest.mark.slow
def test_dry_run_changes_nothing(home: Home) -> None:
    cache = home.root / "cache.db"
    build_cache(cache, [("https://x.example/feed", "g1", "https://x.example/1", 1, "", 0)])
    home.write_config([])
    before = home.config.read_bytes()
    done = home.run("import", "--dry-run", str(cache))
    assert done.returncode == 0, done.stderr
    assert "Would add 1 feed" in done.stdout and "Would store 1 new entry" in done.stdout
    assert home.config.read_bytes() == before
    assert status(home) == {}


@pytest.mark.slow
def test_import_into_an_unusual_file_adds_blocks_and_tags_in_place(home: Home) -> None:
    shutil.copyfile(UNUSUAL, home.config)
    original = home.config.read_text()
    opml = home.root / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><body><outline text="news">'
        '<outline text="Beta" xmlUrl="https://beta.example.net/rss"/>'
        '<outline text="Delta" type="rss" xmlUrl="https://delta.example/feed"/>'
        "</outline></body></opml>"
    )
    done = home.run("import", str(opml))
    assert done.returncode == 0, done.stderr
    at = original.index(GAMMA_TAIL) + len(GAMMA_TAIL)
    block = '\n[[feeds]]\nurl = "https://delta.example/feed"\ntitle = "Delta"\ntags = ["news"]\n'
    expected = original[:at] + block + original[at:]
    # Beta had news and world already: nothing to add to it.
    assert home.config.read_text() == expected


def test_opml_folders_titles_duplicates_and_broken_entries(tmp_path: Path) -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Tech"><outline title="Linux">
    <outline type="rss" text="LWN" xmlUrl="https://lwn.net/headlines/rss" htmlUrl="https://lwn.net"/>
  </outline></outline>
  <outline text="Tech"><outline type="rss" text="LWN" xmlUrl="https://lwn.net/headlines/rss"/></outline>
  <outline type="rss" text="again" xmlUrl="https://lwn.net/headlines/rss" category="/Tech"/>
  <outline type="rss" text="Tech" xmlUrl="https://lwn.net/headlines/rss"/>
  <outline type="rss" text="Top" xmlUrl="HTTPS://Example.ORG"/>
  <outline type="rss" text="gopher" xmlUrl="gopher://old.example/"/>
  <outline type="rss" text="nothing"/>
</body></opml>"""
    found = parse_opml(tmp_path / "x.opml", data)
    assert found.kind == "OPML 2.0"
    assert [(f.url, f.title, f.tags) for f in found.feeds] == [
        ("https://lwn.net/headlines/rss", "LWN", ("Tech", "Linux")),
        ("https://example.org/", "Top", ()),
    ]
    assert found.problems == [
        "outline 'Tech': duplicate of https://lwn.net/headlines/rss, skipped",
        "outline 'gopher': not an http(s) feed URL: 'gopher://old.example/'",
        "outline 'nothing': a feed without an xmlUrl, skipped",
    ]


def test_opml_with_entities_is_refused_not_expanded(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>'
    )
    found = parse_opml(tmp_path / "bomb.opml", bomb)
    assert found.feeds == []
    assert found.problems == ["refused: the file declares XML entities (unsafe, not read)"]
    assert parse_opml(tmp_path / "x", b"<opml><body>").problems[0].startswith("not well-formed")


def test_newsboat_urls_lines(tmp_path: Path) -> None:
    text = (
        'https://a.example/feed tag1 "tag two" "~My title"\n'
        "  # comment\n\n"
        "https://b.example/ !hidden tag1\n"
        '"query:Unread:unread = \\"yes\\"" q\n'
        "filter:~/f.sh:https://c.example/ x\n"
        'https://d.example/ "unclosed\n'
        "not-a-url tag\n"
        "https://a.example/feed\n"
    )
    found = parse_urls(tmp_path / "urls", text)
    assert [(f.url, f.title, f.tags, f.note is not None) for f in found.feeds] == [
        ("https://a.example/feed", "My title", ("tag1", "tag two"), False),
        ("https://b.example/", None, ("tag1",), True),
    ]
    assert found.views == [("line 5", "Unread", 'unread = "yes"')]
    assert found.skipped[0].startswith("line 6: filter: feeds are not supported")
    assert [p.split(":")[0] for p in found.problems] == ["line 7", "line 8", "line 9"]


def test_newsboat_files_dotdir_first_then_xdg(tmp_path: Path) -> None:
    xdg_config, xdg_data = tmp_path / "c" / "newsboat", tmp_path / "d" / "newsboat"
    xdg_config.mkdir(parents=True)
    xdg_data.mkdir(parents=True)
    (xdg_config / "urls").write_text("https://a.example/\n")
    (xdg_data / "cache.db").write_bytes(b"")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")}
    assert newsboat_files(env, tmp_path) == [xdg_config / "urls", xdg_data / "cache.db"]
    (tmp_path / ".newsboat").mkdir()
    (tmp_path / ".newsboat" / "urls").write_text("")
    assert newsboat_files(env, tmp_path) == [tmp_path / ".newsboat" / "urls"]


@pytest.mark.slow
def test_export_round_trips_through_import(home: Home) -> None:
    feeds = [
        {"url": "https://a.example/feed", "title": "A & <friends>", "tags": ["news", "tech"]},
        {"url": "https://b.example/rss", "tags": ["tech"]},
        {"url": "https://c.example/", "title": "Untagged"},
    ]
    home.write_config(feeds)
    done = home.run("export")
    assert done.returncode == 0, done.stderr
    opml = done.stdout
    assert opml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert opml.count('xmlUrl="https://a.example/feed"') == 2, "once in each of its folders"
    assert 'category="news,tech"' in opml
    exported = home.root / "out.opml"
    exported.write_text(opml)
    (home.root / "other").mkdir()
    other = Home(home.root / "other")
    other.write_config([])
    done = other.run("import", str(exported))
    assert done.returncode == 0, done.stderr
    back = load_config(other.config).feeds
    assert [(s.url, s.title, s.tags) for s in back] == [
        ("https://a.example/feed", "A & <friends>", ("news", "tech")),
        ("https://b.example/rss", None, ("tech",)),  # no title yet: the URL, not pinned
        ("https://c.example/", "Untagged", ()),
    ]


def test_opml_quirks_of_real_exports(tmp_path: Path) -> None:
    """Seen in other readers' test data: an unescaped '&' in a URL, newsboat's "|command"
    feeds, an XML file that is not OPML at all."""
    bare = (
        b'<?xml version="1.0"?><opml version="1.0"><body>'
        b'<outline text="q" xmlUrl="https://x.example/feed?a=1&b=2"/>'
        b'<outline text="cmd" xmlUrl="|~/bin/fetch.sh"/></body></opml>'
    )
    found = parse_opml(tmp_path / "a.opml", bare)
    assert [f.url for f in found.feeds] == ["https://x.example/feed?a=1&b=2"]
    assert found.problems == ["repaired: an '&' not written as '&amp;' (not valid XML)"]
    assert found.skipped == ["outline 'cmd': not a web feed (|~/bin/fetch.sh), not supported"]
    other = parse_opml(tmp_path / "b.xml", b'<?xml version="1.0"?><rss><channel/></rss>')
    assert other.problems == ["not an OPML document (no <opml> root)"]


@pytest.mark.slow
def test_import_newsboat_finds_its_files_in_the_home_directory(home: Home) -> None:
    dotdir = home.home / ".newsboat"
    dotdir.mkdir()
    (dotdir / "urls").write_text("https://a.example/feed news\n")
    build_cache(
        dotdir / "cache.db", [("https://a.example/feed", "g", "https://a.example/1", 0, "", 0)]
    )
    home.write_config([])
    done = home.run("import", "--newsboat")
    assert done.returncode == 0, done.stderr
    assert f"{dotdir / 'urls'}: newsboat urls, 1 feed" in done.stdout
    assert "Stored 1 new entry" in done.stdout
    assert [(s.url, s.tags) for s in load_config(home.config).feeds] == [
        ("https://a.example/feed", ("news",))
    ]
    (home.root / "empty-home").mkdir()
    done = home.run(
        "import",
        "--newsboat",
        env=home.env(
            HOME=str(home.root / "empty-home"),
            NEWSTUI_CONFIG=str(home.config),
            NEWSTUI_DATA_DIR=str(home.data_dir),
        ),
    )
    assert done.returncode == 1
    assert "no newsboat files found" in done.stderr


@pytest.mark.parametrize(
    ("newsboat", "newstui"),
    [
        ('unread = "yes"', "is:unread"),
        ('unread = "yes" and tags # "tech"', "is:unread tag:tech"),
        ('(tags # "a" or tags # "b") and flags # "s"', "(tag:a OR tag:b) is:bookmarked"),
        ('title =~ "rust" and age < 7', "title:rust newer:7d"),
        ('feedtitle =~ "Hacker News" and unread != "yes"', 'feed:"Hacker News" is:read'),
        ('tags !# "ads" and unread = "yes"', "-tag:ads is:unread"),
        ('tags !# "ads"', None),  # only an exclusion: newstui's queries need something to find
        ('title =~ "^Rust.*[0-9]"', None),  # a regular expression: no exact equivalent
        ('title = "Exactly"', None),  # equality is not a word match
        ('rssurl =~ "x"', None),
        ('unread = "yes" and', None),
    ],
)
def test_newsboat_queries_become_search_queries(newsboat: str, newstui: str | None) -> None:
    assert translate(newsboat) == newstui


@pytest.mark.slow
def test_query_feeds_become_saved_views_or_are_listed(home: Home) -> None:
    urls = home.root / "urls"
    urls.write_text(
        '"query:Fresh tech:unread = \\"yes\\" and tags # \\"tech\\""\n'
        '"query:Odd:title =~ \\"^a.*b$\\""\n'
    )
    home.write_config([])
    done = home.run("import", str(urls))
    assert done.returncode == 0, done.stderr
    assert "skipped: line 2: query feed 'Odd': no newstui query says the same" in done.stdout
    if "views" in TOP_LEVEL_KEYS:
        assert "added saved view 'Fresh tech': is:unread tag:tech" in done.stdout
        assert home.config.read_text().endswith(
            '\n[[views]]\nname = "Fresh tech"\nquery = "is:unread tag:tech"\n'
        )
    else:
        assert "query feed 'Fresh tech' (no saved views in this newstui)" in done.stdout


def test_filters_judge_imported_entries_as_they_judge_new_ones(home: Home) -> None:
    """A killfile in feeds.toml applies to what `newstui import` brings from newsboat's cache:
    on top of newsboat's own read and flagged state."""
    feed = "https://x.example/feed"
    cache = home.root / "cache.db"
    build_cache(
        cache,
        [
            (feed, "g1", "https://x.example/1", 1, "", 0),  # unread
            (feed, "g2", "https://x.example/2", 0, "s", 0),  # read, flagged
        ],
    )
    home.write_config([{"url": feed}])
    with home.config.open("a", encoding="utf-8") as file:
        file.write(
            '[[filters]]\nquery = "feed:x.example"\ntag = "imported"\n\n'
            '[[filters]]\nquery = "tag:imported is:unread"\naction = "hide"\n'
        )
    done = home.run("import", str(cache))
    assert done.returncode == 0, done.stderr
    with Store(home.db) as store:
        visible = [e.guid for e in store.entries()]
        assert visible == ["g2"], "the unread one is hidden by the second filter"
        [g2] = store.entries()
        assert g2.read and g2.bookmarked, "newsboat's state is kept"
        now = datetime.now(UTC)
        hidden = store.entries_by_id(store.search(parse_query("is:hidden tag:imported"), now=now))
        assert [e.guid for e in hidden] == ["g1"]
        assert store.filter_hits() == {
            f.key: n for f, n in zip(load_config(home.config).filters, (2, 1), strict=True)
        }
