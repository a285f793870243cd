"""Two behaviour-preserving speed-ups for feedparser, installed by `newstui.parse`.

feedparser spends most of a refresh's CPU. Two of its costs have nothing to do with feeds:

- **Character data in slivers.** Python's SAX expat reader calls `characters()` for every run of
  text between entity references, so an escaped HTML description (`&lt;p&gt;...`) reaches
  feedparser as thousands of pieces, each costing a few dictionary lookups. Expat's
  `buffer_text` joins adjacent text into one call. SAX allows any chunking and feedparser only
  concatenates the pieces, so the result is identical. feedparser looks up its SAX driver through
  the module-level `PREFERRED_XML_PARSERS` list; this module is such a driver (`create_parser`).
- **A lookup that fails for almost every character.** feedparser maps the cp1252 range with
  `text.translate(table)` on every element's text. `str.translate` raises and swallows a
  `KeyError` for each character missing from the table, i.e. for nearly every character of a
  non-ASCII text. A table that remembers the identity mapping for characters it has seen keeps
  the same result without the exceptions.

- **The same URL joined at every tag.** With a base URL (we pass the feed's address), every
  start tag re-derives the current base with `make_safe_absolute_uri(base, base)`: a `urljoin`
  and a `urlparse` per tag, for the same pair of strings almost every time. It is a pure
  function of its arguments, so a small cache returns the same answers.

Measured on a generated 50-item RSS feed, with the feed URL as base: 24 ms → 14.5 ms per
`feedparser.parse`. If a
feedparser release renames either hook, `install` leaves it alone and only the speed-up is lost
(`tests/test_parse_speedups.py` notices).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from xml.sax import expatreader

_IDENTITY_CACHE_LIMIT = 8192
"""Distinct characters remembered; a hostile feed using every code point stays bounded."""


class _BufferedExpatParser(expatreader.ExpatParser):
    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True


def create_parser() -> expatreader.ExpatParser:
    """The SAX driver entry point `xml.sax.make_parser` looks for in a driver module."""
    return _BufferedExpatParser()


class _Cp1252Table(dict[int, int | str]):
    """feedparser's cp1252 table, answering unmapped characters without raising."""

    def __missing__(self, code: int) -> int:
        if len(self) < _IDENTITY_CACHE_LIMIT:
            self[code] = code
        return code


def _cached(join: Callable[..., str]) -> Callable[..., str]:
    cached = functools.lru_cache(maxsize=512)(join)

    @functools.wraps(join)
    def safe_join(base: object, rel: object = None) -> str:
        try:
            return cached(base, rel)
        except TypeError:  # an unhashable argument: nothing to cache
            return join(base, rel)

    safe_join.__wrapped_by_newstui__ = True  # type: ignore[attr-defined]
    return safe_join


def install() -> None:
    """Point feedparser at the buffered SAX driver, the translate table and the URL cache."""
    import feedparser.api
    import feedparser.mixin

    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and __name__ not in preferred:
        preferred.insert(0, __name__)
    table = getattr(feedparser.mixin, "_cp1252", None)
    if type(table) is dict:
        feedparser.mixin._cp1252 = _Cp1252Table(table)
    join = getattr(feedparser.mixin, "make_safe_absolute_uri", None)
    if callable(join) and not hasattr(join, "__wrapped_by_newstui__"):
        feedparser.mixin.make_safe_absolute_uri = _cached(join)
