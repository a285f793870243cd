"""The laid-out article: a list of blocks and the one rich renderable that draws them.

Why not a single `rich.text.Text`? Three things an article needs cannot be expressed in one `Text`
without fixing the width in advance: the hanging indent of a wrapped list item, the quote bar on
*every* wrapped line of a block quote, and a table that is drawn as a grid when it fits and as
plain rows when it does not. `Document` keeps each paragraph as a `Text` (no markup, `overflow=
"fold"`) plus the prefixes of its first and following lines, and wraps at render time. So the
TUI shows one renderable in one widget, and a resize re-wraps it without converting the HTML
again.

Nothing here parses HTML or knows about feeds; `_html.py` builds the blocks.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from newstui.article.render._wrap import divide, wrap_text

_MIN_TEXT_WIDTH = 20
"""Below this many cells for the text itself, indentation is dropped: a deeply nested item is
better shown flush left than as one letter per line."""

_EMPTY = Text("", end="")


def _empty() -> Text:
    return _EMPTY


@dataclass(slots=True, eq=False)
class Block:
    """Where a block sits: its blank line before, and the prefixes of its lines."""

    gap: bool = False
    """Whether a blank line separates this block from the one before."""
    gap_prefix: Text = field(default_factory=_empty)
    """What that blank line shows: the quote bars the two blocks share, for instance."""
    first_prefix: Text = field(default_factory=_empty)
    """Drawn before the first line: indentation, quote bars, a list marker."""
    rest_prefix: Text = field(default_factory=_empty)
    """Drawn before every following line, which is how wrapped items get a hanging indent."""


@dataclass(slots=True, eq=False)
class Paragraph(Block):
    """Running text (or a code block), wrapped to whatever width is available."""

    text: Text = field(default_factory=_empty)
    pad_style: Style | None = None
    """For code blocks whose style has a background: fill each line to the full width."""
    continuation: Style | None = None
    """Set for code blocks: a line too long for the width goes on after a `↪` mark in this
    style, at the line's own indentation. Wrapped to the block's left edge, a continuation
    would read as a new statement (in Python, as a dedent)."""


@dataclass(slots=True, eq=False)
class Rule(Block):
    """A horizontal rule across the available width."""

    style: Style = field(default_factory=Style)


@dataclass(slots=True, eq=False)
class TableBlock(Block):
    """A table; drawn as a grid if its narrowest layout fits, else as one line per row."""

    rows: list[list[Text]] = field(default_factory=list)
    header: bool = False
    """Whether `rows[0]` is a header row."""
    header_style: Style = field(default_factory=Style)
    border_style: Style = field(default_factory=Style)

    def min_width(self) -> int:
        """The narrowest grid rich could draw without breaking a word.

        Each column needs its longest word; the square box adds one border per column plus
        one, and each cell has one space of padding on both sides.
        """
        columns = max(len(row) for row in self.rows)
        widest = [0] * columns
        for row in self.rows:
            for index, cell in enumerate(row):
                words = cell.plain.split()
                if words:
                    widest[index] = max(widest[index], max(cell_len(word) for word in words))
        return sum(widest) + 3 * columns + 1

    def grid(self) -> Table:
        """The table as a rich `Table`. Cells are `Text`, so nothing is parsed as markup."""
        columns = max(len(row) for row in self.rows)
        table = Table(
            box=box.SQUARE,
            show_header=self.header,
            header_style=self.header_style,
            border_style=self.border_style,
            expand=False,
        )
        head = self.rows[0] if self.header else []
        for index in range(columns):
            label = head[index] if index < len(head) else Text("")
            table.add_column(header=label, overflow="fold")
        for row in self.rows[1:] if self.header else self.rows:
            table.add_row(*row, *[Text("")] * (columns - len(row)))
        return table

    def plain_rows(self) -> Iterator[Text]:
        """The fallback for narrow screens: each row on its own line, cells separated by │."""
        separator = Text(" │ ", style=self.border_style, end="")
        for index, row in enumerate(self.rows):
            cells = [Text(" ", end="").join(cell.split()) for cell in row if cell.plain.strip()]
            line = separator.join(cells)
            if self.header and index == 0:
                line.stylize(self.header_style)
            line.overflow = "fold"
            yield line


class Document:
    """A whole article as one rich renderable; it lays itself out at the width it is given."""

    __slots__ = ("blocks", "max_width")

    def __init__(self, blocks: Iterable[Block], max_width: int | None = None) -> None:
        self.blocks: tuple[Block, ...] = tuple(blocks)
        self.max_width = max_width
        """The widest the article is laid out, however wide the space: a reading measure."""

    def _width(self, options: ConsoleOptions) -> int:
        width = options.max_width
        if self.max_width is not None:
            width = min(width, self.max_width)
        return max(1, width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self._width(options)
        return Measurement(min(width, _MIN_TEXT_WIDTH), width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self._width(options)
        new_line = Segment.line()
        # Prefix Texts are shared between blocks by the builder, so render each one once.
        cache: dict[int, list[Segment]] = {}

        def segments(prefix: Text) -> list[Segment]:
            found = cache.get(id(prefix))
            if found is None:
                found = cache[id(prefix)] = list(prefix.render(console))
            return found

        for block in self.blocks:
            first, rest = block.first_prefix, block.rest_prefix
            prefix_width = max(first.cell_len, rest.cell_len)
            if width - prefix_width < min(_MIN_TEXT_WIDTH, width):
                first = rest = _EMPTY
                prefix_width = 0
            available = width - prefix_width
            if block.gap:
                yield from segments(block.gap_prefix if prefix_width else _EMPTY)
                yield new_line
            first_segments, rest_segments = segments(first), segments(rest)
            for number, line in enumerate(self._lines(block, console, options, available)):
                yield from first_segments if number == 0 else rest_segments
                yield from line
                yield new_line

    def _lines(
        self, block: Block, console: Console, options: ConsoleOptions, width: int
    ) -> Iterator[list[Segment]]:
        if isinstance(block, Paragraph) and block.continuation is not None:
            yield from _wrap_code(block, console, width)
        elif isinstance(block, Paragraph):
            yield from _wrap(block.text, console, width, block.pad_style)
        elif isinstance(block, Rule):
            yield [Segment("─" * width, console.get_style(block.style))]
        elif isinstance(block, TableBlock):
            if block.min_width() <= width:
                grid = block.grid()
                yield from console.render_lines(grid, options.update_width(width), pad=False)
            else:
                for row in block.plain_rows():
                    # Continuation lines of a row are indented so rows stay distinguishable.
                    lines = wrap_text(row, console, max(1, width - 2))
                    for number, line in enumerate(lines):
                        indent = [] if number == 0 else [Segment("  ")]
                        yield [*indent, *_render(line, console)]


def _render(line: Text, console: Console) -> list[Segment]:
    # `Text.render` ignores the Text's own style when it has no spans (rich applies it in
    # `__rich_console__`, which we bypass to add prefixes), so lay the base style under here.
    segments = list(line.render(console))
    if line.style:
        segments = list(Segment.apply_style(segments, console.get_style(line.style)))
    return segments


def _wrap(
    text: Text, console: Console, width: int, pad_style: Style | None
) -> Iterator[list[Segment]]:
    pad = console.get_style(pad_style) if pad_style is not None else None
    for line in wrap_text(text, console, width):
        segments = _render(line, console)
        if pad is not None and line.cell_len < width:
            segments.append(Segment(" " * (width - line.cell_len), pad))
        yield segments


CONTINUATION = "↪ "
"""Starts each continuation of a code line that had to be wrapped."""
_MAX_CODE_INDENT = 0.5
"""A continuation keeps its line's indentation only up to this share of the width."""


def _wrap_code(block: Paragraph, console: Console, width: int) -> Iterator[list[Segment]]:
    """A code block: each line as it is if it fits, else wrapped (at spaces where it can) with
    every continuation indented like its line and marked, so it cannot pass for code."""
    pad = console.get_style(block.pad_style) if block.pad_style is not None else None
    mark = console.get_style(block.continuation) if block.continuation else None
    if pad is not None:
        mark = pad + mark if mark is not None else pad

    def padded(segments: list[Segment], used: int) -> list[Segment]:
        if pad is not None and used < width:
            segments.append(Segment(" " * (width - used), pad))
        return segments

    for line in block.text.split(allow_blank=True):
        if "\t" in line.plain:
            line.expand_tabs(8)
        if line.cell_len <= width:
            yield padded(_render(line, console), line.cell_len)
            continue
        plain = line.plain
        indent = cell_len(plain[: len(plain) - len(plain.lstrip())])
        indent = min(indent, int(width * _MAX_CODE_INDENT))
        lead = " " * indent + CONTINUATION
        narrower = max(1, width - len(lead))
        if narrower < _MIN_TEXT_WIDTH // 2:  # too narrow to indent: mark only
            lead = CONTINUATION[: max(0, width - 1)]
            narrower = max(1, width - len(lead))
        first, *rest = line.divide(divide(plain, width)[:1])
        first.rstrip()
        yield padded(_render(first, console), first.cell_len)
        if not rest:
            continue
        remainder = rest[0]
        remainder = remainder[len(remainder.plain) - len(remainder.plain.lstrip()) :]
        for piece in remainder.divide(divide(remainder.plain, narrower)):
            piece.rstrip()
            piece.truncate(narrower, overflow="fold")
            segments = [Segment(lead, mark), *_render(piece, console)]
            yield padded(segments, len(lead) + piece.cell_len)


@dataclass(frozen=True, slots=True)
class Rendered:
    """An article converted for the terminal.

    Show `renderable` in one widget (a Textual `Static` takes it as is). It wraps itself to the
    widget's width, so resizing never needs another conversion.
    """

    renderable: Document
    """The article as a single rich renderable."""
    links: tuple[str, ...]
    """Absolute URLs of the numbered links and images: `[N]` in the text is `links[N - 1]`."""
    link_texts: tuple[str, ...] = ()
    """What each link says in the text ("" for images and bare numbers), by the same index."""


def plain_text(rendered: Rendered, width: int = 80, *, with_links: bool = False) -> str:
    """Render to plain wrapped text, without escape codes: for piping, searching and tests.

    Args:
        rendered: what `html_to_rich` returned.
        width: the terminal width to wrap at.
        with_links: append a numbered list of the links, the way text browsers do.

    Returns:
        The lines joined with newlines, trailing spaces removed, no trailing newline.
    """
    out = plain_lines(rendered.renderable, width)
    if with_links and rendered.links:
        out += ["", "Links:"]
        out += [f"[{number}] {url}" for number, url in enumerate(rendered.links, 1)]
    return "\n".join(out)


def plain_lines(renderable: RenderableType, width: int) -> list[str]:
    """Any renderable as plain lines wrapped at `width`: no escape codes, no trailing blanks."""
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=None,
        force_terminal=False,
        legacy_windows=False,
        no_color=True,
        highlight=False,
        markup=False,
        emoji=False,
    )
    lines = console.render_lines(renderable, console.options.update_width(width), pad=False)
    out = [
        "".join(segment.text for segment in line if not segment.control).rstrip() for line in lines
    ]
    while out and not out[-1]:
        out.pop()
    return out
