"""The state of an article being built: the open paragraph, the open blocks, the link list.

`_html.py` walks the HTML and calls in here; this module knows nothing of tags. Each paragraph
is collected as plain string parts plus `Span`s and becomes a `Text` only when it ends, which is
what keeps a 200 KB article in the tens of milliseconds. Every piece of text taken from the HTML
passes through `newstui.core.text` first, so escape sequences and control characters never reach the
terminal, and nothing from the feed is ever parsed as rich or Textual markup.

Whitespace follows the browser: runs collapse to one space, `<pre>` keeps its own, blocks are
separated by one blank line (list items, `<dt>`/`<dd>` and lists nested in items are tight).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Span, Text

from newstui.article.render._document import Block, Paragraph, Rule, TableBlock
from newstui.article.render._parse import resolve_url
from newstui.article.render._styles import RenderStyles
from newstui.core.text import clean_line

MAX_NESTING = 12
"""Indentation levels (lists, quotes, `<dd>`) drawn before further ones stop indenting."""
_NO_LIMIT = 1 << 62


@dataclass(slots=True, eq=False)
class Indent:
    """One level of line prefix: a quote bar, or a list item's marker and hanging indent."""

    rest: tuple[str, Style | None]
    marker: tuple[str, Style | None] | None = None
    """Shown once, on the first line of the item's first block, then replaced by `rest`."""


@dataclass(slots=True, eq=False)
class ListState:
    """An open `<ul>`/`<ol>`: what the next item's marker is, and how wide markers get."""

    ordered: bool
    next: int = 1
    step: int = 1
    kind: str = "1"
    width: int = 0
    depth: int = 0
    """How many unordered lists enclose this one: picks the bullet shape."""


@dataclass(slots=True, eq=False)
class _Inline:
    index: int
    """Position of this element's span in the paragraph's span list (kept so the outer span
    stays earlier in the list: rich lets later spans win, and the inner style should win)."""
    style: Style
    url: str | None = None
    """For a link: where it points, so a paragraph break inside it can number it early."""
    start: int = 0
    """`Builder.total` when the element opened: whether it has had any text since."""
    numbered: bool = False


@dataclass(slots=True, eq=False)
class Cell:
    """An open table cell (or caption): its paragraphs become lines of one `Text`."""

    lines: list[Text]
    header: bool


class Builder:
    """Collects paragraphs and blocks while `_html.walk` goes through the tree."""

    def __init__(self, styles: RenderStyles, base_url: str | None) -> None:
        self.styles = styles
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self.link_texts: dict[str, str] = {}
        """The text of each link where it first appears (for the `L` list)."""
        self._numbers: dict[str, int] = {}
        # The paragraph being collected.
        self._parts: list[str] = []
        self.length = 0
        self.total = 0
        """Characters emitted so far in the whole article: tells whether a link had text."""
        self._spans: list[Span] = []
        self._open: list[_Inline] = []
        self._space = False
        self._break = False
        self._line_start = True
        self._newlines = 0
        # Where the next block goes.
        self.gap = False
        self.items = 0
        """Open list items and `<dd>`s: blocks nested in them are tight, not blank-separated."""
        self.lists: list[ListState] = []
        self.indents: list[Indent] = []
        self.block_styles: list[Style] = []
        self._block_style: Style | None = None
        self._last_indents: tuple[Indent, ...] = ()
        self._prefixes: dict[tuple[tuple[str, Style | None], ...], Text] = {}
        # Tables: only the outermost one keeps its grid; anything nested is flattened into cells.
        self.table_rows: list[list[Text]] | None = None
        self.table_header_rows: list[bool] = []
        self.row: list[Text] | None = None
        self.row_header = True
        self.in_thead = False
        self.cell: Cell | None = None
        self.caption: Text | None = None
        self.highlight_budget = 20_000
        """Characters of code still allowed syntax highlighting: pygments needs ~2.5 ms/KB,
        so a code-heavy article would otherwise blow the conversion budget."""

    # --- inline text -------------------------------------------------------------------------

    def text(self, raw: str | None) -> None:
        """Add text as a browser shows it: whitespace collapsed, controls removed."""
        if not raw:
            return
        body = clean_line(raw, limit=_NO_LIMIT)
        if raw[0].isspace():
            self._space = True
        if body:
            self._emit(body)
            self._space = raw[-1].isspace()

    def _emit(self, body: str) -> None:
        if self._break and self.length:
            self._parts.append("\n")
            self.length += 1
            self._line_start = True
        elif self._space and not self._line_start:
            self._parts.append(" ")
            self.length += 1
        self._break = self._space = False
        self.raw(body)

    def raw(self, body: str, style: Style | None = None) -> None:
        """Append text verbatim (already clean), optionally with a style of its own."""
        if not body:
            return
        if style is not None:
            self._spans.append(Span(self.length, self.length + len(body), style))
        self._parts.append(body)
        self.length += len(body)
        self.total += len(body)
        self._line_start = False
        self._newlines = 0

    def styled(self, body: str, style: Style | None) -> None:
        """Append generated text (a placeholder, a quote mark) with whitespace handled."""
        self._emit("")
        self.raw(body, style)

    def line_break(self) -> None:
        """`<br>`: a new line, but never more than one blank line in a row."""
        self._break = False
        if self.length and self._newlines < 2:
            self._parts.append("\n")
            self.length += 1
            self._newlines += 1
            self._line_start = True
            self._space = False

    def own_line(self) -> None:
        """Start the next text on a new line (used around image placeholders)."""
        if self.length and not self._line_start:
            self._break = True

    def open_inline(self, style: Style, url: str | None = None) -> _Inline:
        """Start a styled run (a link, when `url` is given) at the current position."""
        # A pending space goes out now, so the span does not start with it (no underlined blank).
        self._emit("")
        entry = _Inline(len(self._spans), style, url, self.total)
        self._spans.append(Span(self.length, self.length, style))
        self._open.append(entry)
        return entry

    def close_inline(self, entry: _Inline) -> None:
        """End a styled run; a link with text gets its number here, unless it already has one."""
        if entry in self._open:
            span = self._spans[entry.index]
            self._spans[entry.index] = Span(span.start, self.length, span.style)
            self._open.remove(entry)
        self._number_link(entry)

    def _number_link(self, entry: _Inline) -> None:
        # An empty <a></a> is an anchor, not a link worth offering.
        if entry.url and not entry.numbered and self.total > entry.start:
            if entry.url not in self.link_texts:
                paragraph = "".join(self._parts)
                text = paragraph[-(self.total - entry.start) :]
                self.link_texts[entry.url] = " ".join(text.split())[:120]
            self.link_number(entry.url)
            entry.numbered = True

    def number(self, url: str) -> int:
        """The link number for `url`; the same URL always gets the same number."""
        found = self._numbers.get(url)
        if found is None:
            self.links.append(url)
            found = self._numbers[url] = len(self.links)
        return found

    def link_number(self, url: str) -> None:
        self.raw(f"[{self.number(url)}]", self.styles.link_number)

    def resolve(self, href: str | None, *, image: bool = False) -> str | None:
        return resolve_url(href, self.base_url, image=image)

    # --- paragraphs and blocks ---------------------------------------------------------------

    def flush(self) -> None:
        """End the current paragraph, handing it to the open table cell or to the article."""
        # Broken HTML leaves links open across blocks; their number belongs with their text.
        for entry in self._open:
            self._number_link(entry)
        plain = "".join(self._parts).rstrip()
        end = len(plain)
        spans = [
            Span(span.start, min(span.end, end), span.style)
            for span in self._spans
            if span.start < min(span.end, end)
        ]
        self._parts, self._spans = [], []
        self.length = 0
        self._space = self._break = False
        self._line_start, self._newlines = True, 0
        for entry in self._open:  # inline elements that span the break carry on in the next one
            entry.index = len(self._spans)
            self._spans.append(Span(0, 0, entry.style))
        if not end:
            return
        text = Text(plain, style=self._current_block_style(), spans=spans, end="")
        text.overflow, text.no_wrap = "fold", False
        if self.cell is not None:
            self.cell.lines.append(text)
        else:
            self.add(Paragraph(text=text))

    def _current_block_style(self) -> Style | str:
        if not self.block_styles:
            return ""
        if self._block_style is None:
            self._block_style = Style.combine(self.block_styles)
        return self._block_style

    def push_style(self, style: Style) -> bool:
        if len(self.block_styles) >= MAX_NESTING:
            return False
        self.block_styles.append(style)
        self._block_style = None
        return True

    def pop_style(self) -> None:
        self.block_styles.pop()
        self._block_style = None

    def push_indent(self, indent: Indent) -> bool:
        if len(self.indents) >= MAX_NESTING:
            return False
        self.indents.append(indent)
        return True

    def boundary(self, gap: bool) -> None:
        """A block starts or ends here: close the paragraph, and ask for a blank line."""
        self.flush()
        if gap:
            self.gap = True

    def add(self, block: Block) -> None:
        """Place a finished block: its blank line before and its prefixes."""
        indents = tuple(self.indents)
        block.gap = self.gap and bool(self.blocks)
        if block.gap:
            shared = 0
            for mine, theirs in zip(indents, self._last_indents, strict=False):
                if mine is not theirs:
                    break
                shared += 1
            block.gap_prefix = self._prefix(tuple(i.rest for i in indents[:shared]), strip=True)
        block.first_prefix = self._prefix(tuple(i.marker or i.rest for i in indents))
        block.rest_prefix = self._prefix(tuple(i.rest for i in indents))
        for indent in indents:
            indent.marker = None
        self.gap = False
        self._last_indents = indents
        self.blocks.append(block)

    def _prefix(self, pieces: tuple[tuple[str, Style | None], ...], *, strip: bool = False) -> Text:
        key = (*pieces, ("", None)) if strip else pieces
        found = self._prefixes.get(key)
        if found is None:
            found = Text(end="")
            for body, style in pieces:
                found.append(body, style)
            if strip:
                found.rstrip()
            self._prefixes[key] = found
        return found

    def code_block(self, text: Text) -> None:
        """A `<pre>`: indented by two cells, wrapped but never reflowed."""
        if self.cell is not None:
            self.cell.lines.append(text)
            return
        pushed = self.push_indent(Indent(rest=("  ", None)))
        pad = self.styles.code_block if self.styles.code_block.bgcolor is not None else None
        self.add(Paragraph(text=text, pad_style=pad, continuation=self.styles.meta))
        if pushed:
            self.indents.pop()

    def rule(self) -> None:
        self.boundary(True)
        if self.cell is None:
            self.add(Rule(style=self.styles.hr))
        self.gap = True

    # --- tables ------------------------------------------------------------------------------

    def start_cell(self, header: bool) -> None:
        self.flush()
        if self.row is None:
            self.row, self.row_header = [], True
        self.cell = Cell([], header or self.in_thead)

    def end_cell(self) -> None:
        cell = self.cell
        if cell is None or self.row is None:
            return
        self.flush()
        self.cell = None
        text = Text("\n", end="").join(cell.lines)
        text.overflow = "fold"
        if cell.header:
            text.stylize(self.styles.table_header)
        self.row.append(text)
        self.row_header = self.row_header and cell.header

    def end_row(self) -> None:
        if self.row is not None and self.table_rows is not None and self.row:
            self.table_rows.append(self.row)
            self.table_header_rows.append(self.row_header)
        self.row = None

    def end_table(self) -> None:
        self.end_cell()
        self.end_row()
        rows, headers = self.table_rows or [], self.table_header_rows
        self.table_rows, self.table_header_rows = None, []
        if self.caption is not None:
            self.gap = True
            self.add(Paragraph(text=self.caption))
            self.caption = None
        columns = max((len(row) for row in rows), default=0)
        if columns == 1:
            # A one-column "table" is page layout, not data: show its cells as paragraphs.
            for row in rows:
                self.gap = True
                self.add(Paragraph(text=row[0]))
        elif columns:
            self.add(
                TableBlock(
                    rows=rows,
                    header=headers[0],
                    header_style=self.styles.table_header,
                    border_style=self.styles.meta,
                )
            )
        self.gap = True
