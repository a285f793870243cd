"""Checking a parsed feeds.toml, key by key, into a `Config`: every problem is one `ConfigError`
naming the file, the line and what to do. Used by `newstui.core.config`; no I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

from newstui.core.config_search import Filter, SavedView, check_filters, check_views
from newstui.core.errors import ConfigError
from newstui.core.models import FeedSpec
from newstui.core.settings import (
    KEY_PRESETS,
    MIN_FEED_SIZE_MB,
    SYNC_SERVERS,
    Config,
    Settings,
    SyncSettings,
)
from newstui.core.tomlpos import (
    KeyPath,
    TomlPositions,
    describe_value,
    did_you_mean,
)

FEED_KEYS = (
    "url",
    "title",
    "tags",
    "refresh_interval",
    "user_agent",
    "full_text",
    "sync",
    "allow_private_links",
)


TOP_LEVEL_KEYS = ("settings", "keymap", "feeds", "sync", "views", "filters")


SYNC_KEYS = (
    "server", "url", "token", "token_command", "username", "password_command", "interval",
)  # fmt: skip


# Names used by earlier drafts of the format, which users may still write; too far apart for
# difflib to suggest.
_RENAMED = {
    "refresh_interval_minutes": "refresh_interval",
    "max_concurrent_fetches": "concurrency",
    "request_timeout_seconds": "timeout",
    "max_feed_size": "max_feed_size_mb",
}


_DURATION = re.compile(r"(\d+)\s*([smhd])")


_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


_DURATION_HINT = 'use whole minutes or a string like "90s", "45m", "2h", "1d"'


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


_SPACE = re.compile(r"\s")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _where(path: KeyPath) -> str:
    """`("feeds", 2, "url")` -> `feeds[3].url`: 1-based, TOML-quoted where a name needs it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
            continue
        if not _BARE_KEY.fullmatch(part):
            part = '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out += f".{part}" if out else part
    return out


class _Checker:
    """Validation for one file: knows the path and the line of every key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.positions = TomlPositions(text)

    def fail(self, path: KeyPath, problem: str, *, at: KeyPath | None = None) -> NoReturn:
        """Raise for `path`, at the line of `at` (default: `path` itself)."""
        line = self.positions.line_of(*(path if at is None else at))
        raise ConfigError(self.path, line, _where(path), problem)

    def config(self, document: dict[str, Any]) -> Config:
        # Tables are checked in the order the file has them, so the first error reported is
        # the first one in the file.
        feeds: tuple[FeedSpec, ...] = ()
        settings, keymap = Settings(), {}
        sync: SyncSettings | None = None
        views: tuple[SavedView, ...] = ()
        filters: tuple[Filter, ...] = ()
        for key, value in document.items():
            if key == "feeds":
                feeds = self.feeds(value)
            elif key == "sync":
                sync = self.sync(self.table(value, (key,)))
            elif key == "views":
                views = check_views(self, value)
            elif key == "filters":
                filters = check_filters(self, value)
            elif key == "settings":
                settings = self.settings(self.table(value, (key,)))
            elif key == "keymap":
                keymap = self.keymap(self.table(value, (key,)))
            else:
                self._unknown_top_level(key, value)
        return Config(
            self.path, feeds, settings, MappingProxyType(keymap), sync, views=views, filters=filters
        )

    def _unknown_top_level(self, key: str, value: object) -> NoReturn:
        kind = "table" if isinstance(value, dict) else "key"
        if key in _SETTINGS:
            self.fail((), f"'{key}' belongs in the [settings] table", at=(key,))
        if key in FEED_KEYS:
            self.fail((), f"'{key}' belongs in a [[feeds]] table", at=(key,))
        self.fail((), f"unknown {kind} '{key}'{_suggest(key, TOP_LEVEL_KEYS)}", at=(key,))

    def table(self, value: object, path: KeyPath) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, "expected a table")
        return value

    def known_keys(self, table: dict[str, Any], path: KeyPath, known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.fail(path, f"unknown key '{key}'{_suggest(key, known)}", at=(*path, key))

    # -- the three tables ---------------------------------------------------------------------

    def settings(self, table: dict[str, Any]) -> Settings:
        self.known_keys(table, ("settings",), tuple(_SETTINGS))
        values: dict[str, Any] = {}
        for key, value in table.items():
            field, check = _SETTINGS[key]
            values[field] = check(self, value, ("settings", key))
        return Settings(**values)

    def feeds(self, value: object) -> tuple[FeedSpec, ...]:
        if not isinstance(value, list):
            self.fail(("feeds",), "expected [[feeds]] tables")
        specs: list[FeedSpec] = []
        seen: dict[str, int] = {}
        for index, table in enumerate(value):
            spec = self.feed(index, table)
            first = seen.setdefault(spec.url, index)
            if first != index:
                line = self.positions.line_of("feeds", first, "url")
                problem = f"duplicate of {_where(('feeds', first))}"
                self.fail(("feeds", index, "url"), problem + (f" (line {line})" if line else ""))
            specs.append(spec)
        return tuple(specs)

    def feed(self, index: int, table: object) -> FeedSpec:
        path: KeyPath = ("feeds", index)
        if not isinstance(table, dict):
            self.fail(path, "expected a table with a 'url' key")
        self.known_keys(table, path, FEED_KEYS)
        if "url" not in table:
            self.fail(path, "missing required key 'url'")
        url = normalize_url(self.string(table["url"], (*path, "url")))
        if url is None:
            self.fail((*path, "url"), "not an http(s) or file URL")
        title, agent = table.get("title"), table.get("user_agent")
        interval = table.get("refresh_interval")
        if interval is not None:
            interval = self.duration(interval, (*path, "refresh_interval"))
        return FeedSpec(
            url=url,
            title=None if title is None else self.text_line(title, (*path, "title")),
            tags=tuple(dict.fromkeys(self.tags(table.get("tags", []), (*path, "tags")))),
            refresh_interval=interval,
            user_agent=None if agent is None else self.text_line(agent, (*path, "user_agent")),
            full_text=self.boolean(table.get("full_text", False), (*path, "full_text")),
            sync=self.boolean(table.get("sync", True), (*path, "sync")),
            allow_private_links=self.boolean(
                table.get("allow_private_links", False), (*path, "allow_private_links")
            ),
        )

    def sync(self, table: dict[str, Any]) -> SyncSettings:
        path: KeyPath = ("sync",)
        self.known_keys(table, path, SYNC_KEYS)
        for required in ("server", "url"):
            if required not in table:
                self.fail(path, f"missing required key '{required}'")
        server = self.string(table["server"], (*path, "server"))
        if server not in SYNC_SERVERS:
            self.fail(
                (*path, "server"), f'expected "miniflux" or "greader", not {describe_value(server)}'
            )
        url = normalize_url(self.string(table["url"], (*path, "url")))
        if url is None or not url.startswith(("http://", "https://")):
            self.fail((*path, "url"), "not an http(s) URL")
        given = [key for key in ("token", "token_command", "password_command") if key in table]
        if not given:
            self.fail(path, "no credentials: give token_command, token, or username and"
                      " password_command")  # fmt: skip
        if len(given) > 1:
            self.fail((*path, given[1]), f"give only one of {', '.join(given)}")
        text = {
            key: self.text_line(table[key], (*path, key))
            for key in ("token", "token_command", "username", "password_command")
            if key in table
        }
        if "password_command" in text and "username" not in text:
            self.fail((*path, "password_command"), "needs 'username' too")
        if "username" in text and "password_command" not in text:
            self.fail((*path, "username"), "needs 'password_command' too")
        interval = SyncSettings.__dataclass_fields__["interval"].default
        if "interval" in table:
            interval = self.duration(table["interval"], (*path, "interval"))
        return SyncSettings(
            server=server,
            url=url.rstrip("/"),
            interval=interval,
            line=self.positions.line_of("sync", "token") if "token" in text else None,
            **text,
        )

    def keymap(self, table: dict[str, Any]) -> dict[str, str]:
        """Flatten nested tables into dotted ids, so `[keymap.entries] toggle-read` and
        `"entries.toggle-read"` name the same binding (a bare dotted key in TOML *is* the
        nested table, so users cannot tell the two apart)."""
        flat: dict[str, str] = {}
        sources: dict[str, KeyPath] = {}
        for ident, value, path in _keymap_leaves(table, ("keymap",)):
            if not isinstance(value, str):
                self.fail(
                    path, f'expected a string of keys like "r,f5", not {describe_value(value)}'
                )
            if not value.strip():
                self.fail(path, "must not be empty")
            if ident in flat:
                line = self.positions.line_of(*sources[ident])
                also = f" (also line {line})" if line else ""
                self.fail(path, f"'{ident}' is set twice{also}")
            flat[ident] = value
            sources[ident] = path
        return flat

    # -- value checks -------------------------------------------------------------------------

    def string(self, value: object, path: KeyPath) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, not {describe_value(value)}")
        return value

    def text_line(self, value: object, path: KeyPath) -> str:
        """A non-empty single line: it ends up in the terminal or an HTTP header."""
        text = self.string(value, path).strip()
        if not text:
            self.fail(path, "must not be empty")
        if _CONTROL.search(text):
            self.fail(path, "must be one line without control characters")
        return text

    def tags(self, value: object, path: KeyPath) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            self.fail(path, "expected a list of strings")
        return [self.text_line(tag, path) for tag in value]

    def boolean(self, value: object, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, not {describe_value(value)}")
        return value

    def integer(self, value: object, path: KeyPath, low: int, high: int) -> int:
        # bool is a subclass of int in Python, but `concurrency = true` is a mistake, not 1.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(path, f"expected an integer, not {describe_value(value)}")
        if not low <= value <= high:
            self.fail(path, f"must be from {low} to {high}, not {describe_value(value)}")
        return value

    def number(
        self, value: object, path: KeyPath, low: float, high: float, *, above: bool = False
    ) -> float:
        """A number in `[low, high]`, or `(low, high]` when `above` is set."""
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.fail(path, f"expected a number, not {describe_value(value)}")
        if (value <= low if above else value < low) or not value <= high:  # NaN fails here too
            bound = f"more than {low:g}" if above else f"at least {low:g}"
            shown = f"{value:g}" if isinstance(value, float) else describe_value(value)
            self.fail(path, f"must be {bound} and at most {high:g}, not {shown}")
        return float(value)

    def duration(self, value: object, path: KeyPath) -> timedelta:
        if isinstance(value, int) and not isinstance(value, bool):
            seconds = value * 60
        elif isinstance(value, str):
            match = _DURATION.fullmatch(value.strip().lower())
            if match is None:
                self.fail(path, f"not a duration: {describe_value(value)}; {_DURATION_HINT}")
            # Over 12 digits is out of range anyway, and int() of over 4300 digits raises.
            digits = match[1] if len(match[1]) <= 12 else "9" * 13
            seconds = int(digits) * _UNIT_SECONDS[match[2]]
        else:
            self.fail(path, f"expected a duration, not {describe_value(value)}; {_DURATION_HINT}")
        # Under a minute hammers servers; the upper bound keeps timedelta() from overflowing.
        if not 60 <= seconds <= 365 * 86_400:
            self.fail(path, "must be between 1 minute and 365 days")
        return timedelta(seconds=seconds)

    def keys_preset(self, value: object, path: KeyPath) -> str:
        name = self.string(value, path)
        if name not in KEY_PRESETS:
            self.fail(path, f'expected "vim" or "newsboat", not {describe_value(name)}')
        return name


def _keymap_leaves(
    table: dict[str, Any], path: KeyPath, prefix: str = ""
) -> Iterator[tuple[str, object, KeyPath]]:
    """Every non-table value under `table`, with its dotted id and its path in the document."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _keymap_leaves(value, (*path, key), f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value, (*path, key)


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    """`"; did you mean 'x'?"` for a near miss or a renamed key, else ``."""
    if _RENAMED.get(word) in choices:
        return f"; did you mean '{_RENAMED[word]}'?"
    return did_you_mean(word, choices)


def normalize_url(raw: str) -> str | None:
    """The URL with surrounding whitespace removed and scheme and host lowercased, or None when it
    is not a usable http(s) URL (with a host) or file URL (with an absolute path).

    The normalized form is both the duplicate check's key and `FeedSpec.url`, so that changing
    `Example.org` to `example.org` in the file does not make the store see a new feed.
    """
    url = raw.strip()
    if not url or _SPACE.search(url) or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.hostname:
        userinfo, at, host = parts.netloc.rpartition("@")
        # An empty path and "/" fetch the same resource; one spelling keeps duplicates visible.
        netloc, path = userinfo + at + host.lower(), parts.path or "/"
        return urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
    if scheme == "file" and parts.path.startswith("/"):
        return "file" + url[len(parts.scheme) :]
    return None


_Check = Callable[[_Checker, Any, KeyPath], object]


# TOML key -> (Settings field, check). The keys double as the list of known keys.
_SETTINGS: dict[str, tuple[str, _Check]] = {
    "refresh_interval": ("refresh_interval", _Checker.duration),
    "concurrency": ("concurrency", lambda c, v, p: c.integer(v, p, 1, 64)),
    "timeout": ("timeout", lambda c, v, p: c.number(v, p, 1, 600)),
    "max_feed_size_mb": (
        "max_feed_size",
        # At least 1 kB: a tiny cap (1e-320 rounds to 0 bytes) would fail every feed.
        lambda c, v, p: round(c.number(v, p, MIN_FEED_SIZE_MB, 200) * 1_000_000),
    ),
    "max_redirects": ("max_redirects", lambda c, v, p: c.integer(v, p, 0, 20)),
    "retention_days": ("retention_days", lambda c, v, p: c.integer(v, p, 0, 36_500)),
    "user_agent": ("user_agent", _Checker.text_line),
    "parse_workers": ("parse_workers", lambda c, v, p: c.integer(v, p, 0, 256)),
    "theme": ("theme", _Checker.text_line),
    "keys": ("keys", _Checker.keys_preset),
    "refresh_on_start": ("refresh_on_start", _Checker.boolean),
    "auto_refresh": ("auto_refresh", _Checker.boolean),
    "mark_read_on_open": ("mark_read_on_open", _Checker.boolean),
    "show_read": ("show_read", _Checker.boolean),
    "feed_pane_width": ("feed_pane_width", lambda c, v, p: c.integer(v, p, 12, 100)),
    "allow_private_links": ("allow_private_links", _Checker.boolean),
}
