"""What the headline list can show: a smart view, a tag, or one feed. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ViewKind = Literal["unread", "bookmarks", "all", "tag", "feed"]


@dataclass(frozen=True, slots=True)
class View:
    kind: ViewKind
    key: str = ""
    """The tag name, or the feed URL."""
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

    @property
    def is_mixed(self) -> bool:
        """Entries from several feeds: the list shows each entry's feed name."""
        return self.kind != "feed"
