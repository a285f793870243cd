"""Sanitizing feed HTML and turning it into plain text. Pure; nh3 (ammonia) does the work.

Sanitized HTML keeps what a reader can show (structure, links, images, code language classes)
and the marks the renderer needs to drop hidden content (`hidden`, `aria-hidden`,
`display`/`visibility` styles). Relative URLs are resolved against the content's own base.
"""

from __future__ import annotations

import html
import re

import nh3

from newstui.text import strip_controls

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


def sanitize_html(fragment: str, base_url: str | None) -> str:
    """Untrusted HTML → HTML with only safe tags/attributes and absolute URLs."""
    fragment = strip_controls(fragment[:MAX_HTML_CHARS])
    relative: object = "passthrough"
    if base_url and base_url.lower().startswith(("http://", "https://")):
        relative = ("rewrite_with_base", base_url)
    try:
        return nh3.clean(
            fragment,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            filter_style_properties={"display", "visibility"},
            link_rel=None,
            url_relative=relative,
        ).strip()
    except ValueError:
        # ammonia rejects some bases it cannot parse; resolving is then impossible, not unsafe.
        return nh3.clean(
            fragment,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            filter_style_properties={"display", "visibility"},
            link_rel=None,
        ).strip()


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped, entities decoded (not yet control-cleaned)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    spaced = _BLOCK_BREAK.sub(" ", fragment[:MAX_HTML_CHARS])
    return html.unescape(nh3.clean(spaced, tags=set()))


def text_to_html(text: str) -> str:
    """Plain text (JSON Feed `content_text`, Atom type="text") as paragraphs of HTML."""
    paragraphs = re.split(r"\n\s*\n", strip_controls(text.strip()[:MAX_HTML_CHARS]))
    return "".join(
        "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p.strip()
    )
