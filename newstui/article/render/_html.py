"""Sanitized feed HTML → `Rendered`: one pass over the lxml tree, no recursion, no markup.

The walk uses `lxml.etree.iterwalk` (start/end events), so nesting depth costs a list entry,
never a Python stack frame. Each tag's start handler tells the `Builder` what begins and returns
what to do at its end. Dropped elements (scripts, forms, hidden ones …) are skipped whole; their
tail text, which belongs to the parent, is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml import etree
from rich.text import Text

from newstui.article.render._builder import Builder, Indent
from newstui.article.render._document import Document, Rendered
from newstui.article.render._parse import (
    code_language,
    is_hidden,
    is_tracking_pixel,
    lexer_for,
    parse_html,
)
from newstui.article.render._structures import End, definition, item, list_start, table, table_part
from newstui.article.render._styles import RenderStyles
from newstui.core.text import clean_block, clean_line

_Handler = Callable[[etree._Element, Builder, etree.iterwalk], End]

_DROP = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "meta", "link", "base",
        "form", "input", "button", "select", "textarea", "option", "optgroup", "datalist",
        "object", "embed", "param", "canvas", "svg", "map", "area", "source", "track",
        "dialog", "frame", "frameset", "applet", "colgroup", "col",
    }
)  # fmt: skip
_GENERIC_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav",
        "address", "center", "hgroup", "fieldset", "details", "figure", "search", "legend",
    }
)  # fmt: skip
_TIGHT_IN_ITEM = frozenset({"div", "ul", "ol", "menu", "dl"})
_INLINE_ROLES = {
    "b": "strong", "strong": "strong",
    "i": "emphasis", "em": "emphasis", "cite": "emphasis", "var": "emphasis", "dfn": "emphasis",
    "u": "underline", "ins": "underline",
    "s": "strike", "del": "strike", "strike": "strike",
    "mark": "mark",
    "small": "small", "sub": "small", "sup": "small",
    "code": "code", "kbd": "code", "samp": "code", "tt": "code",
}  # fmt: skip
_HEADING_ROLES = {"h1": "heading1", "h2": "heading2"}
_FIRST_INDENT = re.compile(r"(?:[ \t]*\r?\n)*([ \t]*)")


def _generic_block(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    gap = not (builder.items and element.tag in _TIGHT_IN_ITEM)
    builder.boundary(gap)
    builder.text(element.text)
    return lambda: builder.boundary(gap)


def _styled_block(role: str, gap: bool, after: bool | None = None) -> _Handler:
    """A block whose text takes a role's style: headings, `<dt>`, captions."""
    gap_after = gap if after is None else after

    def start(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
        builder.boundary(gap)
        pushed = builder.push_style(getattr(builder.styles, role))
        builder.text(element.text)

        def end() -> None:
            builder.boundary(gap_after)
            if pushed:
                builder.pop_style()

        return end

    return start


def _blockquote(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    builder.boundary(True)
    indented = builder.push_indent(Indent(rest=("▌ ", builder.styles.quote_bar)))
    styled = builder.push_style(builder.styles.quote)
    builder.text(element.text)

    def end() -> None:
        builder.boundary(True)
        if indented:
            builder.indents.pop()
        if styled:
            builder.pop_style()

    return end


def _inline(role: str) -> _Handler:
    def start(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
        entry = builder.open_inline(getattr(builder.styles, role))
        builder.text(element.text)
        return lambda: builder.close_inline(entry)

    return start


def _quote(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    builder.styled("“", None)
    builder.text(element.text)
    return lambda: builder.raw("”")


def _link(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    url = builder.resolve(element.get("href"))
    if url is None:  # javascript:, data:, relative without a base: plain text, no number
        builder.text(element.text)
        return None
    entry = builder.open_inline(builder.styles.link, url)
    builder.text(element.text)
    return lambda: builder.close_inline(entry)


def _image(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    if is_tracking_pixel(element):
        return None
    alt = clean_line(element.get("alt") or element.get("title"), limit=200)
    url = builder.resolve(element.get("src"), image=True)
    builder.own_line()
    builder.styled(f"[image: {alt}]" if alt else "[image]", builder.styles.image)
    if url:
        builder.link_number(url)
    builder.own_line()
    return None


def _line_break(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    builder.line_break()
    return None


def _rule(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    builder.rule()
    return None


def _embedded(element: etree._Element, builder: Builder, walker: etree.iterwalk) -> End:
    """`<iframe>`, `<video>`, `<audio>`: a line naming what is there, with a link to it."""
    walker.skip_subtree()  # fallback content ("your browser does not support video")
    src = element.get("src")
    if not src and element.tag != "iframe":
        source = element.find(".//source")
        src = source.get("src") if source is not None else None
    url = builder.resolve(src)
    title = clean_line(element.get("title"), limit=200)
    if not title and url:
        title = clean_line(urlsplit(url).hostname, limit=200)
    if not url and not title:
        return None  # nothing to name and nothing to open: not worth a line
    kind = "embedded" if element.tag == "iframe" else element.tag
    builder.boundary(True)
    builder.styled(f"[{kind}: {title}]" if title else f"[{kind}]", builder.styles.meta)
    if url:
        builder.link_number(url)
    return lambda: builder.boundary(True)


def _pre(element: etree._Element, builder: Builder, walker: etree.iterwalk) -> End:
    walker.skip_subtree()
    builder.boundary(True)
    # The subtree is read as one string, so the walk's dropping of hidden parts (a `$ ` prompt
    # marked aria-hidden, a script) is done here; their tails are code and stay.
    doomed = [
        child
        for child in element.iterdescendants()
        if not isinstance(child.tag, str) or child.tag in _DROP or is_hidden(child)
    ]
    for child in doomed:
        child.clear(keep_tail=True)
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    raw = "".join(element.itertext())
    # clean_block trims the first line's indentation with the leading blank lines; put it back.
    code = clean_block(raw)
    if code:
        indent = _FIRST_INDENT.match(raw)
        code = (indent.group(1) if indent else "") + code
        builder.code_block(_code_text(code, code_language(element), builder))
    return lambda: builder.boundary(True)


def _code_text(code: str, language: str | None, builder: Builder) -> Text:
    styles = builder.styles
    lexer = lexer_for(language) if language else None
    if lexer is not None and len(code) <= builder.highlight_budget:
        from rich.syntax import Syntax  # pygments costs ~30 ms to import: only when needed

        builder.highlight_budget -= len(code)
        text = Syntax(code, lexer, theme=styles.syntax_theme).highlight(code)
        text.rstrip()
        text.style = styles.code_block
    else:
        text = Text(code, style=styles.code_block)
    text.end, text.overflow, text.no_wrap = "", "fold", False
    return text


_HANDLERS: dict[str, _Handler] = {
    **{tag: _generic_block for tag in _GENERIC_BLOCKS},
    **{tag: _inline(role) for tag, role in _INLINE_ROLES.items()},
    **{
        f"h{level}": _styled_block(_HEADING_ROLES.get(f"h{level}", "heading3"), True)
        for level in range(1, 7)
    },
    "dt": _styled_block("strong", False),
    "summary": _styled_block("strong", False),
    "figcaption": _styled_block("caption", False, after=True),
    "blockquote": _blockquote,
    "q": _quote,
    "a": _link,
    "img": _image,
    "br": _line_break,
    "hr": _rule,
    "iframe": _embedded,
    "video": _embedded,
    "audio": _embedded,
    "pre": _pre,
    "listing": _pre,
    "xmp": _pre,
    "ul": list_start,
    "ol": list_start,
    "menu": list_start,
    "dl": _generic_block,
    "li": item,
    "dd": definition,
    "table": table,
    **{tag: table_part for tag in ("tr", "td", "th", "thead", "caption")},
}


MAX_ELEMENTS = 30_000
"""Elements converted per article (a long read has a few thousand; ~30 µs each): the rest is
left out with a note, so no article, however built, holds a render thread for long."""


def walk(root: etree._Element, builder: Builder) -> bool:
    """Feed every element of the tree to the builder, depth first, without recursion.

    Returns whether the article was cut at `MAX_ELEMENTS`.
    """
    walker = etree.iterwalk(root, events=("start", "end"))
    ends: list[End] = []
    budget = MAX_ELEMENTS
    for event, element in walker:
        if event == "start":
            budget -= 1
            if budget < 0:
                while ends:  # close what is open, so styles and indents end properly
                    end = ends.pop()
                    if end is not None:
                        end()
                builder.flush()
                return True
            tag = element.tag
            if not isinstance(tag, str) or tag in _DROP or is_hidden(element):
                walker.skip_subtree()
                ends.append(None)
                continue
            handler = _HANDLERS.get(tag)
            if handler is None:  # span, font, abbr, unknown tags: only their text matters
                builder.text(element.text)
                ends.append(None)
            else:
                ends.append(handler(element, builder, walker))
        else:
            end = ends.pop()
            if end is not None:
                end()
            builder.text(element.tail)
    builder.flush()
    return False


def html_to_rich(
    html: str,
    *,
    base_url: str | None = None,
    width: int | None = None,
    styles: RenderStyles | None = None,
) -> Rendered:
    """Convert (sanitized) feed HTML into something rich can draw.

    Args:
        html: an HTML document or fragment; broken markup is repaired the way browsers do.
        base_url: what relative links and image sources are resolved against (the entry's
            link). Without it, relative links are shown as plain text without a number.
        width: the widest the article is laid out: a reading measure, and the width a table
            must fit in to be drawn as a grid. None: use whatever width the widget has.
        styles: the style of each role; attribute-only defaults when None.

    Returns:
        The article as one renderable, plus its numbered links.
    """
    builder = Builder(styles or RenderStyles(), base_url)
    root, truncated = parse_html(html) if html and not html.isspace() else (None, False)
    too_long = walk(root, builder) if root is not None else False
    if truncated or too_long:
        builder.boundary(True)
        why = "nested too deeply" if truncated else "too long"
        builder.styled(f"[the rest of this article is {why} to show]", builder.styles.meta)
        builder.flush()
    texts = tuple(builder.link_texts.get(url, "") for url in builder.links)
    return Rendered(Document(builder.blocks, max_width=width), tuple(builder.links), texts)
