"""Parsing feed HTML with lxml, and the small judgements made about single elements.

lxml's HTML parser is libxml2's: forgiving of broken markup, fast, and it decodes entities. Its
one sharp edge for hostile input is depth: past 256 levels it stops with a fatal error and drops
the rest of the document (2,048 with `huge_tree`). `parse_html` retries such input with the
generic container tags removed, so a page of 10,000 nested `<div>`s still shows its text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from lxml import etree

if TYPE_CHECKING:
    from pygments.lexer import Lexer

from newstui.core.htmlclean import limit_nesting
from newstui.core.text import clean_line

_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\t\n\r]")
_LEADING_INT = re.compile(r"\s*(\d+)")
# Only used after libxml2 has already refused the document for its depth: these tags carry no
# meaning we render, so removing them is what lets the text inside come through.
_CONTAINERS = re.compile(
    r"</?(?:div|span|section|article|font|center|main|header|footer|aside|nav|small|big)\b[^>]*>",
    re.IGNORECASE,
)
_LANGUAGE_PREFIXES = ("language-", "lang-", "highlight-source-", "highlight-")
_LANGUAGE_NAME = re.compile(r"[a-z0-9+#._-]{1,30}")


def _parser() -> etree.HTMLParser:
    # A new parser per call: lxml parsers must not be shared between threads, and conversion
    # runs in worker threads. `huge_tree` lifts the depth limit from 256 to 2,048 levels.
    return etree.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        huge_tree=True,
    )


def _too_deep(parser: etree.HTMLParser) -> bool:
    return any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)


def parse_html(html: str) -> tuple[etree._Element | None, bool]:
    """Parse a document or fragment.

    Returns:
        The root element (None for a document with no content), and whether content was lost
        because the nesting was too deep even after flattening.
    """
    # Bytes with an explicit encoding: a str carrying an XML declaration makes lxml raise, and a
    # `<meta charset>` in the body must not make it decode our (already decoded) text again.
    # NUL is dropped as a browser does; libxml2 would turn it into U+FFFD instead.
    html = html.replace("\x00", "")
    data = html.encode("utf-8", "replace")
    parser = _parser()
    root = etree.fromstring(data, parser)
    if not _too_deep(parser):
        return root, False
    # Too deep for libxml2: flatten the nesting (linear, `limit_nesting`), and if that is not
    # enough, drop the containers that carry no meaning we render.
    parser = _parser()
    root = etree.fromstring(limit_nesting(html).encode("utf-8", "replace"), parser)
    if not _too_deep(parser):
        return root, False
    parser = _parser()
    root = etree.fromstring(_CONTAINERS.sub(" ", html).encode("utf-8", "replace"), parser)
    return root, _too_deep(parser)


def resolve_url(href: str | None, base_url: str | None, *, image: bool = False) -> str | None:
    """The absolute URL a link or image points to, or None if it gets no number.

    Only http(s) (and mailto for links) are offered to the user: `javascript:` and `data:` are
    never something to open. A bare `#fragment` points back into the article itself, so it
    would only add noise. Control characters are removed before anything else, since the URL
    is shown in the link list.
    """
    if not href:
        return None
    # Browsers delete tabs and newlines anywhere in a URL (WHATWG URL parser), which is how
    # "java&#9;script:" still runs as javascript: so delete them before judging the scheme.
    href = clean_line(_URL_NOISE.sub("", href), limit=8192)
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base_url, href) if base_url else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # e.g. an unbalanced "[" in an IPv6 host
        return None
    allowed = _IMAGE_SCHEMES if image else _LINK_SCHEMES
    return url if scheme in allowed else None


def is_hidden(element: etree._Element) -> bool:
    """Whether the page hides this element from sighted readers (and so should we)."""
    get = element.get
    if get("hidden") is not None or (get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _dimension(value: str | None) -> int | None:
    match = _LEADING_INT.match(value) if value else None
    return int(match.group(1)) if match else None


def is_tracking_pixel(element: etree._Element) -> bool:
    """An image declared at most 2 pixels wide or high: a web beacon, not content."""
    width, height = _dimension(element.get("width")), _dimension(element.get("height"))
    return (width is not None and width <= 2) or (height is not None and height <= 2)


def code_language(pre: etree._Element) -> str | None:
    """The language named by `class="language-x"` (or lang-x, highlight-x) on a `<pre>` or on
    the `<code>` inside it, if pygments knows it."""
    candidates = [pre, *(child for child in pre if child.tag == "code")][:2]
    for element in candidates:
        for name in (element.get("class") or "").lower().split():
            for prefix in _LANGUAGE_PREFIXES:
                if name.startswith(prefix):
                    language = name[len(prefix) :]
                    if _LANGUAGE_NAME.fullmatch(language) and lexer_for(language):
                        return language
    return None


@lru_cache(maxsize=128)
def lexer_for(name: str) -> Lexer | None:
    """The pygments lexer for a language name, looked up once: the lookup costs more than
    highlighting a short snippet. Lexers keep no state between calls, so sharing is safe."""
    from pygments.lexers import get_lexer_by_name  # imported on first use: it is slow to load
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None
