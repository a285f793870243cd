"""What the headline list can show: a smart view, a tag, or one feed. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ViewKind = Literal["unread", "bookmarks", "all", "tag", "feed", "saved", "search"]


@dataclass(frozen=True, slots=True)
class View:
    kind: ViewKind
    key: str = ""
    """The tag name, the feed URL, a saved view's name, or a search's query."""
    group: str = ""
    """For a feed: the tag it is listed under (a feed with two tags has two rows)."""

    @classmethod
    def unread(cls) -> View:
        return cls("unread")

    @classmethod
    def bookmarks(cls) -> View:
        return cls("bookmarks")

    @classmethod
    def everything(cls) -> View:
        return cls("all")

    @classmethod
    def tag(cls, name: str) -> View:
        return cls("tag", name)

    @classmethod
    def feed(cls, url: str, group: str = "") -> View:
        return cls("feed", url, group)

    @classmethod
    def saved(cls, name: str) -> View:
        """A `[[views]]` table of feeds.toml, by name."""
        return cls("saved", name)

    @classmethod
    def search(cls, query: str) -> View:
        """The results of `/`: ranked, not newest first."""
        return cls("search", query)

    @property
    def is_mixed(self) -> bool:
        """Entries from several feeds: the list shows each entry's feed name."""
        return self.kind != "feed"
