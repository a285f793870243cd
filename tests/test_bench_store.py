"""The benchmark store (`bench/make_store.py`) holds what the shared `feedserver.py` serves.

The reader's refresh benchmark refreshes this store from that server. A feed whose stored title
differs from the served one has all its stored entries taken out of the search index and
indexed again, work a user's refresh (whose store holds the titles its feeds serve) never does.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newstui.feeds.parse import parse_feed
from newstui.store import Store

BENCH = Path(__file__).resolve().parent.parent / "bench"
FEEDSERVER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "feedserver.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not FEEDSERVER.exists(), reason="the shared tools are not beside the checkout")
def test_refreshing_the_bench_store_indexes_only_the_new_entries(tmp_path: Path) -> None:
    feedserver = _load("bench_feedserver", FEEDSERVER)
    make_store = _load("bench_make_store", BENCH / "make_store.py")
    params = make_store.StoreParams(feeds=4, entries_per_feed=3, bookmarks=1, port=18765)
    work = tmp_path / "store"
    work.mkdir()
    make_store._build(params, work, quiet=True)
    server = feedserver.FeedGenerator(f"http://127.0.0.1:{params.port}", items=5)
    now = datetime.now(UTC)
    new = 0
    with Store(work / "data" / make_store.DB_NAME) as store:
        for i in range(params.feeds):
            url = params.feed_url(i)
            fmt = "atom" if i % 2 else "rss"
            parsed = parse_feed(url, server.document(i, 0, fmt), now=now)
            new += store.save_fetch(
                url,
                parsed,
                now=now,
                etag=None,
                last_modified=None,
                body_hash=None,
                next_due_at=now + timedelta(minutes=30),
            )[0]
        assert new == 4 * 5  # the served items are all new to the store
        # Without the served titles: 20 + the 12 stored entries, taken out of the index.
        assert store.index_pending() == new
        titles = {feed.url: feed.title for feed in store.feeds()}
    assert titles[params.feed_url(1)] == "Generated feed 1 \u2013 technology"
