"""A refresh's memory stays bounded: parsed feeds waiting for the writer are counted by what
they hold (body, rows and the search index columns the parse workers computed), and the
store keeps those columns only until they are indexed, up to a cap."""

from __future__ import annotations

from itertools import chain
from pathlib import Path

from newstui.core.models import FeedSpec
from newstui.core.rows import FeedRows
from newstui.feeds.refresh import Refresher
from newstui.feeds.sources.http import HttpFeeds
from newstui.store import Store
from tests.support.httpserver import Response
from tests.test_refresh import FAST, NOW, RSS_TYPE, Clock, Item, rss

WORDS = "airship harbour lantern meadow orchard quarry river summit thistle valley " * 40


async def test_a_waiting_feed_counts_its_index_columns_not_only_its_body(
    http_server, tmp_path: Path, monkeypatch
) -> None:
    body = rss(*(Item(str(n), text=f"<p>{WORDS}</p>") for n in range(20)))
    http_server.route("/feed", Response(200, RSS_TYPE, body))
    url = http_server.url("/feed")
    db_path = tmp_path / "newstui.db"
    with Store(db_path) as store:
        store.sync_feeds([FeedSpec(url)], now=NOW)
    seen: list[tuple[int, int]] = []
    save_fetch = Store.save_fetch

    async with Refresher(db_path, FAST, clock=Clock()) as refresher:
        (source,) = (s for s in refresher._sources if isinstance(s, HttpFeeds))

        def recording(store: Store, feed_url: str, parsed: FeedRows, **kwargs: object):
            index_chars = sum(map(len, chain.from_iterable(parsed.index)))
            seen.append((source._waiting._used, index_chars))
            return save_fetch(store, feed_url, parsed, **kwargs)

        monkeypatch.setattr(Store, "save_fetch", recording)
        updates = [update async for update in refresher.run([FeedSpec(url)])]
    assert [update.new for update in updates] == [20]
    ((counted, index_chars),) = seen
    assert index_chars > len(body) // 2  # the columns repeat the body's text (and more)
    # While it waits, the feed's share of the budget covers its body, its rows (about as
    # large) and its index columns: counting the body alone let it hold twice the budget.
    assert counted >= 2 * len(body) + index_chars
