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


def sanitize_html(fragment: str, base_url: str | None) -> str:
    """Untrusted HTML → HTML with only safe tags/attributes and absolute URLs."""
    fragment = strip_controls(fragment[:MAX_HTML_CHARS])
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
    spaced = _BLOCK_BREAK.sub(" ", strip_controls(fragment[:MAX_HTML_CHARS]))
    return html.unescape(nh3.clean(spaced, tags=set()))


def text_to_html(text: str) -> str:
    """Plain text (JSON Feed `content_text`, Atom type="text") as paragraphs of HTML."""
    paragraphs = re.split(r"\n\s*\n", strip_controls(text.strip()[:MAX_HTML_CHARS]))
    return "".join(
        "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p.strip()
    )
