"""FeedParserDict without its Python overhead for ordinary keys, installed by
`newstui.feeds.speedups.install`.

Every lookup in a FeedParserDict (`get`, `[]`, `in`, `setdefault`, ~4,000 per 50-item feed)
runs Python code for five computed keys and the alias table (`guid` → `id`, ...); for any other
key each ends in the plain dict operation, so a fast path does that directly. `pop()` deep-copies
the content parameters (a small FeedParserDict of strings) for every text construct; filled item
by item, a new one is the same.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

_ATOMS = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})
_PATCHED = "__newstui_speedup__"
FAST_METHODS = ("__getitem__", "get", "__contains__", "__setitem__", "setdefault")
"""The methods `with_fast_lookups` replaces (its "slow" keys are their computed ones)."""


def params_copier(feedparser_dict: type) -> Callable[[object], object]:
    """`copy.deepcopy` for feedparser's content parameters, a FeedParserDict of strings.

    Deep-copying a dict subclass rebuilds it through `__reduce_ex__`, then copies each key and
    value and stores it through the class's own `__setitem__`; strings and numbers copy to
    themselves. So for such a dict (no instance attributes, only those values) a new one
    filled item by item through `__setitem__` is the same result, and without an alias among
    its keys (`__setitem__` stores the others as they are) a plain copy is too; anything else
    is deep-copied.
    """

    keymap = feedparser_dict.keymap  # type: ignore[attr-defined]

    def copy_params(params: object) -> object:
        if (
            type(params) is feedparser_dict
            and not vars(params)
            and _STR.issuperset(map(type, params))  # type: ignore[call-overload]
            and _ATOMS.issuperset(map(type, params.values()))  # type: ignore[attr-defined]
        ):
            if keymap.keys().isdisjoint(params):  # no alias: `__setitem__` would store as is
                return feedparser_dict(params)
            copied = feedparser_dict()
            for key, value in params.items():  # type: ignore[attr-defined]
                copied[key] = value
            return copied
        return copy.deepcopy(params)

    return copy_params


def with_fast_lookups(cls: type) -> None:
    """Give FeedParserDict's item methods a fast path for ordinary keys.

    Every lookup in a FeedParserDict runs Python code that checks five special keys and the
    alias table (`keymap`) before reaching the dict. For any other key each method ends in
    the plain dict operation, so the fast path does exactly that; special and aliased keys
    still take the original methods.
    """
    keymap = cls.keymap  # type: ignore[attr-defined]
    # The computed keys and the aliases in one set (one lookup per access): feedparser
    # never changes its alias table.
    slow = frozenset({"category", "enclosures", "license", "updated", "updated_parsed", *keymap})
    slow_getitem, slow_get = cls.__getitem__, cls.get  # type: ignore[attr-defined]
    slow_contains, slow_setitem = cls.__contains__, cls.__setitem__
    slow_setdefault = cls.setdefault

    def __getitem__(self: dict[Any, Any], key: Any) -> Any:
        if key in slow:
            return slow_getitem(self, key)
        return dict.__getitem__(self, key)

    def get(self: dict[Any, Any], key: Any, default: Any = None) -> Any:
        if key in slow:
            return slow_get(self, key, default)
        return dict.get(self, key, default)

    def __contains__(self: dict[Any, Any], key: Any) -> bool:
        if key in slow:
            return slow_contains(self, key)
        return dict.__contains__(self, key)

    def __setitem__(self: dict[Any, Any], key: Any, value: Any) -> None:
        if key in keymap:
            return slow_setitem(self, key, value)
        return dict.__setitem__(self, key, value)

    def setdefault(self: dict[Any, Any], key: Any, default: Any) -> Any:
        # feedparser's: `if k not in self: self[k] = default; return default` else `self[k]`,
        # which for an ordinary key is dict's own setdefault
        if key in slow:
            return slow_setdefault(self, key, default)
        return dict.setdefault(self, key, default)

    for method in (__getitem__, get, __contains__, __setitem__, setdefault):
        original = getattr(cls, method.__name__)
        functools.update_wrapper(method, original)
        setattr(method, _PATCHED, True)
        setattr(cls, method.__name__, method)
    cls.has_key = __contains__  # type: ignore[attr-defined]
