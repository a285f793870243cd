"""`newstui search` and `newstui filter` as a script sees them: exit codes, lines, JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store

FEED = "https://example.org/feed.xml"
NOW = datetime.now(UTC)
CONFIG = f"""\
[[feeds]]
url = "{FEED}"
title = "Example Café"

[[filters]]
query = "crypto"
action = "mark-read"
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "feeds.toml").write_text(CONFIG, "utf-8")
    entries = [
        ("Rust async runtimes compared", "Tokio and smol. " * 20 + "The async story improves."),
        ("Crypto winter", "Prices fall"),
        ("東京の天気", "今日は晴れです"),
    ]
    with Store(tmp_path / "newstui.db") as store:
        store.sync_feeds([FeedSpec(FEED, title="Example Café")], now=NOW)
        parsed = [
            ParsedEntry(f"g{i}", title, link=f"https://example.org/{i}",
                        published_at=NOW - timedelta(days=i), content_html=f"<p>{body}</p>")
            for i, (title, body) in enumerate(entries)
        ]  # fmt: skip
        feed = ParsedFeed("rss20", "X", entries=tuple(parsed))
        store.save_fetch(
            FEED, feed, now=NOW, etag=None, last_modified=None, body_hash=None, next_due_at=NOW
        )
    return tmp_path


def run(home: Path, *args: str) -> int:
    return main(["--config", str(home / "feeds.toml"), "--data-dir", str(home), *args])


def test_search_prints_ranked_results_with_marked_matches(home: Path, capsys) -> None:
    assert run(home, "search", "async") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("  1. ●  Rust «async» runtimes compared  Example Café · ")
    assert lines[1].strip().startswith("…") and "The «async» story improves." in lines[1]
    assert lines[2].strip() == "https://example.org/0"
    assert len(lines) == 3


def test_search_cjk_and_no_results(home: Path, capsys) -> None:
    assert run(home, "search", "天気") == 0
    assert "東京の«天気»" in capsys.readouterr().out
    assert run(home, "search", "zeppelin") == 0
    assert capsys.readouterr().out == "No entries match.\n"


def test_search_json_is_a_stable_document(home: Path, capsys) -> None:
    assert run(home, "search", "--json", "--limit", "1", "async OR crypto") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == 1 and document["query"] == "async OR crypto"
    [result] = document["results"]
    assert set(result) == {
        "rank", "id", "title", "title_matches", "feed", "feed_url", "date", "unread",
        "bookmarked", "link", "enclosures", "snippet", "snippet_matches",
    }  # fmt: skip
    assert result["title"][slice(*result["title_matches"][0])] == "Crypto"  # a title match first


def test_bad_query_is_one_line_and_exit_2(home: Path, capsys) -> None:
    assert run(home, "search", 'rust "async') == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == 'newstui: search: bad query: column 6: unclosed quote (at: "async)\n'
    assert run(home, "search", "+++") == 2
    assert "nothing to search for" in capsys.readouterr().err


def test_filter_apply_with_dry_run(home: Path, capsys) -> None:
    assert run(home, "filter", "--apply", "--dry-run") == 0
    assert "crypto → mark-read: caught 0 new entries; in the store: 1 match, would change 1" in (
        capsys.readouterr().out
    )
    with Store(home / "newstui.db") as store:
        assert store.feeds()[0].unread == 3
    assert run(home, "filter", "--apply") == 0
    assert "changed 1" in capsys.readouterr().out
    with Store(home / "newstui.db") as store:
        assert store.feeds()[0].unread == 2
