"""Full-text search on a real SQLite store: what a query finds, in which order, and that the index
follows every change a refresh, reader mode or pruning makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newstui.core.config_search import Filter
from newstui.core.models import Enclosure, FeedSpec, ParsedEntry, ParsedFeed
from newstui.core.query import QueryError, parse_query
from newstui.store import Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FEED = "https://example.org/feed.xml"
OTHER = "https://other.example/atom.xml"


def entry(guid: str, title: str, body: str = "", days_old: int = 0, **extra: object):
    return ParsedEntry(
        guid=guid,
        title=title,
        link=f"https://example.org/{guid}",
        published_at=NOW - timedelta(days=days_old),
        content_html=f"<p>{body}</p>" if body else None,
        **extra,  # type: ignore[arg-type]
    )


def save(store: Store, *entries: ParsedEntry, url: str = FEED, title: str = "Example Journal",
         filters: tuple[Filter, ...] = ()) -> tuple[int, int]:  # fmt: skip
    return store.save_fetch(
        url,
        ParsedFeed(format="rss20", title=title, entries=entries),
        now=NOW,
        etag=None,
        last_modified=None,
        body_hash=None,
        next_due_at=NOW,
        filters=filters,
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "newstui.db") as db:
        db.sync_feeds([FeedSpec(FEED, tags=("tech",)), FeedSpec(OTHER, title="Other")], now=NOW)
        yield db


def found(store: Store, query: str, limit: int = 50) -> list[str]:
    ids = store.search(parse_query(query), now=NOW, limit=limit)
    return [e.guid for e in store.entries_by_id(ids)]


FILLER = tuple(entry(f"f{i}", f"Unrelated story {i}", "about something else") for i in range(8))
"""bm25 rates a word found in most entries as worthless: real stores have many entries."""


def test_title_match_outranks_body_match(store: Store) -> None:
    save(
        store,
        *FILLER,
        entry("body", "Weekly notes", "a long post that mentions tokio once among many words"),
        entry("title", "Tokio 2.0 released", "the runtime has a new scheduler", days_old=30),
    )
    assert found(store, "tokio") == ["title", "body"]


def test_recent_entry_outranks_old_one_at_equal_relevance(store: Store) -> None:
    save(
        store,
        *FILLER,
        entry("old", "Ferry timetable", "boats", days_old=10),
        entry("new", "Ferry timetable", "boats", days_old=1),
        entry("mid", "Ferry timetable", "boats", days_old=5),
    )
    assert found(store, "ferry") == ["new", "mid", "old"]


def test_case_and_diacritics_fold(store: Store) -> None:
    save(store, entry("a", "Café culture in Zürich"), entry("b", "NAÏVE Bayes explained"))
    assert found(store, "cafe") == ["a"]
    assert found(store, "ZURICH") == ["a"]
    assert found(store, "naive") == ["b"]
    assert found(store, "Café") == ["a"]


def test_no_stemming_but_prefixes(store: Store) -> None:
    save(store, entry("a", "Learning Rust"), entry("b", "Learned helplessness"))
    assert found(store, "learn") == []
    assert sorted(found(store, "learn*")) == ["a", "b"]


def test_cjk_substrings_of_every_length(store: Store) -> None:
    save(
        store,
        entry("ja", "今日は東京へ行きます", "新しい駅ができました"),
        entry("zh", "北京大学的研究", "人工智能的发展"),
        entry("ko", "서울 날씨", "오늘은 맑음"),
        entry("mix", "Python入門 for beginners"),
    )
    assert found(store, "東京") == ["ja"]  # two characters: a word trigram search would miss
    assert sorted(found(store, "京")) == ["ja", "zh"]  # one character
    assert found(store, "北京大学") == ["zh"]  # longer: the phrase of its bigrams
    assert found(store, "智能") == ["zh"]  # in the body
    assert found(store, "京大") == ["zh"]  # a substring across word boundaries
    assert found(store, "東京大") == []  # bigrams present, but not in sequence
    assert found(store, "날씨") == ["ko"]
    assert found(store, "python") == ["mix"]
    assert found(store, "入門") == ["mix"]
    assert found(store, "title:駅") == []
    assert found(store, "駅") == ["ja"]


def test_operators(store: Store) -> None:
    save(
        store,
        entry("a", "Rust async runtimes", "tokio and smol"),
        entry("b", "Go concurrency", "goroutines and channels"),
        entry("c", "Async Python", "asyncio in depth"),
        entry("d", "The exact phrase here", "nothing else"),
    )
    assert found(store, "async rust") == ["a"]
    assert sorted(found(store, "async -rust")) == ["c"]
    assert sorted(found(store, "rust OR go")) == ["a", "b"]
    assert found(store, '"exact phrase"') == ["d"]
    assert found(store, '"phrase exact"') == []
    assert found(store, "title:tokio") == []
    assert found(store, "tokio") == ["a"]
    assert sorted(found(store, "(rust OR python) async")) == ["a", "c"]
    assert sorted(found(store, "async* -title:python")) == ["a"]


def test_field_and_state_filters(store: Store) -> None:
    save(
        store,
        entry("pod", "Episode 12", enclosures=(Enclosure("https://example.org/12.mp3"),)),
        entry("old", "Old news", days_old=40, author="Ada Lovelace"),
        entry("new", "New news", days_old=2),
    )
    save(store, entry("other", "Other news"), url=OTHER, title="Ignored")
    by_guid = {e.guid: e.id for e in store.entries()}
    store.set_read([by_guid["new"]], True, now=NOW)
    store.set_bookmarked([by_guid["old"]], True, now=NOW)

    assert found(store, "has:enclosure") == ["pod"]
    assert found(store, "news is:read") == ["new"]
    assert sorted(found(store, "news is:unread")) == ["old", "other"]
    assert found(store, "is:bookmarked") == ["old"]
    assert found(store, 'author:"ada lovelace"') == ["old"]
    assert sorted(found(store, "news newer:7d")) == ["new", "other"]
    assert found(store, "news before:2026-02-01") == ["old"]
    assert sorted(found(store, "news after:2026-02-01")) == ["new", "other"]
    assert found(store, "news feed:other") == ["other"]  # the user's title
    assert sorted(found(store, "feed:example.org")) == ["new", "old", "pod"]  # the URL
    assert sorted(found(store, "tag:TECH news")) == ["new", "old"]
    assert found(store, "news -tag:tech") == ["other"]


def test_feed_title_is_searchable_and_follows_renames(store: Store) -> None:
    save(store, entry("a", "Something"), title="Example Journal")
    assert found(store, "example") == ["a"]
    save(store, entry("a", "Something"), title="Renamed Gazette")
    assert found(store, "gazette") == ["a"]
    assert found(store, "example") == []
    store.sync_feeds([FeedSpec(FEED, title="My Chronicle")], now=NOW)
    assert found(store, "chronicle") == ["a"]


def test_index_follows_updates_pruning_and_full_text(store: Store) -> None:
    save(store, entry("a", "Original headline", "first words"), entry("b", "Stays", days_old=400))
    [a] = store.entries_by_id(store.search(parse_query("original"), now=NOW))
    store.save_full_text(a.id, a.link or "", html="<p>The whole page: zeppelins</p>", error=None,
                         now=NOW)  # fmt: skip
    assert found(store, "zeppelins") == ["a"]

    save(store, entry("a", "Corrected headline", "second words"), entry("b", "Stays", days_old=400))
    assert found(store, "original") == []
    assert found(store, "corrected second") == ["a"]
    assert found(store, "zeppelins") == ["a"]  # the page text survives the update

    store.set_read([e.id for e in store.entries()], True, now=NOW)
    save(store, entry("a", "Corrected headline", "second words"))  # b leaves the feed
    assert store.prune(NOW - timedelta(days=100)) == 1
    assert found(store, "stays") == []


def test_hidden_entries_leave_views_but_not_search(store: Store) -> None:
    spam = Filter("sponsored", "hide", parse_query("sponsored"))
    save(store, entry("ad", "Sponsored: buy now"), entry("ok", "Real news"), filters=(spam,))
    assert [e.guid for e in store.entries()] == ["ok"]
    assert store.feeds()[0].unread == 1
    assert found(store, "sponsored") == []
    assert found(store, "sponsored is:hidden") == ["ad"]


def test_filters_apply_in_order_to_new_entries_and_are_counted(store: Store) -> None:
    filters = (
        Filter("title:rust", "tag", parse_query("title:rust"), "rusty"),
        Filter("tag:rusty", "bookmark", parse_query("tag:rusty")),  # sees the tag just given
        Filter("crypto", "mark-read", parse_query("crypto")),
    )
    save(store, entry("r", "Rust 2.0"), entry("c", "Crypto winter"), entry("x", "Other"),
         filters=filters)  # fmt: skip
    by_guid = {e.guid: e for e in store.entries()}
    assert by_guid["r"].bookmarked and not by_guid["r"].read
    assert by_guid["c"].read and not by_guid["c"].bookmarked
    assert not by_guid["x"].read and not by_guid["x"].bookmarked
    assert found(store, "tag:rusty") == ["r"]
    assert store.filter_hits() == {f.key: 1 for f in filters}

    # Old entries are not touched again; a new one is, and counted.
    store.set_bookmarked([by_guid["r"].id], False, now=NOW)
    save(store, entry("r", "Rust 2.0"), entry("r2", "Rust 2.1"), filters=filters)
    assert not store.entry(by_guid["r"].id).bookmarked  # type: ignore[union-attr]
    assert store.filter_hits()[filters[0].key] == 2


def test_apply_filters_to_the_store_with_a_dry_run(store: Store) -> None:
    save(store, entry("c1", "Crypto one"), entry("c2", "Crypto two"), entry("x", "Other"))
    mark = (Filter("crypto", "mark-read", parse_query("crypto")),)
    assert store.apply_filters(mark, now=NOW, dry_run=True) == [(2, 2)]
    assert store.feeds()[0].unread == 3
    assert store.apply_filters(mark, now=NOW) == [(2, 2)]
    assert store.feeds()[0].unread == 1
    assert store.apply_filters(mark, now=NOW) == [(2, 0)]


def test_views_counts_and_ids(store: Store) -> None:
    save(store, entry("a", "Rust one", days_old=2), entry("b", "Rust two", days_old=1))
    store.set_read([store.entries()[0].id], True, now=NOW)  # b, the newest
    node = parse_query("rust")
    assert [e.guid for e in store.entries_by_id(store.query_ids(node, now=NOW))] == ["b", "a"]
    ids = {e.guid: e.id for e in store.entries()}
    assert store.matching_ids([node, parse_query("is:read")], now=NOW) == [
        {ids["a"], ids["b"]},
        {ids["b"]},
    ]
    assert store.matching_ids([node], now=NOW, after_id=ids["a"]) == [{ids["b"]}]
    assert store.visible_unread_ids() == {ids["a"]}


def test_snippet_source_and_unsearchable_terms(store: Store) -> None:
    save(store, entry("a", "Title", "Body <b>bold</b> text &amp; more"))
    [a] = store.entries()
    assert store.search_texts([a.id]) == {a.id: "Body bold text & more"}
    with pytest.raises(QueryError, match="nothing to search for"):
        store.search(parse_query("+++"), now=NOW)


def test_query_text_cannot_inject_fts_syntax(store: Store) -> None:
    save(store, entry("a", 'He said "NEAR" OR title: *'))
    assert found(store, '"NEAR"') == ["a"]
    assert found(store, "NEAR(a b)") == []
    assert found(store, "said^") == ["a"]


AGREEMENT = [
    "cafe", "learn*", '"exact phrase"', "東京", "京", "北京大学", "title:rust", "author:ada",
    "feed:journal", "rust -async", "rust OR go", "has:enclosure", "newer:7d", "is:unread",
    "python", "入門", "title:rust*", '"rust async"', "tag:tech", "zürich before:2026-02-20",
]  # fmt: skip


def test_filters_at_ingestion_agree_with_the_index(store: Store) -> None:
    """New entries are filtered in Python (before the index has them); `filter --apply` and
    search use FTS5: both must find the same entries."""
    filters = tuple(Filter(q, "tag", parse_query(q), f"agree{i}") for i, q in enumerate(AGREEMENT))
    save(
        store,
        *FILLER,
        entry("a", "Café culture, exact phrase", "rust async in zürich", days_old=20),
        entry("b", "Rust: learning it", "the phrase exact", author="Ada Lovelace", days_old=3),
        entry("c", "今日は東京へ", "北京大学の研究", enclosures=(Enclosure("https://x/1.mp3"),)),
        entry("d", "Python入門", "go or rust", days_old=30),
        entry("e", "Rustacean news", "learned things"),
        filters=filters,
    )
    for index, query in enumerate(AGREEMENT):
        tagged = set(found(store, f"tag:agree{index}"))
        assert tagged == set(found(store, query)), query
