"""Article bodies for the terminal: sanitized feed HTML → one rich renderable plus its links.

Pure: imports rich and lxml, never Textual (the UI shows the result in a widget). Feed text is
never parsed as markup and always passes through `newstui.core.text`, so it cannot inject actions,
styles or terminal escape sequences.

    rendered = html_to_rich(entry.content_html, base_url=entry.link)
    Static(rendered.renderable)          # wraps itself to the widget's width
    rendered.links[n - 1]                # what "[n]" in the text points to
    plain_text(rendered, width=60)       # the same, as plain text

The result is a `Document` renderable rather than a single `rich.text.Text`: hanging indents,
quote bars on every wrapped line and tables that fall back to plain rows all depend on the
width, which only the widget knows (see `_document.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newstui.article.render._document import Document, Rendered, plain_lines, plain_text
from newstui.article.render._styles import RenderStyles
from newstui.article.render._wrap import Wrapped

if TYPE_CHECKING:
    from newstui.article.render._html import html_to_rich


def __getattr__(name: str) -> Any:
    # The converter brings lxml (~10 ms to import): loaded with the first article, not when
    # the reader starts (themes need only RenderStyles).
    if name == "html_to_rich":
        from newstui.article.render._html import html_to_rich

        return html_to_rich
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Document",
    "RenderStyles",
    "Rendered",
    "Wrapped",
    "html_to_rich",
    "plain_lines",
    "plain_text",
]
