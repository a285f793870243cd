"""The exceptions newstui raises.

```
NewstuiError
 ├── ConfigError    feeds.toml is unusable: names file, line and problem
 ├── ConfigWriteError  feeds.toml cannot be changed (changed on disk meanwhile, unwritable)
 ├── ThemeError     a theme file is unusable (defined in newstui.ui.themes, a UI module)
 ├── ParseError     fetched bytes hold no usable feed or article
 ├── SyncError      a sync with the feed server failed: unreachable, login refused, ...
 └── StoreError     the database cannot be used: locked, full, damaged, read-only, newer
```

Fetch failures are not exceptions: a feed that times out or answers 404 is an expected event,
so `fetch.fetch_feed` returns a `FetchFailed` value instead (see `newstui.feeds.fetch`).
"""

from __future__ import annotations

from pathlib import Path

from newstui.core.text import printable_name


class NewstuiError(Exception):
    """Base of every error newstui raises on purpose."""


class ConfigError(NewstuiError):
    """A configuration file is unusable.

    `str(error)` is the one line shown to the user: `/path/feeds.toml:12: feeds[3].url: problem`.
    """

    def __init__(self, path: Path | str, line: int | None, where: str, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.where = where
        self.problem = problem
        location = f"{self.path}:{line}" if line else str(self.path)
        subject = f" {where}:" if where else ""
        # A file name or a quoted key holding escape sequences must not reach the terminal raw.
        super().__init__(printable_name(f"{location}:{subject} {problem}"))


class ConfigWriteError(NewstuiError):
    """An edit of feeds.toml was refused or failed; the file on disk is as it was.

    `str(error)` is one line naming the file.
    """


class ParseError(NewstuiError):
    """The bytes fetched for a feed hold nothing usable.

    `kind` is a short machine-readable word (`not-a-feed`, `unparseable`); `str()` is the human
    message stored as the feed's error.
    """

    def __init__(self, kind: str, message: str) -> None:
        # Both in args, so the error survives pickling back from a parser process.
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


class StoreError(NewstuiError):
    """The database cannot be used. Every `sqlite3` error leaving `newstui.store` is one.

    `str(error)` is the one line shown to the user: `/path/newstui.db: database is locked by
    another program`. `kind` is a short machine-readable word for callers that act on it (a
    `locked` database is worth retrying later, a `damaged` one is not): `locked`, `full`,
    `damaged`, `readonly`, `newer` (written by a newer newstui) or `other`.
    """

    def __init__(self, path: Path | str, problem: str, kind: str = "other") -> None:
        # All in args, so the error survives pickling like ParseError.
        super().__init__(str(path), problem, kind)
        self.path = str(path)
        self.problem = problem
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class SyncError(NewstuiError):
    """A sync with the feed server could not run or was cut short.

    `kind`: `unreachable` (network, server down), `auth` (credentials rejected), `credentials`
    (the command giving them failed), `server` (an unexpected answer), `protocol` (not the
    server it should be). `str()` is one line for the user and never holds a credential.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message
