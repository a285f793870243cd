"""The search index (schema v9): FTS5 over the stored text without a copy of its own, kept
consistent by triggers through every change (refresh updates, reader mode, renames, tags,
filters, pruning), and tags found by the index itself. Real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from newstui.core.config_search import Filter, SavedView
from newstui.core.models import FeedSpec
from newstui.core.query import parse_query
from newstui.core.searchtext import CJK_RUN
from newstui.store import Store, schema
from newstui.store._search_index import register
from newstui.store.view_queries import ViewQueries
from tests.test_search import FEED, NOW, OTHER, entry, found, save


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "newstui.db") as db:
        db.sync_feeds([FeedSpec(FEED, tags=("tech",)), FeedSpec(OTHER, title="Other")], now=NOW)
        yield db


def consistent(store: Store) -> bool:
    """FTS5's own check of the index against what the view shows for every entry now: it
    fails when a row was taken out (or left in) with other words than it was put in with."""
    store.index_pending()
    raw = sqlite3.connect(store.path)
    register(raw)
    try:
        raw.execute("INSERT INTO search (search, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    finally:
        raw.close()
    return True


def test_the_index_keeps_no_copy_of_the_text(store: Store) -> None:
    save(store, entry("a", "Zeppelin news", "airships over the lake"))
    raw = sqlite3.connect(store.path)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert "search_content" not in tables and "search_data" in tables
    assert found(store, "airships") == ["a"]
    [a] = store.entries()
    assert store.search_texts([a.id]) == {a.id: "airships over the lake"}  # read from the view


def test_every_change_keeps_the_index_consistent(store: Store) -> None:
    save(store, entry("a", "Original headline", "first words"), entry("b", "Old", days_old=400),
         entry("c", "東京の天気", "晴れ"))  # fmt: skip
    store.index_pending()
    assert consistent(store)
    a = next(e for e in store.entries() if e.guid == "a")

    save(store, entry("a", "Corrected headline", "second words"), entry("b", "Old", days_old=400))
    assert found(store, "original") == [] and found(store, "first") == []
    assert found(store, "corrected second") == ["a"]
    assert consistent(store)

    store.save_full_text(a.id, "https://example.org/a", html="<p>page one zeppelins</p>",
                         error=None, now=NOW)  # fmt: skip
    assert found(store, "zeppelins") == ["a"] and consistent(store)
    store.save_full_text(a.id, "https://example.org/a", html="<p>page two blimps</p>",
                         error=None, now=NOW)  # fmt: skip
    assert found(store, "zeppelins") == [] and found(store, "blimps") == ["a"]
    store.save_full_text(a.id, "https://example.org/a", html=None, error="gone", now=NOW)
    assert found(store, "blimps") == [] and consistent(store)

    # The feed's own title changes on a fetch, the user's in feeds.toml; and its tags.
    save(store, entry("a", "Corrected headline", "second words"), title="Renamed Gazette")
    assert found(store, "gazette corrected") == ["a"] and found(store, "journal") == []
    store.sync_feeds([FeedSpec(FEED, title="My Chronicle", tags=("science",)),
                      FeedSpec(OTHER, title="Other")], now=NOW)  # fmt: skip
    assert found(store, "chronicle corrected") == ["a"] and found(store, "gazette") == []
    assert found(store, "tag:science corrected") == ["a"]
    assert found(store, "tag:tech headline") == []
    assert consistent(store)

    # A filter tags stored entries; pruning deletes one (b left the feed above).
    tag = Filter("corrected", "tag", parse_query("corrected"), "fixed")
    assert store.apply_filters((tag,), now=NOW) == [(1, 1)]
    assert found(store, "tag:fixed headline") == ["a"]
    store.set_read([e.id for e in store.entries()], True, now=NOW)
    assert store.prune(NOW - timedelta(days=100)) == 1
    assert found(store, "old") == []
    assert consistent(store)


def test_changes_before_indexing_are_indexed_once(store: Store) -> None:
    """An entry rewritten before the index caught up is not taken out (it is not in yet)."""
    save(store, entry("a", "First take", "draft"))
    save(store, entry("a", "Second take", "final"))
    assert found(store, "first") == [] and found(store, "second final") == ["a"]
    assert consistent(store)


def test_a_tag_narrows_inside_the_index_but_stays_exact(store: Store) -> None:
    specs = [FeedSpec(FEED, tags=("open-source",)), FeedSpec(OTHER, tags=("open source",))]
    store.sync_feeds(specs, now=NOW)
    save(store, entry("a", "Compiler news"))
    save(store, entry("b", "Compiler news"), url=OTHER)
    save(store, entry("c", "Python tag is only a word here"), url=OTHER)
    # Both tags share one index token; the exact test tells them apart.
    assert found(store, "tag:open-source compiler") == ["a"]
    assert found(store, "tag:OPEN-SOURCE compiler") == ["a"]
    assert found(store, '"tag:open source" compiler') == []  # a phrase, not a tag
    assert sorted(found(store, "compiler")) == ["a", "b"]
    assert found(store, "tag:python word") == []  # a body word is no tag
    # Tags alone are looked up in the index too, newest first, still exact.
    assert found(store, "tag:open-source") == ["a"]
    assert sorted(found(store, 'tag:"open source"')) == ["b", "c"]
    assert found(store, "tag:open source") == []  # the tag `open`, and a word
    assert found(store, "tag:python") == []
    assert found(store, "python") == ["c"]


def test_upgrade_from_v8_rebuilds_the_index_without_its_text_copy(tmp_path: Path) -> None:
    path = tmp_path / "v8.db"
    raw = sqlite3.connect(path, isolation_level=None)
    schema.migrate(raw, target=8)
    raw.execute("INSERT INTO feeds (url, title, tags, added_at) VALUES (?, 'Gazette', ?, 0)",
                (FEED, '["tech"]'))  # fmt: skip
    raw.executemany(
        "INSERT INTO entries (feed_url, guid, title, content_html, content_hash, first_seen_at,"
        " sort_at) VALUES (?, ?, ?, ?, 'h', 0, ?)",
        [(FEED, "a", "Café society", "<p>words about zürich</p>", 2), (FEED, "b", "Other", "", 1)],
    )
    # As v8 indexed them: FTS5 with its own copy of the text.
    raw.execute("INSERT INTO search (rowid, title, feed, body) SELECT id, title, 'Gazette',"
                " content_html FROM entries")  # fmt: skip
    raw.execute("UPDATE search_state SET indexed_upto = (SELECT max(id) FROM entries)")
    assert "search_content" in {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()

    progress: list[tuple[int, int]] = []
    with Store(path, progress=lambda done, total: progress.append((done, total))) as store:
        assert progress[-1] == (2, 2)
        assert found(store, "cafe zurich") == ["a"]
        assert found(store, "tag:tech other") == ["b"]
        assert consistent(store)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert "search_content" not in {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()


def test_saved_view_counts_follow_every_change_between_full_counts(store: Store) -> None:
    """A reload counts only what changed since the last one; it must agree with a full count
    after new entries, read marks, a filter hiding one, and a feed leaving feeds.toml."""
    views = [SavedView(q, q, parse_query(q)) for q in ("rust", "tag:tech", "is:bookmarked")]
    kept = ViewQueries(store, show_read=False, views=views, clock=lambda: NOW)

    def check() -> dict[str, int]:
        store.index_pending()
        full = ViewQueries(store, show_read=False, views=views, clock=lambda: NOW)
        counts = kept.saved_counts()
        assert counts == full.saved_counts()
        return counts

    save(store, entry("a", "Rust one"), entry("b", "Rust two"))
    assert check() == {"rust": 2, "tag:tech": 2, "is:bookmarked": 0}
    save(store, entry("c", "Rust three"), entry("d", "Other news"))  # new entries only
    assert check() == {"rust": 3, "tag:tech": 4, "is:bookmarked": 0}
    ids = {e.guid: e.id for e in store.entries()}
    store.set_read([ids["a"]], True, now=NOW)
    store.set_bookmarked([ids["b"]], True, now=NOW)
    assert check() == {"rust": 2, "tag:tech": 3, "is:bookmarked": 1}
    save(store, entry("e", "Rust four"), url=OTHER)
    store.apply_filters((Filter("four", "hide", parse_query("four")),), now=NOW)
    assert check() == {"rust": 2, "tag:tech": 3, "is:bookmarked": 1}
    store.sync_feeds([FeedSpec(OTHER)], now=NOW)  # FEED leaves feeds.toml: hidden
    save(store, entry("f", "Rust five"), url=OTHER)
    assert check() == {"rust": 1, "tag:tech": 0, "is:bookmarked": 0}


@pytest.mark.parametrize(
    "title, body",
    [
        ("Plain ASCII", "<p>nothing special</p>"),
        ("Café “naïve” — 10 €", "<p>Zürich &amp; Malmö…</p>"),  # cp1252: no CJK possible
        ("“東京” — news", "<p>café 東京都の天気 “quoted”</p>"),  # CJK among cp1252 punctuation
        ("Ελλάδα", "<p>Ωμέγα Прага</p>"),  # not cp1252, not CJK
        ("서울 café", "<p>Python入門 \u2019s</p>"),
    ],
)
def test_a_batch_indexes_exactly_what_the_view_shows(store: Store, title: str, body: str) -> None:
    # index_pending computes a row in one pass (index_row); a delete reads the view
    # (index_value): if they ever differed, deleting or changing the entry would corrupt the
    # index, and CJK missed by a fast path would not be found by its bigrams.
    save(store, entry("a", title, body))
    assert consistent(store)
    raw = sqlite3.connect(store.path)
    register(raw)
    try:
        view = raw.execute("SELECT * FROM search_source").fetchone()[1:]
    finally:
        raw.close()
    assert bool(view[5] or view[6]) == bool(CJK_RUN.search(title + body))
    save(store, entry("a", title + " updated", "<p>new words</p>"))  # out with the old values
    assert consistent(store)
    assert found(store, "updated") == ["a"]
