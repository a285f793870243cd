"""Subscription lists from other readers, recognised by content: OPML, newsboat's `urls`.

Pure: bytes in, an `ImportList` out. A broken entry is reported in `problems` and skipped; it
never stops the rest of the file from coming in. (newsboat's `cache.db`, the entries
themselves, is read by `newstui.store` and mapped by `newstui.feeds.newsboat`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_LIST_BYTES = 20_000_000
"""Larger subscription lists are refused: a 20 MB OPML file holds some 100,000 feeds."""


@dataclass(frozen=True, slots=True)
class ImportedFeed:
    """A feed as another reader listed it."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    """Something the user should know about this feed (newsboat hid it, for instance)."""


@dataclass
class ImportList:
    """What one file holds."""

    source: Path
    kind: str
    """"OPML 2.0", "newsboat urls", ..."""
    feeds: list[ImportedFeed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Broken or duplicate entries, skipped: `line 7: not an http(s) URL: 'gopher://x'`."""
    skipped: list[str] = field(default_factory=list)
    """Entries newstui cannot take (newsboat's exec:, filter:, query: feeds)."""
    views: list[tuple[str, str, str]] = field(default_factory=list)
    """newsboat's query feeds: (where, name, newsboat filter expression)."""

    _places: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def add(self, feed: ImportedFeed, where: str, place: tuple[str, ...] = ()) -> None:
        """Add `feed`, merging the tags of a URL listed again in another folder (`place`); a
        URL listed twice in one place is reported as a duplicate."""
        if (feed.url, place) in self._places:
            self.problems.append(f"{where}: duplicate of {feed.url}, skipped")
            return
        self._places.add((feed.url, place))
        for index, known in enumerate(self.feeds):
            if known.url == feed.url:
                tags = tuple(dict.fromkeys(known.tags + feed.tags))
                self.feeds[index] = ImportedFeed(
                    known.url, known.title or feed.title, tags, known.note or feed.note
                )
                return
        self.feeds.append(feed)


def file_kind(head: bytes) -> str:
    """`cache`, `opml` or `urls`, from the first bytes of a file."""
    if head.startswith(SQLITE_MAGIC):
        return "cache"
    # Any XML is read as OPML, so an XML file that is not OPML says so (a urls file is lines
    # of addresses, never markup).
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "opml"
    return "urls"


def read_list(path: Path, data: bytes) -> ImportList:
    """The feeds of an OPML file or a newsboat `urls` file (by content)."""
    from newstui.feeds import newsboat, opml

    if file_kind(data[:4096]) == "opml":
        return opml.parse_opml(path, data)
    return newsboat.parse_urls(path, data.decode("utf-8", "replace"))
