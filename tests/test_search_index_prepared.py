"""A refresh's new entries are indexed from the columns their parse worker computed
(`FeedRows.index`), and what goes in is still exactly what the search view shows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newstui.core.models import FeedSpec
from newstui.core.rows import FeedRows
from newstui.feeds import parse_worker
from newstui.store import Store, _entries, _search_index
from tests.test_search import FEED, NOW, entry, found
from tests.test_search import save as save_parsed
from tests.test_search_index import consistent

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Example Journal</title><link>https://example.org/</link>
<item><guid isPermaLink="false">a</guid><title>Zeppelins “return” — Café news</title>
<dc:creator>Ana Müller</dc:creator><link>https://example.org/a</link>
<description>&lt;p&gt;Airships over &lt;b&gt;Zürich&lt;/b&gt; &amp;amp; the lake&lt;/p&gt;
</description>
</item>
<item><guid isPermaLink="false">b</guid><title>東京の天気</title><dc:creator>山田</dc:creator>
<link>https://example.org/b</link>
<description>&lt;p&gt;Python入門 晴れ&lt;/p&gt;</description></item>
<item><guid isPermaLink="false">c</guid><title>Plain headline</title><link>https://example.org/c</link>
<description>words of the third item</description></item>
</channel></rss>
"""


def parsed(body: str = RSS) -> FeedRows:
    """The rows exactly as a parse worker sends them."""
    return parse_worker.parse(FEED, body.encode(), {"content-type": "application/rss+xml"},
                              now=NOW)  # fmt: skip


def save(store: Store, rows: FeedRows) -> None:
    store.save_fetch(FEED, rows, now=NOW, etag=None, last_modified=None, body_hash=None,
                     next_due_at=NOW)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "newstui.db") as db:
        db.sync_feeds([FeedSpec(FEED, title="My Chronicle", tags=("tech",))], now=NOW)
        yield db


def test_new_entries_are_indexed_from_their_workers_columns(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = parsed()
    assert len(rows.index) == len(rows.rows) == 3

    def recomputed(*args: object) -> tuple[str, ...]:
        raise AssertionError("the writer computed an entry's index columns itself")

    monkeypatch.setattr(_search_index, "index_row", recomputed)
    save(store, rows)
    store.index_pending()
    monkeypatch.undo()  # FTS5's check below reads the view, which computes them
    assert found(store, "zurich airships") == ["a"]
    assert found(store, "author:muller") == ["a"]
    assert found(store, "東京") == ["b"] and found(store, "python") == ["b"]
    assert found(store, "tag:tech chronicle third") == ["c"]
    assert consistent(store)


def test_columns_that_no_longer_match_the_entry_are_not_used(store: Store) -> None:
    """Prepared columns are used only for the stored values they were computed from."""
    rows = parsed()
    decoy = ("decoy",) * 5
    save(store, dataclasses.replace(rows, index=(rows.index[0], decoy, decoy)))
    # Before the index catches up: a new version of b, and a reader-mode page for c.
    store.save_fetch(FEED, parsed(RSS.replace("晴れ", "雨です")), now=NOW, etag=None,
                     last_modified=None, body_hash=None, next_due_at=NOW)  # fmt: skip
    c = next(e for e in store.entries() if e.guid == "c")
    store.save_full_text(c.id, "https://example.org/c", html="<p>page about blimps</p>",
                         error=None, now=NOW)  # fmt: skip
    store.index_pending()
    assert found(store, "雨です") == ["b"] and found(store, "晴れ") == []
    assert found(store, "blimps") == ["c"]
    assert found(store, "decoy") == []
    assert consistent(store)


def test_a_batch_mixes_prepared_and_computed_rows(store: Store) -> None:
    other = "https://example.org/other.xml"
    store.sync_feeds([FeedSpec(FEED, title="My Chronicle", tags=("tech",)), FeedSpec(other)],
                     now=NOW)  # fmt: skip
    save(store, parsed())
    save_parsed(store, entry("d", "Computed headline", "from a ParsedFeed"), url=other)
    save(store, parsed(RSS.replace(">c</guid>", ">e</guid>")))
    store.index_pending()
    assert found(store, "computed") == ["d"]
    assert sorted(found(store, "third")) == ["c", "e"]
    assert consistent(store)


def test_held_columns_are_capped_and_released_once_indexed(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store holds workers' columns only until `index_pending`, and at most PREPARED_MAX
    entries' worth (the rest are indexed from the stored values): a refresh's memory stays
    bounded however many entries it writes between index batches."""
    monkeypatch.setattr(_entries, "PREPARED_MAX", 4)
    save(store, parsed())
    assert len(store._prepared) == 3
    save(store, parsed(RSS.replace('isPermaLink="false">', 'isPermaLink="false">x')))
    assert len(store._prepared) == 3  # 3 more would pass the cap: not kept
    store.index_pending()
    assert store._prepared == {}
    assert sorted(found(store, "zurich airships")) == ["a", "xa"]
    assert consistent(store)
    # Indexed by another connection (a search in the reader): released on the next call.
    save(store, parsed(RSS.replace('isPermaLink="false">', 'isPermaLink="false">y')))
    with Store(tmp_path / "newstui.db") as other:
        other.index_pending()
    assert store._prepared and store.index_pending() == 0
    assert store._prepared == {}
