"""Behaviour-preserving speed-ups for feedparser, installed by `newstui.feeds.parse_worker`.

feedparser spends most of a refresh's CPU. These of its costs have nothing to do with feeds:

- **SAX overhead per piece of text and per tag.** feedparser looks up its SAX driver through
  the module-level `PREFERRED_XML_PARSERS` list; this module is such a driver (`create_parser`),
  `newstui.feeds.speedups_sax` the reader it creates: text in one piece, and one Python call per
  tag where the standard reader and feedparser's strict parser made three.
- **The same URL joined at every tag.** With a base URL (we pass the feed's address), every
  start tag re-derives the current base with `make_safe_absolute_uri(base, base)`: a `urljoin`
  and a `urlparse` per tag, for the same pair of strings almost every time. It is a pure
  function of its arguments, so a small cache returns the same answers.
- **A translation of every character that almost never changes one.** `pop()` maps the C1
  range (U+0080 to U+009F, cp1252 bytes mis-decoded) with `text.translate(table)` on every
  element's text. For non-ASCII text `str.translate` looks up, and fails to find, each character
  in turn (~30 ns each: a quarter of the parse of a typical feed). The same line, guarded by a
  regular-expression search for any C1 character, gives the same string. That line sits inside
  a 150-line method, so the method is recompiled from feedparser's own source with only that
  line changed; if the line is not found exactly once (another feedparser version), nothing is
  patched.

- **Every dictionary lookup through the alias table, and a deep copy of a small dict of
  strings** (`newstui.feeds.speedups_dicts`). The content parameters' `type` and `base64`,
  looked up in every start tag, end tag, text and pop, are read with `dict.get` in the
  recompiled methods (`_with_params_dict_get`: the same answer without a Python call).
- **Two regular-expression searches for "is this plain text HTML?"** on every RSS title, when
  neither can match without a "<" or "&" in the text (`_quick_looks_like_html`).
- **Ten date parsers tried in turn** for the two forms nearly every feed uses
  (`newstui.feeds.speedups_dates`).

- **Work that cannot change anything, done anyway.** pop() round-trips every text through
  `encode('iso-8859-1').decode('utf-8')` (a no-op for ASCII text: skipped for it), and deletes
  two content parameters by raising and catching a KeyError per element (dict's pop instead);
  every link is joined to the base by `urljoin`, which returns a plain absolute http(s) URL
  unchanged (returned at once); `convert_to_utf8` decodes a UTF-8 document, rebuilds it
  as a new string with a new XML declaration and encodes it back to the same bytes (the raw
  bytes after the old declaration instead, `_utf8_document`).
  Together with newstui's own ASCII shortcuts (`core.text`, `core.htmlclean.limit_nesting`):
  107 → 96 million instructions per generated 50-item feed (valgrind, `parse_worker.parse`).

Measured on a generated 50-item RSS feed, with the feed URL as base: 24 ms → 10.5 ms per
`feedparser.parse` for the first three; the last two take another 17 % of the instructions of
a whole parse (valgrind: 121 → 100 million per feed, `parse_worker.parse`). Each is installed
only while every function it recompiles, replicates or short-cuts has the source it was written
for (sha256 digests in `newstui.feeds.speedups_sources`), so losing one to a feedparser (or
Python) upgrade costs only time (`tests/test_parse_speedups.py` notices, and checks every result
against plain feedparser).
"""

from __future__ import annotations

import codecs
import functools
import inspect
import re
import textwrap
import urllib.parse
from collections.abc import Callable
from typing import Any
from xml.sax import expatreader

from newstui.feeds import speedups_dates, speedups_dicts, speedups_sax
from newstui.feeds.speedups_sources import unchanged

_C1_CONTROLS = re.compile("[\x80-\x9f]")
_NOT_C1 = bytes(range(0x80)) + bytes(range(0xA0, 0x100))
_TRANSLATE_LINE = "output = output.translate(_cp1252)"
_DEEPCOPY_CALL = "copy.deepcopy(self.contentparams)"
_LATIN1_LINE = "output = output.encode('iso-8859-1').decode('utf-8')"
_DISCARD_BLOCK = re.compile(
    r"try:\n[ ]+del self\.contentparams\['(mode|base64)'\]\n[ ]+except KeyError:\n[ ]+pass\b"
)
# An absolute http(s) URL that `urllib.parse.urljoin` returns unchanged against any base it
# can parse: a lower-case scheme (urlsplit lower-cases it), an ASCII host starting with a
# letter or digit (feedparser's slash fixer leaves it alone), an optional port and a path, and
# nothing urlsplit/urlunsplit would split off, drop or normalize (no ";", "?", "#", spaces,
# controls, brackets, backslashes or non-ASCII).
_PLAIN_ABSOLUTE_URL = re.compile(
    r"https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%!$&'()*+,=:@/-]*)?"
)
_DECODE_LINE = "data = data.decode(proposed_encoding)"
_REENCODE_BLOCK = re.compile(
    r"if RE_XML_DECLARATION\.search\(data\):\n"
    r"[ ]+data = RE_XML_DECLARATION\.sub\(new_declaration, data\)\n"
    r"[ ]+else:\n"
    r"[ ]+data = new_declaration \+ '\\n' \+ data\n"
    r"[ ]+data = data\.encode\('utf-8'\)"
)
_PARAMS_GET = re.compile(r"self\.contentparams\.get\('(type|base64)'")
_NORMALIZE_LINE = "attrs = [self._normalize_attributes(attr) for attr in attrs]"
_PATCHED = "__newstui_speedup__"


def create_parser() -> expatreader.ExpatParser:
    """The SAX driver entry point `xml.sax.make_parser` looks for in a driver module."""
    return speedups_sax.BufferedExpatParser()


def _cached_join(join: Callable[..., str]) -> Callable[..., str]:
    cached = functools.lru_cache(maxsize=512)(join)

    @functools.wraps(join)
    def safe_join(base: object, rel: object = None) -> str:
        try:
            return cached(base, rel)
        except TypeError:  # an unhashable argument: nothing to cache
            return join(base, rel)

    setattr(safe_join, _PATCHED, True)
    return safe_join


def _translate_cp1252_if_needed(text: str, table: dict[int, str]) -> str:
    """`text.translate(table)` only if it holds a C1 character (the table maps only those)."""
    if text.isascii():  # O(1) in CPython, and ASCII holds no C1 character
        return text
    try:  # Latin-1 text (most feeds'): its bytes are its code points, and a table scans fast
        found = bool(text.encode("latin-1").translate(None, _NOT_C1))
    except UnicodeEncodeError:
        found = _C1_CONTROLS.search(text) is not None
    return text.translate(table) if found else text


def _latin1_as_utf8(text: str) -> str:
    """`text.encode('iso-8859-1').decode('utf-8')`, which gives ASCII text back unchanged
    (and raises as before for anything else, inside pop's own try)."""
    if text.isascii():
        return text
    return text.encode("iso-8859-1").decode("utf-8")


def _quick_looks_like_html(original: Callable[[str], bool]) -> Callable[[str], bool]:
    r"""feedparser's `looks_like_html`, answering False at once for text without "<" and "&".

    pop() asks it about every plain-text construct of a non-Atom feed (an RSS title, ~50 per
    feed); it answers False unless `</(\w+)>` or `&#?\w+;` is found, which needs one of them
    (two `re.search` calls through the module's pattern cache, each time).
    """

    @functools.wraps(original)
    def looks_like_html(s: str) -> bool:
        if type(s) is str and "<" not in s and "&" not in s:
            return False
        return original(s)

    setattr(looks_like_html, _PATCHED, True)
    return looks_like_html


def _fast_urljoin(join: Callable[..., str]) -> Callable[..., str]:
    """feedparser's `_urljoin`, answering a plain absolute http(s) URL with itself.

    `_urljoin(base, uri)` strips extra slashes after the scheme, then calls `urljoin`, which
    returns such a URL unchanged (a different scheme: as given; the same: re-assembled from its
    unchanged parts) unless parsing the base raises ValueError (then `_urljoin` returns '').
    So the shortcut is taken only for a base that parses (checked once per base).
    """

    @functools.lru_cache(maxsize=64)
    def base_parses(base: str) -> bool:
        try:
            urllib.parse.urlparse(base)
        except ValueError:
            return False
        return True

    @functools.wraps(join)
    def fast_join(base: object, uri: object) -> str:
        if (
            type(uri) is str
            and type(base) is str
            and uri.isascii()
            and _PLAIN_ABSOLUTE_URL.fullmatch(uri)
            and base_parses(base)
        ):
            return uri
        return join(base, uri)

    setattr(fast_join, _PATCHED, True)
    return fast_join


@functools.lru_cache(maxsize=32)
def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _utf8_document(
    raw: object, text: str, encoding: str, declaration: str, pattern: re.Pattern[str]
) -> bytes:
    """What `convert_to_utf8` builds once `raw` decoded as `encoding` to `text`: the document
    with its XML declaration replaced by `declaration` (or put in front of it), as UTF-8.

    feedparser rebuilds the whole 100 KB string and encodes it back (~0.8 ms per parse). When
    `raw` already was UTF-8, its strict decoding and encoding are exact inverses, so the same
    bytes are the new declaration followed by the raw bytes after the old one.
    """
    match = pattern.search(text)
    if isinstance(raw, bytes) and _is_utf8(encoding) and "\\" not in declaration:
        if match is None:
            return (declaration + "\n").encode("utf-8") + raw
        return declaration.encode("utf-8") + raw[len(text[: match.end()].encode("utf-8")) :]
    text = pattern.sub(declaration, text) if match else declaration + "\n" + text
    return text.encode("utf-8")


def _convert_without_reencoding(module: object) -> Callable[..., object] | None:
    """`module.convert_to_utf8` recompiled to build its result with `_utf8_document`, or None
    if its source is not the one this was written for."""
    original = getattr(module, "convert_to_utf8", None)
    if original is None or hasattr(original, _PATCHED) or not unchanged(original):
        return None
    try:
        source = textwrap.dedent(inspect.getsource(original))
    except (OSError, TypeError):
        return None
    if source.count(_DECODE_LINE) != 1 or len(_REENCODE_BLOCK.findall(source)) != 1:
        return None
    source = source.replace(
        _DECODE_LINE, "_newstui_raw, data = data, data.decode(proposed_encoding)"
    )
    source = _REENCODE_BLOCK.sub(
        "data = _newstui_utf8_document(_newstui_raw, data, proposed_encoding,"
        " new_declaration, RE_XML_DECLARATION)",
        source,
    )
    namespace = vars(module)
    namespace["_newstui_utf8_document"] = _utf8_document
    return _recompiled(source, original, namespace)


def _pop_without_needless_translate(mixin: type, module: object) -> Callable[..., object] | None:
    """`mixin.pop` recompiled with its translate line guarded, or None if the source differs."""
    original = mixin.pop  # type: ignore[attr-defined]
    try:
        source = textwrap.dedent(inspect.getsource(original))
    except (OSError, TypeError):
        return None
    if source.count(_TRANSLATE_LINE) != 1 or not source.startswith("def pop("):
        return None
    table = vars(module).get("_cp1252")
    if not isinstance(table, dict) or not all(0x80 <= key <= 0x9F for key in table):
        return None  # the guard finds only C1 characters: the table must map only those
    source = source.replace(_TRANSLATE_LINE, "output = _newstui_translate_cp1252(output, _cp1252)")
    source = source.replace(_DEEPCOPY_CALL, "_newstui_copy_params(self.contentparams)")
    if source.count(_LATIN1_LINE) == 1:
        source = source.replace(_LATIN1_LINE, "output = _newstui_latin1_as_utf8(output)")
    # `try: del d[k] except KeyError: pass` raised and caught a KeyError on almost every
    # element; FeedParserDict keeps dict's own pop, which does the same without raising.
    namespace = vars(module)
    if not _overrides(namespace, "pop", "__delitem__"):
        source = _DISCARD_BLOCK.sub(r"self.contentparams.pop('\1', None)", source)
    source = _with_params_dict_get(source, namespace)
    namespace["_newstui_translate_cp1252"] = _translate_cp1252_if_needed
    namespace["_newstui_latin1_as_utf8"] = _latin1_as_utf8
    namespace["_newstui_copy_params"] = speedups_dicts.params_copier(namespace["FeedParserDict"])
    return _recompiled(source, original, namespace)


def _with_params_dict_get(source: str, namespace: dict[str, Any]) -> str:
    """`source` with `self.contentparams.get('type' ...)` and `('base64' ...)` as `dict.get`.

    The content parameters are always a FeedParserDict (`__init__` and `push_content` set
    them), and for these two ordinary keys its `get` ends in dict's: the same answer without a
    Python call (~3,000 per 50-item feed: in every start and end tag, text and pop).
    """
    fpd = namespace.get("FeedParserDict")
    keymap = getattr(fpd, "keymap", None)
    if not isinstance(keymap, dict) or {"type", "base64"} & keymap.keys():
        return source
    namespace["_newstui_dict_get"] = dict.get
    return _PARAMS_GET.sub(r"_newstui_dict_get(self.contentparams, '\1'", source)


def _methods_with_params_dict_get(mixin: type, module: object) -> dict[str, Callable[..., object]]:
    """feedparser's `unknown_starttag`, `unknown_endtag` and `handle_data` recompiled by
    `_with_params_dict_get` (those whose source has the lookups), `unknown_starttag` without
    its comprehension for a tag without attributes."""
    out = {}
    namespace = vars(module)
    for name in ("unknown_starttag", "unknown_endtag", "handle_data"):
        original = vars(mixin).get(name)
        if original is None or hasattr(original, _PATCHED) or not unchanged(original):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(original))
        except (OSError, TypeError):
            continue
        changed = _with_params_dict_get(source, namespace)
        # A comprehension is a function call of its own in Python 3.11, even over nothing:
        # for a tag without attributes (most) the result is the same new empty list.
        changed = changed.replace(_NORMALIZE_LINE, _NORMALIZE_LINE + " if attrs else []")
        if changed != source and source.startswith(f"def {name}("):
            out[name] = _recompiled(changed, original, namespace)
    return out


def _recompiled(
    source: str, original: Callable[..., object], namespace: dict[str, Any]
) -> Callable[..., object]:
    """`source` (feedparser's own function, a few lines changed) compiled in its module's
    `namespace`, wrapped to look like `original` and marked as patched."""
    compiled: dict[str, object] = {}
    exec(compile(source, inspect.getfile(original), "exec"), namespace, compiled)
    function = compiled[original.__name__]
    functools.update_wrapper(function, original)  # type: ignore[arg-type]
    setattr(function, _PATCHED, True)
    return function  # type: ignore[return-value]


def _overrides(namespace: dict[str, Any], *names: str) -> bool:
    """Whether the module's FeedParserDict defines any of these methods itself."""
    fpd = namespace.get("FeedParserDict")
    return not isinstance(fpd, type) or any(name in vars(fpd) for name in names)


def install() -> None:
    """Point feedparser at the buffered SAX driver, the URL cache and shortcuts, the fast
    dictionary lookups and the patched pop(): each only while the functions it recompiles or
    replicates have the source it was written for (`newstui.feeds.speedups_sources`)."""
    import feedparser.api
    import feedparser.encodings
    import feedparser.mixin
    import feedparser.parsers.strict
    import feedparser.util

    preferred = getattr(feedparser.api, "PREFERRED_XML_PARSERS", None)
    if isinstance(preferred, list) and __name__ not in preferred:
        preferred.insert(0, __name__)  # text in one piece: any SAX reader may chunk it
    _install_tag_fusion(feedparser.parsers.strict)
    join = getattr(feedparser.mixin, "make_safe_absolute_uri", None)
    if callable(join) and not hasattr(join, _PATCHED) and unchanged(join):
        feedparser.mixin.make_safe_absolute_uri = _cached_join(join)
    fpd = feedparser.util.FeedParserDict
    if not hasattr(fpd.__getitem__, _PATCHED) and unchanged(
        *(getattr(fpd, name) for name in speedups_dicts.FAST_METHODS)
    ):
        speedups_dicts.with_fast_lookups(fpd)
    urljoin = getattr(feedparser.mixin, "_urljoin", None)
    if callable(urljoin) and not hasattr(urljoin, _PATCHED) and unchanged(urljoin):
        feedparser.mixin._urljoin = _fast_urljoin(urljoin)
    convert = _convert_without_reencoding(feedparser.encodings)
    if convert is not None:
        feedparser.encodings.convert_to_utf8 = convert
        if getattr(feedparser.api, "convert_to_utf8", None) is not None:
            feedparser.api.convert_to_utf8 = convert
    _install_date_shortcut()
    mixin = feedparser.mixin._FeedParserMixin
    # pop's copy of the content parameters and the recompiled methods' dict.get replicate
    # FeedParserDict's item methods as well as their own lines
    params_known = unchanged(fpd.__setitem__, fpd.get)
    if not hasattr(mixin.pop, _PATCHED) and params_known and unchanged(mixin.pop):
        pop = _pop_without_needless_translate(mixin, feedparser.mixin)
        if pop is not None:
            mixin.pop = pop
    if params_known:
        for name, method in _methods_with_params_dict_get(mixin, feedparser.mixin).items():
            setattr(mixin, name, method)
    looks_like_html = vars(mixin).get("looks_like_html")
    if (
        isinstance(looks_like_html, staticmethod)
        and not hasattr(looks_like_html.__func__, _PATCHED)
        and unchanged(looks_like_html)
    ):
        mixin.looks_like_html = staticmethod(_quick_looks_like_html(looks_like_html.__func__))


def _install_tag_fusion(strict_module: object) -> None:
    """Let `speedups_sax.BufferedExpatParser` do the expat reader's and feedparser's strict
    parser's tag callbacks in one call, if both are the code `speedups_sax` replicates."""
    strict_class = getattr(strict_module, "_StrictFeedParser", None)
    if not isinstance(strict_class, type) or speedups_sax.BufferedExpatParser.strict_class:
        return
    methods = tuple(getattr(strict_class, name, None) for name in speedups_sax.STRICT_METHODS)
    reader = speedups_sax.BufferedExpatParser  # expatreader's callbacks, as it inherits them
    if not unchanged(*methods, reader.start_element_ns, reader.end_element_ns):
        return
    speedups_sax.BufferedExpatParser.strict_methods = methods
    speedups_sax.BufferedExpatParser.strict_class = strict_class


def _install_date_shortcut() -> None:
    """feedparser's `_parse_date`, where its parsers look it up, with
    `newstui.feeds.speedups_dates`'s shortcut for RFC 822 and W3C-DTF dates in front of it,
    if its date code is the code the shortcut was written for."""
    import feedparser.datetimes
    import feedparser.namespaces._base
    import feedparser.namespaces.dc

    dates = feedparser.datetimes
    original = dates._parse_date
    if hasattr(original, _PATCHED):
        return
    if not unchanged(original, dates._parse_date_w3dtf, dates._parse_date_rfc822):
        return
    fast = speedups_dates.fast_parse_date(
        original, dates._date_handlers, dates._parse_date_w3dtf, dates._parse_date_rfc822
    )
    setattr(fast, _PATCHED, True)
    for module in (dates, feedparser.namespaces._base, feedparser.namespaces.dc):
        if getattr(module, "_parse_date", None) is original:
            module._parse_date = fast  # type: ignore[attr-defined]
