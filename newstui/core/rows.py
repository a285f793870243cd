"""A parsed feed as the store writes it: flat rows, built where the feed was parsed. No I/O.

A refresh parses in worker processes and writes in the main process (`newstui.store`). What
crosses between them is one `FeedRows` per feed: its entries as plain tuples, with their epoch
dates, enclosure JSON and content hash already computed, so the main process only unpickles
tuples (no dataclass per entry) and hands them to one `executemany`. The same functions serve
every other writer (a sync server, imports, tests), so a row means the same thing everywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from newstui.core.models import Enclosure, ParsedEntry, ParsedFeed
from newstui.core.searchtext import EntryColumns, entry_columns

_Text = str | None
EntryRow = tuple[str, str, _Text, _Text, int | None, int | None, _Text, _Text, _Text, str]
"""(guid, title, link, author, published_at, updated_at, summary_html, content_html,
enclosures, content_hash): the feed-supplied columns of `entries`, dates in epoch seconds."""

GUID, TITLE, AUTHOR, PUBLISHED, SUMMARY, CONTENT, HASH = 0, 1, 3, 4, 6, 7, 9
"""Positions in an `EntryRow`."""


@dataclass(frozen=True, slots=True)
class FeedRows:
    """What `ParsedFeed` says, with the entries as `EntryRow`s."""

    format: str
    title: str = ""
    site_url: str | None = None
    ttl: timedelta | None = None
    rows: tuple[EntryRow, ...] = ()
    warning: str | None = None
    index: tuple[EntryColumns, ...] = ()
    """Empty, or for each row (same order) the search index's columns that depend on the
    entry alone (`newstui.core.searchtext.entry_columns`): the parse workers compute them, so
    that indexing a new entry costs the refresh's writer only FTS5's own work."""


def feed_rows(parsed: ParsedFeed) -> FeedRows:
    return FeedRows(
        format=parsed.format,
        title=parsed.title,
        site_url=parsed.site_url,
        ttl=parsed.ttl,
        rows=tuple(entry_row(entry) for entry in parsed.entries),
        warning=parsed.warning,
    )


def with_index(rows: FeedRows) -> FeedRows:
    """`rows` with `FeedRows.index` filled in."""
    index = tuple(
        entry_columns(row[TITLE], row[AUTHOR], row[CONTENT], row[SUMMARY]) for row in rows.rows
    )
    return FeedRows(rows.format, rows.title, rows.site_url, rows.ttl, rows.rows, rows.warning,
                    index)  # fmt: skip


def entry_row(entry: ParsedEntry) -> EntryRow:
    columns = feed_columns(entry)
    return (entry.guid, *columns, content_hash(columns))  # type: ignore[return-value]


def feed_columns(entry: ParsedEntry) -> tuple[object, ...]:
    """The feed-supplied columns of an entry after its guid, in the order the upserts write."""
    return (
        entry.title,
        entry.link,
        entry.author,
        epoch(entry.published_at),
        epoch(entry.updated_at),
        entry.summary_html,
        entry.content_html,
        enclosures_json(entry.enclosures),
    )


def content_hash(columns: tuple[object, ...]) -> str:
    """What counts as a change to an entry: any feed-supplied column. Stored in every row, so
    it must never change (an upgrade would see every stored entry as updated)."""
    material = "\x1f".join(map(str, columns))
    return hashlib.sha1(material.encode("utf-8", "surrogatepass")).hexdigest()


def epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def enclosures_json(enclosures: tuple[Enclosure, ...]) -> str | None:
    """[[url, type, length], ...], with a fourth item, the duration, only when there is one:
    an episode without a duration keeps the JSON (and so the content hash) it always had."""
    if not enclosures:
        return None
    rows = [[e.url, e.type, e.length] for e in enclosures]
    for row, enclosure in zip(rows, enclosures, strict=True):
        if enclosure.duration is not None:
            row.append(enclosure.duration)
    return json.dumps(rows)
