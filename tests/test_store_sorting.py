"""Where entries sort in the lists: undated and re-dated entries do not jump to the top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
DATED = "https://dated.example/feed"
UNDATED = "https://undated.example/feed"


def fetch(store: Store, url: str, entries: list[ParsedEntry], now: datetime) -> None:
    store.save_fetch(
        url, ParsedFeed("rss20", title=url, entries=tuple(entries)), now=now, etag=None,
        last_modified=None, body_hash=None, next_due_at=now,
    )  # fmt: skip


def titles(store: Store) -> list[str]:
    return [e.title for e in store.entries()]


def test_undated_entries_keep_feed_order_and_place_across_refreshes(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.sync_feeds([FeedSpec(DATED), FeedSpec(UNDATED)], now=NOW)
        undated = [ParsedEntry(guid=f"u{i}", title=f"undated {i}") for i in range(3)]
        fetch(store, UNDATED, undated, NOW)
        later = NOW + timedelta(hours=2)
        fetch(store, DATED, [ParsedEntry(guid="d", title="dated", published_at=later)], later)
        assert titles(store) == ["dated", "undated 0", "undated 1", "undated 2"]
        # The next refresh: the undated items' text changed (a comment count, say), and the
        # dated feed stamps its item with the build time. Nobody moves to the top.
        edited = [ParsedEntry(guid=f"u{i}", title=f"undated {i}", summary_html="<p>3 comments</p>")
                  for i in range(3)]  # fmt: skip
        fetch(store, UNDATED, edited, NOW + timedelta(hours=3))
        restamped = ParsedEntry(guid="d", title="dated", published_at=NOW + timedelta(hours=4))
        fetch(store, DATED, [restamped], NOW + timedelta(hours=4))
        assert titles(store) == ["dated", "undated 0", "undated 1", "undated 2"]
        [dated] = [e for e in store.entries() if e.title == "dated"]
        assert dated.published_at == later  # sorted by when it was first seen, not later
