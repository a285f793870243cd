"""Reading feeds.toml's bytes, and the reader's copy of the last feeds.toml it validated.

Parsing and checking a 2,000-feed feeds.toml costs the reader's launch 45-90 ms (tomli, then
URL normalising and the checks of every `[[feeds]]` table, `newstui.core.config_check`), and
the modules that do it ~15 ms more to import. The file rarely changes between launches, so
`load_config_cached` keeps the validated `Config` in the data directory, keyed by the file's
exact bytes, its path and the code that checked it (the size and time of change of every module
of `newstui.core`, and newstui's version). Only a configuration that passed every check is kept:
a file with a problem is checked in full each time and reports its `path:line: problem` exactly
as `newstui.core.config.load_config` does.

The copy is JSON (never pickle: loading it runs no code), rebuilt into the frozen dataclasses of
`newstui.core` only; anything unexpected in it (another version's layout, a damaged file) means
"check the file", and a data directory that cannot be written just means no copy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from newstui import __version__
from newstui.core.errors import ConfigError
from newstui.core.files import FileProblem, read_small_file
from newstui.core.settings import Config

MAX_CONFIG_BYTES = 16_000_000
"""A 2,000-feed feeds.toml is ~200 kB; anything near this is not a configuration."""

CACHE_FILENAME = "feeds-toml-checked.json"
"""In the data directory, beside the database."""

_FORMAT = 1
_CORE = Path(__file__).parent


def read_config_bytes(path: Path) -> bytes:
    """The bytes of feeds.toml: a regular file of bounded size (`--config /dev/zero` or a FIFO
    must not hang).

    Raises:
        ConfigError: the file cannot be read, is not a regular file, or is too large.
    """
    try:
        return read_small_file(path, MAX_CONFIG_BYTES)
    except FileProblem as problem:
        raise ConfigError(path, None, "", str(problem)) from None


def load_config_cached(path: Path, cache: Path) -> Config:
    """`load_config(path)`, from the copy in `cache` when it was made from these very bytes by
    this very code; else checked in full (and the copy replaced when the file is valid).

    Raises:
        ConfigError: as `newstui.core.config.load_config`.
    """
    path = Path(path)
    data = read_config_bytes(path)
    key = _key(path, data)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
        kept = json.loads(cache.read_bytes())
        if kept["key"] == key:
            config = _decode(kept["config"])
            if isinstance(config, Config) and config.path == path:
                return config
    from newstui.core.config import config_from_bytes  # the parser and checks: only now

    config = config_from_bytes(path, data)
    with contextlib.suppress(OSError, TypeError, ValueError):
        _write(cache, key, config)
    return config


def _key(path: Path, data: bytes) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    code = [f"{_FORMAT} {__version__} {sys.version_info[:2]} {os.fspath(path)}"]
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(_CORE), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                info = entry.stat()
                code.append(f"{entry.name} {info.st_size} {info.st_mtime_ns}")
    digest.update("\n".join(code).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _write(cache: Path, key: str, config: Config) -> None:
    text = json.dumps({"key": key, "config": _encode(config)}, ensure_ascii=False)
    temporary = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, cache)  # another newstui reads the old copy or the new, whole
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


# JSON lists are tuples (the configuration holds no lists); other values are tagged objects.


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, tuple):
        kinds = {type(item) for item in value}
        if len(kinds) == 1 and dataclasses.is_dataclass(value[0]):
            return _encode_rows(value)
        return [_encode(item) for item in value]
    if isinstance(value, timedelta):
        return {"$": "td", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, date) and type(value) is date:
        return {"$": "date", "v": value.toordinal()}
    if isinstance(value, Path):
        return {"$": "path", "v": os.fspath(value)}
    if isinstance(value, (dict, MappingProxyType)):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("mapping keys must be str")
        kind = "map" if isinstance(value, MappingProxyType) else "dict"
        return {"$": kind, "v": {k: _encode(v) for k, v in value.items()}}
    if dataclasses.is_dataclass(value):
        names = _field_names(type(value))
        return {
            "$": "dc",
            **_class_name(type(value)),
            "v": [_encode(getattr(value, n)) for n in names],
        }
    raise TypeError(f"cannot keep a {type(value).__name__}")  # so the file is not kept


def _encode_rows(items: tuple[Any, ...]) -> dict[str, Any]:
    """Many objects of one class (2,000 `FeedSpec`s) as rows of field values, so that reading
    them back builds each with one call (per-field tags would triple the time)."""
    names = _field_names(type(items[0]))
    rows = [[_encode(getattr(item, n)) for n in names] for item in items]
    tagged = [i for i in range(len(names)) if any(not _plain(row[i]) for row in rows)]
    return {"$": "rows", **_class_name(type(items[0])), "v": rows, "x": tagged}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float))


def _field_names(cls: type) -> list[str]:
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not cls.__module__.startswith("newstui.core.") or not all(f.init for f in fields):
        raise TypeError(f"cannot keep a {cls.__name__}")
    return [f.name for f in fields]


def _class_name(cls: type) -> dict[str, str]:
    return {"m": cls.__module__, "c": cls.__qualname__}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    kind, inner = value["$"], value["v"]
    if kind == "dc":
        return _dataclass(value["m"], value["c"])(*map(_decode, inner))
    if kind == "rows":
        cls, tagged = _dataclass(value["m"], value["c"]), value["x"]
        for row in inner:
            for i in tagged:
                row[i] = _decode(row[i])
        return tuple(cls(*row) for row in inner)
    if kind == "td":
        return timedelta(days=inner[0], seconds=inner[1], microseconds=inner[2])
    if kind == "date":
        return date.fromordinal(inner)
    if kind == "path":
        return Path(inner)
    if kind in ("map", "dict"):
        mapping = {k: _decode(v) for k, v in inner.items()}
        return MappingProxyType(mapping) if kind == "map" else mapping
    raise ValueError(f"unknown tag {kind!r}")


def _dataclass(module: str, name: str) -> type:
    """A dataclass of newstui.core, by name; nothing else is ever built from the file."""
    if not module.startswith("newstui.core.") or "." in name:
        raise ValueError(f"not a configuration class: {module}.{name}")
    import importlib

    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"not a configuration class: {module}.{name}")
    return cls
