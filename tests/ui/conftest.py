"""Fixtures for driving the real app: a fixed clock, a real SQLite store with fixed data."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest

from newstui.core.config import Config, Settings
from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store
from newstui.ui.app import NewsApp
from newstui.ui.themes import LaterThemes, ThemeLoad

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # a Wednesday

TECH = "https://tech.example/feed.xml"
WORLD = "https://world.example/rss"
EMPTY = "https://quiet.example/atom.xml"


def clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def _utc_local_time() -> Iterator[None]:
    """Dates in lists are shown in local time: pin it so screens are the same everywhere."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.fixture(autouse=True)
def _no_user_themes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own ~/.config/newstui/themes must not change what tests see."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def settings(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "refresh_on_start": False,
        "auto_refresh": False,
        "parse_workers": 1,
        "timeout": 5.0,
    }
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


def make_config(
    path: Path, feeds: list[FeedSpec], keymap: dict[str, str] | None = None, **overrides: object
) -> Config:
    return Config(
        path=path,
        feeds=tuple(feeds),
        settings=settings(**overrides),
        keymap=MappingProxyType(keymap or {}),
    )


def entry(n: int, feed: str, *, hours_old: float, title: str | None = None) -> ParsedEntry:
    return ParsedEntry(
        guid=f"{feed}#{n}",
        title=title or f"Headline {n} of {feed.split('/')[2]}",
        link=f"https://{feed.split('/')[2]}/posts/{n}",
        author="A. Writer",
        published_at=NOW - timedelta(hours=hours_old),
        content_html=f"<p>Body of entry {n}. <b>Bold</b> and <a href='/x'>a link</a>.</p>",
    )


DEFAULT_FEEDS = [
    FeedSpec(TECH, title="Tech Daily", tags=("tech",)),
    FeedSpec(WORLD, title="World Report", tags=("news",)),
    FeedSpec(EMPTY, title="Quiet Blog", tags=("tech",)),
]


def fill(store: Store, feeds: list[FeedSpec] = DEFAULT_FEEDS) -> None:
    """Fixed data: 5 tech entries, 4 world entries over the last days; one feed empty."""
    store.sync_feeds(feeds, now=NOW)
    contents = {
        TECH: [entry(i, TECH, hours_old=i * 7) for i in range(5)],
        WORLD: [entry(i, WORLD, hours_old=1 + i * 30) for i in range(4)],
    }
    for url, entries in contents.items():
        if any(f.url == url for f in feeds):
            save_entries(store, url, entries)


def save_entries(store: Store, url: str, entries: Iterable[ParsedEntry]) -> None:
    """Store `entries` as one successful fetch of the feed at `url` would, at `NOW`."""
    store.save_fetch(
        url,
        ParsedFeed("rss20", title=url, entries=tuple(entries)),
        now=NOW,
        etag=None,
        last_modified=None,
        body_hash=None,
        next_due_at=NOW + timedelta(hours=1),
    )


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the reader hands a web browser (a graphical one, as if on a desktop; none is
    started)."""
    urls: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: urls.append(url))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("BROWSER", raising=False)
    return urls


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newstui.db"


@pytest.fixture
def make_app(tmp_path: Path, db_path: Path) -> Iterator[Callable[..., NewsApp]]:
    """Build the real app on a real SQLite file filled with `fill`'s data."""
    stores: list[Store] = []

    def build(
        feeds: list[FeedSpec] = DEFAULT_FEEDS,
        *,
        filled: bool = True,
        keymap: dict[str, str] | None = None,
        themes: ThemeLoad | LaterThemes | None = None,
        theme: str | None = None,
        **overrides: object,
    ) -> NewsApp:
        store = Store(db_path)
        stores.append(store)
        if filled:
            fill(store, feeds)
        config = make_config(tmp_path / "feeds.toml", feeds, keymap, **overrides)
        return NewsApp(config, store, db_path, clock=clock, themes=themes, theme=theme)

    yield build
    for store in stores:
        store.close()
