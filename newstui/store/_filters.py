"""`[[filters]]` at ingestion: what each new entry's user state starts as (issue 13).

A refresh's new entries are judged before they are inserted, in the order the filters are
listed (a later filter sees what an earlier one did: a tag given, an entry marked read), so each
is stored in its final state in the same transaction: a killfiled entry is never shown, not even
for a moment. What each filter caught is counted in `filter_hits` for `newstui status`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from newstui.core.config_search import Filter
from newstui.core.query import mentions_hidden
from newstui.core.query_match import EntryFacts, matcher
from newstui.core.rows import EntryRow
from newstui.core.searchtext import entry_text
from newstui.store._convert import from_epoch


def judge(
    db: sqlite3.Connection,
    feed_url: str,
    feed_title: str,
    entries: Sequence[EntryRow],
    filters: Sequence[Filter],
    now: datetime,
    states: Sequence[tuple[bool, bool]] | None = None,
) -> list[EntryFacts]:
    """Each entry's facts after every filter has acted on it (read, bookmarked, hidden, tags).

    `states`: each entry's (read, bookmarked) before the filters, when it comes with one (an
    import from another reader); new entries from a feed or a server start unread.
    """
    row = db.execute("SELECT tags FROM feeds WHERE url = ?", (feed_url,)).fetchone()
    feed_tags = tuple(json.loads(row[0])) if row and row[0] else ()
    rules = [(item, matcher(item.node, now=now), mentions_hidden(item.node)) for item in filters]
    hits: dict[str, int] = {}
    out = []
    for index, (
        _guid,
        title,
        _link,
        author,
        published,
        _updated,
        summary,
        content,
        enclosures,
        _hash,
    ) in enumerate(entries):
        read, bookmarked = states[index] if states is not None else (False, False)
        facts = EntryFacts(
            title=title,
            author=author or "",
            feed_title=feed_title,
            feed_url=feed_url,
            feed_tags=feed_tags,
            text=entry_text(content, summary),
            published_at=from_epoch(published) or now,
            has_enclosure=enclosures is not None,
            read=read,
            bookmarked=bookmarked,
        )
        for item, matches, sees_hidden in rules:
            # As in search: a hidden entry is out of sight unless the query asks for is:hidden.
            if (facts.hidden and not sees_hidden) or not matches(facts):
                continue
            hits[item.key] = hits.get(item.key, 0) + 1
            if item.action == "tag":
                facts.tags.add(item.tag or "")
            elif item.action == "mark-read":
                facts.read = True
            elif item.action == "bookmark":
                facts.bookmarked = True
            else:
                facts.hidden = True
        out.append(facts)
    db.executemany(
        "INSERT INTO filter_hits (filter, hits, last_hit_at) VALUES (?, ?, ?)"
        " ON CONFLICT (filter) DO UPDATE SET hits = hits + excluded.hits,"
        " last_hit_at = excluded.last_hit_at",
        [(key, count, int(now.timestamp())) for key, count in hits.items()],
    )
    return out
