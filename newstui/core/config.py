"""Reading feeds.toml into frozen dataclasses, with errors a person can act on.

`load_config(path)` reads the one file it is given and nothing else: it never writes, creates or
resolves paths, so it is safe to call on a file the user is editing. No Textual and no httpx here.

Every problem raises `ConfigError`, whose `str()` is one line naming the file, the line, the
place in the document and the problem:

    /home/me/.config/newstui/feeds.toml:12: feeds[3].url: not an http(s) or file URL

Loading stops at the first problem rather than guessing: a feed list silently missing a feed, or
a refresh interval silently reset to the default, is worse than a refusal with a line number.
Feeds are numbered from 1 in messages (`feeds[1]` is the first `[[feeds]]` table) because people,
not programs, read them. Line numbers come from `newstui.core.tomlpos`, which is only consulted once
something is wrong.
"""

from __future__ import annotations

from pathlib import Path

from newstui.core.config_check import (
    FEED_KEYS,
    SYNC_KEYS,
    TOP_LEVEL_KEYS,
    _Checker,
    normalize_url,
)
from newstui.core.errors import ConfigError
from newstui.core.files import MAX_CONFIG_BYTES, read_config_bytes
from newstui.core.settings import (
    KEY_PRESETS,
    MIN_FEED_SIZE_MB,
    SYNC_SERVERS,
    Config,
    Settings,
    SyncSettings,
)
from newstui.core.tomlpos import (
    TomlSyntaxError,
    parse_toml,
)


def load_config(path: Path) -> Config:
    """Read and validate one feeds.toml.

    Args:
        path: The file to read. It is opened for reading once and never written.

    Returns:
        The validated configuration. A file without `[[feeds]]` gives an empty `feeds`.

    Raises:
        ConfigError: The file cannot be read, is not UTF-8 or TOML, or holds an unknown key, a
            value of the wrong type or range, a bad or duplicate feed URL. Its `str()` is one line.
    """
    path = Path(path)
    return config_from_bytes(path, read_config_bytes(path))


def config_from_bytes(path: Path, data: bytes) -> Config:
    """Validate the bytes of a feeds.toml read from `path` (`load_config` without the reading;
    `newstui.reader_config.load_config_kept` reads them once for its key and this).

    Raises:
        ConfigError: as `load_config`.
    """
    try:
        text = data.decode("utf-8-sig")  # -sig: Windows editors like to prepend a BOM
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = f"not UTF-8 text (byte 0x{data[error.start]:02x})"
        raise ConfigError(path, line, "", problem) from None
    return parse_config(path, text)


def parse_config(path: Path, text: str) -> Config:
    """Validate the text of a feeds.toml (the writer checks every edit with it before saving).

    Raises:
        ConfigError: as `load_config`, naming `path`.
    """
    try:
        document = parse_toml(text)
    except TomlSyntaxError as error:
        raise ConfigError(path, error.line, "", error.problem) from None
    return _Checker(path, text).config(document)


__all__ = [
    "FEED_KEYS",
    "KEY_PRESETS",
    "MAX_CONFIG_BYTES",
    "MIN_FEED_SIZE_MB",
    "SYNC_KEYS",
    "SYNC_SERVERS",
    "TOP_LEVEL_KEYS",
    "Config",
    "Settings",
    "SyncSettings",
    "config_from_bytes",
    "load_config",
    "normalize_url",
    "parse_config",
    "read_config_bytes",
]
