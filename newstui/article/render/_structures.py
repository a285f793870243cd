"""Start handlers for the structured elements: lists, definition lists and tables.

Split from `_html.py` (which owns the walk and the simpler tags) to keep each module small; the
handler protocol is the same: called at the element's start, returns what to run at its end.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree
from rich.text import Text

from newstui.article.render._builder import Builder, Cell, Indent, ListState

End = Callable[[], None] | None
"""What a start handler returns: the action for the element's end tag, if any."""

_BULLETS = ("•", "◦", "▪")
"""Unordered list markers by nesting depth, as browsers draw disc, circle, square."""


def list_start(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    """`<ul>`, `<ol>`, `<menu>`: blank-separated from the text around, unless nested in an item
    (a sub-list belongs to its item the way a browser draws it, without a gap)."""
    gap = not builder.items
    builder.boundary(gap)
    state = ListState(ordered=element.tag == "ol")
    if state.ordered:
        _number_list(element, state)
    else:
        state.depth = sum(1 for other in builder.lists if not other.ordered)
    builder.lists.append(state)
    builder.text(element.text)

    def end() -> None:
        builder.boundary(gap)
        builder.lists.pop()

    return end


def _number_list(element: etree._Element, state: ListState) -> None:
    # Markers are right-aligned to the widest label, so "9." and "10." share one text column;
    # that needs the item count before the first item is drawn.
    count = sum(1 for child in element if child.tag == "li")
    state.kind = element.get("type") or "1"
    if element.get("reversed") is not None:
        state.next, state.step = count, -1
    start = _integer(element.get("start"))
    if start is not None:
        state.next = start
    last = state.next + state.step * max(count - 1, 0)
    labels = (_label(n, state.kind) for n in range(state.next, last + state.step, state.step))
    state.width = max((len(label) for label in labels), default=1)


def _integer(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _label(number: int, kind: str) -> str:
    """The marker label for `<ol type=…>`; out-of-range numbers fall back to digits."""
    if kind in ("a", "A") and number > 0:
        letters = ""
        while number > 0:
            number, remainder = divmod(number - 1, 26)
            letters = chr(ord("a") + remainder) + letters
        return letters.upper() if kind == "A" else letters
    if kind in ("i", "I") and 0 < number < 4000:
        roman = ""
        for value, digits in (
            (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
        ):  # fmt: skip
            count, number = divmod(number, value)
            roman += digits * count
        return roman.upper() if kind == "I" else roman
    return str(number)


def item(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    """`<li>`: the marker goes on the item's first line, later lines hang under its text."""
    builder.boundary(False)
    state = builder.lists[-1] if builder.lists else ListState(ordered=False)
    if state.ordered:
        value = _integer(element.get("value"))
        if value is not None:
            state.next = value
        marker = _label(state.next, state.kind).rjust(state.width) + ". "
        state.next += state.step
    else:
        marker = _BULLETS[state.depth % len(_BULLETS)] + " "
    if builder.cell is not None:  # no indentation inside a table cell: keep the marker only
        builder.line_break()
        builder.styled(marker, None)
        builder.text(element.text)
        return None
    indented = builder.push_indent(Indent(rest=(" " * len(marker), None), marker=(marker, None)))
    builder.items += 1
    builder.text(element.text)

    return _close_item(builder, indented)


def _close_item(builder: Builder, indented: bool) -> End:
    """What ends a list item or a definition: a tight boundary, and its indent popped."""

    def end() -> None:
        builder.boundary(False)
        builder.items -= 1
        if indented:
            builder.indents.pop()

    return end


def definition(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    """`<dd>`: indented under its term, tight, as browsers draw definition lists."""
    builder.boundary(False)
    indented = builder.push_indent(Indent(rest=("    ", None)))
    builder.items += 1
    builder.text(element.text)

    return _close_item(builder, indented)


def table(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    """`<table>`: collected row by row, drawn by `TableBlock` once the width is known."""
    if builder.table_rows is not None or builder.cell is not None:
        # A table inside a table: flattened into the outer cell, one line per row.
        builder.flush()
        builder.text(element.text)
        return builder.flush
    builder.boundary(True)
    builder.table_rows = []
    return builder.end_table


def table_part(element: etree._Element, builder: Builder, _: etree.iterwalk) -> End:
    """`<tr>`, `<td>`, `<th>`, `<thead>`, `<caption>` of the outermost table."""
    tag = element.tag
    outer = builder.table_rows is not None and builder.cell is None
    end: End = None
    if not outer:  # nested table or stray cell: cells become words, rows become lines
        if tag == "tr":
            builder.flush()
            end = builder.flush
        elif tag in ("td", "th"):
            builder.text(" ")
            end = lambda: builder.text(" ")  # noqa: E731
    elif tag == "tr":
        builder.end_cell()
        builder.end_row()
        end = builder.end_row
    elif tag in ("td", "th"):
        builder.start_cell(tag == "th")
        end = builder.end_cell
    elif tag == "thead":
        builder.in_thead = True
        end = _leave_thead(builder)
    elif tag == "caption":
        builder.flush()
        builder.cell = Cell([], header=False)
        end = _end_caption(builder)
    builder.text(element.text)
    return end


def _leave_thead(builder: Builder) -> Callable[[], None]:
    def end() -> None:
        builder.end_cell()
        builder.end_row()
        builder.in_thead = False

    return end


def _end_caption(builder: Builder) -> Callable[[], None]:
    def end() -> None:
        cell = builder.cell
        builder.flush()
        builder.cell = None
        if cell is not None and cell.lines:
            caption = Text("\n", end="").join(cell.lines)
            caption.style, caption.overflow = builder.styles.caption, "fold"
            builder.caption = caption

    return end
