"""Search skips bm25 when every word it could rank by is in at least half the entries (bm25
gives such a word no weight): the same order, pinned here, and the counts behind that choice
follow every change to the index (newstui/store/_search_rank.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.core.query import parse_query
from newstui.store import Store
from newstui.store._search_rank import row_count
from newstui.store.search import compile_query, search_ids

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FEED = "https://example.org/feed.xml"
OTHER = "https://other.example/atom.xml"


def entry(guid: str, title: str, body: str, days_old: int) -> ParsedEntry:
    return ParsedEntry(
        guid=guid,
        title=title,
        link=f"https://example.org/{guid}",
        published_at=NOW - timedelta(days=days_old),
        content_html=f"<p>{body}</p>",
    )


def save(store: Store, *entries: ParsedEntry, url: str = FEED) -> None:
    store.save_fetch(url, ParsedFeed(format="rss20", title="Example Journal", entries=entries),
                     now=NOW, etag=None, last_modified=None, body_hash=None,
                     next_due_at=NOW)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "newstui.db") as db:
        db.sync_feeds([FeedSpec(FEED, tags=("python",)), FeedSpec(OTHER)], now=NOW)
        yield db


def found(store: Store, query: str) -> list[str]:
    ids = store.search(parse_query(query), now=NOW)
    return [e.guid for e in store.entries_by_id(ids)]


def bm25_order(store: Store, query: str) -> list[str]:
    """The order with bm25 always run (no phrase counts): what search returned before."""
    plan = compile_query(parse_query(query), now=NOW)
    store.index_pending()
    with store._read() as db:
        ids = search_ids(db, plan, limit=50)
    return [e.guid for e in store.entries_by_id(ids)]


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        store._db.set_trace_callback(None)


# Five of ten entries hold "zeppelin": bm25's IDF for it is log(5.5 / 5.5) = 0, the floor.
# "title" is the oldest, with the word in its title: the first result whenever bm25 weighs it.
WITH_WORD = (
    entry("title", "Zeppelin returns", "an airship story", days_old=30),
    *(entry(f"b{i}", f"Weekly notes {i}", "a post that mentions zeppelin once", i) for i in (1, 2)),
    *(entry(f"b{i}", f"Weekly notes {i}", "a post that mentions zeppelin once", i) for i in (3, 4)),
)
FILLER = tuple(entry(f"f{i}", f"Other story {i}", "about something else", 50) for i in range(5))
RECENCY = ["b1", "b2", "b3", "b4", "title"]


def test_a_word_in_half_the_entries_ranks_by_recency_without_bm25(store: Store) -> None:
    save(store, *WITH_WORD, *FILLER)
    assert bm25_order(store, "zeppelin") == RECENCY  # bm25 gives the word no weight
    with statements(store) as seen:
        assert found(store, "zeppelin") == RECENCY
        assert found(store, "tag:python zeppelin") == RECENCY  # tags score nothing either
        assert found(store, "zeppelin -something") == RECENCY
    ranked = [sql for sql in seen if "search MATCH" in sql and "rank" in sql]
    assert len(ranked) == 3 and not any("bm25(" in sql for sql in ranked)
    # A word in fewer entries is ranked by bm25: the title match first.
    save(store, entry("x", "Airship museum", "a zeppelin hangar", 0), url=OTHER)
    with statements(store) as seen:
        assert found(store, "airship") == ["x", "title"]
    assert any("bm25(" in sql for sql in seen)


def test_the_choice_follows_entries_added_and_changed(store: Store) -> None:
    save(store, *WITH_WORD, *FILLER)
    assert found(store, "zeppelin") == RECENCY
    # One entry loses the word (its row is taken out and put back): 4 of 10, bm25 again.
    save(store, *WITH_WORD[:4], entry("b4", "Weekly notes 4", "no airship today", 4), *FILLER)
    assert found(store, "zeppelin") == bm25_order(store, "zeppelin") == ["title", "b1", "b2", "b3"]
    # Back to 5 of 10, then entries without the word outnumber it: 5 of 11.
    save(store, *WITH_WORD, *FILLER)
    assert found(store, "zeppelin") == RECENCY
    save(store, entry("late", "Another story", "nothing here", 0), url=OTHER)
    assert found(store, "zeppelin") == bm25_order(store, "zeppelin") == ["title", *RECENCY[:4]]
    # Deleting an entry without the word brings it back to half: 5 of 10.
    with store._write() as db:
        db.execute("DELETE FROM entries WHERE guid = 'late'")
    assert found(store, "zeppelin") == bm25_order(store, "zeppelin") == RECENCY


def test_the_row_count_is_the_index_s(store: Store) -> None:
    save(store, *WITH_WORD, *FILLER)
    store.index_pending()
    with store._read() as db:
        assert row_count(db) == 10
        assert db.execute("SELECT inserted FROM search_state").fetchone()[0] == 10
    with store._write() as db:
        db.execute("DELETE FROM entries WHERE guid LIKE 'f%'")
    with store._read() as db:
        assert row_count(db) == 5


def test_entries_of_feeds_left_out_of_feeds_toml_are_never_found(store: Store) -> None:
    save(store, entry("a", "Harbour news", "boats", 1))
    save(store, entry("b", "Harbour news", "boats", 2), url=OTHER)
    assert found(store, "harbour") == ["a", "b"]
    store.sync_feeds([FeedSpec(FEED, tags=("python",))], now=NOW)
    assert found(store, "harbour") == ["a"]
    assert found(store, "boats -nothing") == ["a"]
    assert [e.guid for e in store.entries_by_id(store.query_ids(parse_query("harbour"),
                                                                 now=NOW))] == ["a"]  # fmt: skip
    store.sync_feeds([FeedSpec(FEED, tags=("python",)), FeedSpec(OTHER)], now=NOW)
    assert found(store, "harbour") == ["a", "b"]


def test_feed_tags_follow_feeds_toml(store: Store) -> None:
    save(store, entry("a", "Harbour news", "boats", 1))
    save(store, entry("b", "Harbour news", "boats", 2), url=OTHER)
    assert found(store, "tag:PYTHON harbour") == ["a"]
    store.sync_feeds([FeedSpec(FEED, tags=("rust",)), FeedSpec(OTHER, tags=("Python",))], now=NOW)
    assert found(store, "tag:python harbour") == ["b"]
    assert found(store, "tag:rust harbour") == ["a"]
    assert found(store, "tag:rust") == ["a"]
