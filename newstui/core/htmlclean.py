"""Sanitizing feed HTML and turning it into plain text. Pure; nh3 (ammonia) does the work.

Sanitized HTML keeps what a reader can show (structure, links, images, code language classes)
and the marks the renderer needs to drop hidden content (`hidden`, `aria-hidden`,
`display`/`visibility` styles). Relative URLs are resolved against the content's own base.
"""

from __future__ import annotations

import html
import re
import threading
from urllib.parse import urljoin

import nh3

from newstui.core.text import strip_controls

MAX_HTML_CHARS = 2_000_000
"""An entry body larger than this is cut before sanitizing: a reader never needs more."""
MAX_DEPTH = 256
"""Elements open at once beyond this are dropped (their text kept) before any HTML parser sees
them: html5ever (nh3) and libxml2 spend time quadratic in the nesting depth (200,000 nested
`<div>`s held a refresh for minutes). 256 is libxml2's own default limit; real pages stay far
below it."""
MAX_FORMATTING = 8
"""Unclosed formatting elements (`<b>`, `<font>`, `<em>`...) kept at once. An HTML parser
re-opens every one of them at each new paragraph, so 128 of them before 100,000 `<p>x`
made 12 MB of output; real text nests a few."""

_VOID = frozenset(
    [
        "area",
        "base",
        "basefont",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "img",
        "input",
        "isindex",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_OPTIONAL_END = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "rb",
        "rt",
        "rp",
        "rtc",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "html",
        "head",
        "body",
        "a",
        "nobr",
    ]
)
"""Elements the parser closes by itself (a `<p>` ends at the next `<p>`, an `<a>` at the next
`<a>`): a run of them unclosed is not nesting, and counting it as such would flatten (and
unlink) ordinary sloppy HTML."""
_RAW_TEXT = frozenset(["script", "style"])
"""Elements whose content an HTML parser reads as text up to their end tag."""
_OPAQUE = frozenset(
    ["svg", "math", "noscript", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
     "plaintext", "template"]
)  # fmt: skip
"""Inside these a `<script>` may not be one to every parser: in SVG and MathML it holds markup;
html5ever (nh3) reads `<noscript>` (scripting on), `<textarea>`, `<title>`... as text, libxml2
as markup, so a `<script>` there is text to one parser and a script to the other."""
_FORMATTING = frozenset(
    ["b", "big", "code", "em", "font", "i", "s", "small", "strike", "strong", "tt", "u"]
)
_UNCOUNTED = _VOID | _OPTIONAL_END
_FORMATTING_START = re.compile(
    r"<(?:b|big|code|em|font|i|s|small|strike|strong|tt|u)[\t\n\f\r />]", re.IGNORECASE
)
"""Every start tag `_TAG` can read as a formatting element (and maybe more: inside another
tag's attributes; IGNORECASE also matches the Kelvin sign that `.lower()` turns into "k")."""
_TAG = re.compile(r"(<(/?)([A-Za-z][^\t\n\f\r />]{0,40})[^>]{0,8000}>)")

_TAGS = nh3.ALLOWED_TAGS | {"iframe", "video", "audio", "source", "picture", "tfoot"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"hidden", "aria-hidden", "style", "lang", "dir", "title"},
    "code": {"class"},
    "pre": {"class"},
    "div": {"class"},
    "iframe": {"src", "title"},
    "video": {"src", "poster", "title"},
    "audio": {"src", "title"},
    "source": {"src", "type"},
}
_BLOCK_BREAK = re.compile(r"(?i)<(?:br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\b[^>]*>")


_base = threading.local()
"""The base URL of the fragment being cleaned on this thread (see `_resolve`)."""


def _resolve(url: str) -> str:
    """ammonia calls this for relative URLs only: resolve them against the current base."""
    base = getattr(_base, "url", None)
    return urljoin(base, url) if base else url


# Built once: configuring ammonia on every call cost more than the cleaning itself.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    filter_style_properties={"display", "visibility"},
    link_rel=None,
    url_relative=_resolve,
)


def limit_nesting(html: str, max_depth: int = MAX_DEPTH) -> str:
    """`html` with the start tags (and their end tags) that would nest deeper than `max_depth`,
    or hold more than `MAX_FORMATTING` formatting elements open, removed; their text is kept.

    One linear pass with a regular expression, no tree: it runs before the parsers whose cost
    grows with the depth. Ordinary HTML comes back unchanged (the same object). What is inside
    `<script>` and `<style>` is text to every HTML parser, so tags there are not counted (a
    news page's script held 800 `<tabItem .../>` strings, and reader mode refused the page).
    Only where both parsers agree on that: inside `<svg>` or `<math>` a script holds markup,
    and inside `<noscript>`, `<textarea>`, `<title>`... one parser reads `<script>` itself as
    text; there everything is counted. Tags inside comments are counted too, which can only
    make the limit bite earlier.
    """
    # At least as many as there are start tags. The end tags are counted only when that
    # decides something: a two-character count costs twice the one-character one, and an
    # ordinary entry body has far fewer than `max_depth` tags of both kinds together.
    starts = html.count("<")
    if starts > max_depth:
        starts -= html.count("</")
    if starts <= MAX_FORMATTING:  # too few start tags to matter
        return html
    # A cut needs more than `max_depth` start tags or more than MAX_FORMATTING formatting
    # ones: without either, the pass below would give `html` back unchanged.
    if starts <= max_depth and len(_FORMATTING_START.findall(html)) <= MAX_FORMATTING:
        return html
    return _limit_nesting_pass(html, max_depth)


def _limit_nesting_pass(html: str, max_depth: int) -> str:
    """`limit_nesting`'s pass over every tag (its shortcuts aside)."""
    parts = _TAG.split(html)  # text, whole tag, "/" or "", name, text, whole tag, ...
    depth = formatting = 0
    raw_text: str | None = None  # the <script> or <style> we are inside of
    dropped: dict[str, int] = {}
    # The open elements, innermost last, and how many of each name: an end tag closes only
    # an element that is open (with those opened inside it, as a browser does), so end tags
    # that close nothing ("<div></span>" x 20,000) cannot hide the depth.
    opened: list[str] = []
    open_count: dict[str, int] = {}
    cut = False
    for i in range(1, len(parts), 4):
        name = parts[i + 2].lower()
        if raw_text is not None:
            if not (parts[i + 1] and name == raw_text):
                continue  # text, as the parser sees it: kept as it is
            raw_text = None
        if name in _UNCOUNTED:
            continue
        if parts[i + 1]:  # an end tag
            if dropped.get(name):
                dropped[name] -= 1
                parts[i] = ""
            elif open_count.get(name):
                while True:
                    closed = opened.pop()
                    open_count[closed] -= 1
                    depth -= 1
                    formatting -= closed in _FORMATTING
                    if closed == name:
                        break
        elif depth >= max_depth or (name in _FORMATTING and formatting >= MAX_FORMATTING):
            dropped[name] = dropped.get(name, 0) + 1
            parts[i] = ""
            cut = True
        else:
            opened.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            depth += 1
            formatting += name in _FORMATTING
            if name in _RAW_TEXT and not any(open_count.get(other) for other in _OPAQUE):
                raw_text = name
    if not cut:
        return html
    kept = [parts[0]]
    for i in range(1, len(parts), 4):
        kept.append(parts[i])
        kept.append(parts[i + 3])
    return "".join(kept)


def sanitize_html(fragment: str, base_url: str | None) -> str:
    """Untrusted HTML → HTML with only safe tags/attributes and absolute URLs."""
    fragment = limit_nesting(strip_controls(fragment[:MAX_HTML_CHARS]))
    _base.url = (
        base_url if base_url and base_url.lower().startswith(("http://", "https://")) else None
    )
    try:
        return _CLEANER.clean(fragment).strip()
    finally:
        _base.url = None


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped, entities decoded (not yet control-cleaned)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    spaced = _BLOCK_BREAK.sub(" ", limit_nesting(strip_controls(fragment[:MAX_HTML_CHARS])))
    return html.unescape(nh3.clean(spaced, tags=set()))


def text_to_html(text: str) -> str:
    """Plain text (JSON Feed `content_text`, Atom type="text") as paragraphs of HTML."""
    paragraphs = re.split(r"\n\s*\n", strip_controls(text.strip()[:MAX_HTML_CHARS]))
    return "".join(
        "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p.strip()
    )
