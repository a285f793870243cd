"""The reader's copy of a validated `Config`, as bytes: made, and read back only when it was made
from the very bytes of feeds.toml now read, at the same path, by the same code.

Pure: nothing here touches a file. `newstui.reader_config` (beside `newstui.cli`, which owns the
data directory) keeps the copy there and says why it exists.

The copy is JSON (never pickle: reading it runs no code) and rebuilds only the frozen dataclasses
named in `_CLASSES`, never a class or module named by the file. It is two lines: a header (format,
key, a digest of the body) and the body, so a damaged body is noticed before it is decoded.
Anything unexpected in it means "check the file": `decode_copy` may raise any exception on a
damaged copy (deep nesting, huge numbers, short lists), and its caller treats every one so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from newstui.core.config_search import Filter, SavedView
from newstui.core.models import FeedSpec
from newstui.core.settings import Config, Settings, SyncSettings

FORMAT = 2

_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (Config, Settings, SyncSettings, FeedSpec, SavedView, Filter)
}
"""Every class a `Config` is made of, by name: the only ones a copy can build (with
`_QUERY_CLASSES`)."""
_QUERY_CLASSES = ("Text", "Feed", "Tag", "Flag", "Dated", "Newer", "Not", "And", "Or")
"""The query tree's (`newstui.core.query_tree`), in `[[views]]` and `[[filters]]` only: that
module (~10 ms to import) is imported when a copy holds one."""


def _class(name: str) -> type:
    """The class a copy names (KeyError: not one of those it may build)."""
    if name not in _CLASSES and name in _QUERY_CLASSES:
        from newstui.core import query_tree

        _CLASSES.update((n, getattr(query_tree, n)) for n in _QUERY_CLASSES)
    return _CLASSES[name]


def copy_key(path: Path, data: bytes, code: str) -> str:
    """What a copy must have been made from: feeds.toml's bytes, its path and `code` (a stamp of
    the code that checked it and the TOML parser's version, from the caller)."""
    digest = hashlib.blake2b(data, digest_size=20)
    stamp = f"{FORMAT}\n{os.fspath(path)}\n{code}"
    digest.update(stamp.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def encode_copy(key: str, config: Config) -> bytes:
    """The copy of `config`, made under `key`.

    Raises:
        TypeError: the configuration holds a value the copy cannot keep (then keep none).
    """
    body = json.dumps(_encode(config), ensure_ascii=False, separators=(",", ":")).encode()
    header = {"format": FORMAT, "key": key, "body": _digest(body)}
    return json.dumps(header).encode() + b"\n" + body


def decode_copy(copy: bytes, key: str, path: Path) -> Config | None:
    """The `Config` kept in `copy` if it was made under `key` for `path`, else None.

    Raises:
        Exception: any, when the copy is damaged.
    """
    header_line, _, body = copy.partition(b"\n")
    header = json.loads(header_line)
    if header.get("format") != FORMAT or header.get("key") != key:
        return None
    if header.get("body") != _digest(body):
        raise ValueError("the copy's body does not match its digest")
    config = _decode(json.loads(body))
    if not isinstance(config, Config) or config.path != path:
        raise ValueError("the copy holds something else")
    return config


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=20).hexdigest()


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
        cls = type(value)
        names = _field_names(cls)
        return {"$": "dc", "c": cls.__name__, "v": [_encode(getattr(value, n)) for n in names]}
    raise TypeError(f"cannot keep a {type(value).__name__}")  # so the file is not kept


def _encode_rows(items: tuple[Any, ...]) -> dict[str, Any]:
    """Many objects of one class (2,000 `FeedSpec`s) as rows of field values, so that reading
    them back builds each with one call (per-field tags would triple the time)."""
    cls = type(items[0])
    names = _field_names(cls)
    rows = [[_encode(getattr(item, n)) for n in names] for item in items]
    tagged = [i for i in range(len(names)) if any(not _plain(row[i]) for row in rows)]
    return {"$": "rows", "c": cls.__name__, "v": rows, "x": tagged}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float))


def _field_names(cls: type) -> list[str]:
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    known = cls.__name__ in _CLASSES or cls.__name__ in _QUERY_CLASSES
    if not known or _class(cls.__name__) is not cls or not all(f.init for f in fields):
        raise TypeError(f"cannot keep a {cls.__name__}")
    return [f.name for f in fields]


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    kind, inner = value["$"], value["v"]
    if kind == "dc":
        return _class(value["c"])(*map(_decode, inner))
    if kind == "rows":
        cls, tagged = _class(value["c"]), value["x"]
        for row in inner:
            for i in tagged:
                row[i] = _decode(row[i])
        return tuple(cls(*row) for row in inner)
    if kind == "td":
        days, seconds, microseconds = inner
        return timedelta(days=days, seconds=seconds, microseconds=microseconds)
    if kind == "date":
        return date.fromordinal(inner)
    if kind == "path":
        return Path(inner)
    if kind in ("map", "dict"):
        mapping = {k: _decode(v) for k, v in inner.items()}
        return MappingProxyType(mapping) if kind == "map" else mapping
    raise ValueError(f"unknown tag {kind!r}")
