# ruff: noqa: RUF002  (full-width punctuation is the subject of this module)
"""Line breaking for articles: rich's word wrap, plus breaks inside Chinese and Japanese text.

rich breaks lines only at whitespace. Chinese and Japanese put no spaces between words, so a
paragraph of them is one long "word" between the few spaces around Latin words and numbers,
and each such run that does not fit jumps whole to the next line, leaving the line before it
half empty. Here a line may also break before or after any ideograph, kana or full-width
character, as browsers do (Unicode line breaking, class ID), except where the kinsoku rules of
Japanese and Chinese typography forbid it: never before closing punctuation, small kana and
the prolonged sound mark (`，。、」）！？：；ー`…), never after opening brackets (`「（《`…), never
inside `——` or `……`. Text without any of these characters is wrapped by rich's own code, so
everything else wraps exactly as before.

    lines = wrap_text(text, console, width)        # like Text.wrap(console, width, fold)
    Wrapped(text)                                   # a renderable that wraps that way
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from rich._wrap import divide_line
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Lines, Text


def _expand(spec: str) -> str:
    """`spec` with its `X-Y` ranges of non-ASCII characters spelled out, every character
    escaped for use inside a regular expression's `[...]`."""
    chars: list[str] = []
    index = 0
    while index < len(spec):
        if index + 2 < len(spec) and spec[index + 1] == "-" and spec[index] > "\x7f":
            chars += [chr(c) for c in range(ord(spec[index]), ord(spec[index + 2]) + 1)]
            index += 3
        else:
            chars.append(spec[index])
            index += 1
    return "".join(re.escape(char) for char in chars)


# Characters a line may break before and after: CJK punctuation, kana, Bopomofo, enclosed and
# compatibility forms, ideographs (basic, extension A, compatibility, supplementary planes),
# full-width forms and half-width katakana.
_BREAKABLE = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3200-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CLOSE = _expand(
    "!%),.:;?]}\u00a2\u00b0\u00bb\u2019\u201d\u2030\u2032\u2033\u203a\u2103\u2122"
    "\u3001\u3002\u3005\u3009\u300b\u300d\u300f\u3011\u3015\u3017\u3019\u301b\u301e\u301f"
    "\u303b\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e\u3095\u3096"
    "\u309b-\u309e\u30a0\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5"
    "\u30f6\u30fb-\u30fe\u31f0-\u31ff\ufe50-\ufe57\uff01\uff05\uff09\uff0c\uff0e\uff1a\uff1b"
    "\uff1f\uff3d\uff5d\uff60\uff61\uff63\uff64\uff65\uff67-\uff70\uff9e\uff9f\uffe0"
)
"""May not start a line: closing brackets and quotes, stops, commas, colons, small kana,
iteration and prolonged sound marks (JIS X 4051 and GB/T 15834 line-start prohibitions)."""
_OPEN = _expand(
    "$([{\u00a3\u00a5\u00ab\u2018\u201c\u2039\u3008\u300a\u300c\u300e\u3010\u3014\u3016"
    "\u3018\u301a\u301d\uff04\uff08\uff3b\uff5b\uff5f\uff62\uffe1\uffe5\uffe6"
)
"""May not end a line: opening brackets and quotes, currency signs before their amount."""
_INSEPARABLE = frozenset("\u2014\u2025\u2026\u3033\u3034\u3035")
"""Dashes and ellipses that Chinese and Japanese write doubled (`——`, `……`): kept together."""

_FIRST_BREAKABLE = "\u2e80"
"""The lowest character of `_BREAKABLE`: a text with none from here up (Latin, Greek, Cyrillic,
curly quotes and dashes) has no break of its own, found at C speed (`max`)."""


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(any breakable character, a break opportunity), compiled when first needed: their
    character classes take ~5-10 ms to compile, at import that was on the reader's way to its
    first article, which as a rule has no CJK text."""
    opportunity = re.compile(
        # after a breakable character, unless the next one may not start a line
        f"(?<=[{_BREAKABLE}])(?<![{_OPEN}])(?![{_CLOSE}\\s])"
        # before a breakable character, unless the one before may not end a line
        f"|(?<![{_OPEN}\\s])(?=[{_BREAKABLE}])(?![{_CLOSE}])"
        # after whitespace, as rich does
        "|(?<=\\s)(?=\\S)"
    )
    return re.compile(f"[{_BREAKABLE}]"), opportunity


def _breakable(text: str) -> bool:
    """Whether `text` has a character a line may break before or after (CJK)."""
    if text.isascii() or max(text) < _FIRST_BREAKABLE:
        return False
    return _patterns()[0].search(text) is not None


def _units(text: str) -> list[tuple[int, str]]:
    """The pieces a line may not be broken inside, each with its trailing whitespace."""
    starts = [0]
    for match in _patterns()[1].finditer(text):
        position = match.start()
        if position <= starts[-1] or position >= len(text):
            continue
        if text[position] == text[position - 1] and text[position] in _INSEPARABLE:
            continue
        starts.append(position)
    starts.append(len(text))
    return [(start, text[start:end]) for start, end in pairwise(starts)]


def divide(text: str, width: int, *, fold: bool = True) -> list[int]:
    """Where to break `text` (one line, no newlines) to fit `width` cells: rich's
    `divide_line`, with the extra break opportunities of CJK text."""
    if not _breakable(text):
        return divide_line(text, width, fold=fold)
    breaks: list[int] = []
    offset = 0
    for start, unit in _units(text):
        stripped = unit.rstrip()
        length = cell_len(stripped)
        if width - offset >= length:
            offset += length if len(stripped) == len(unit) else cell_len(unit)
        elif length > width:
            if start and offset:
                breaks.append(start)
            if not fold:
                offset = cell_len(unit)
                continue
            pieces = chop_cells(unit, width)
            for piece in pieces[:-1]:
                start += len(piece)
                breaks.append(start)
            offset = cell_len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = cell_len(unit)
    return [position for position in breaks if 0 < position < len(text)]


def wrap_text(text: Text, console: Console, width: int, overflow: str = "fold") -> Lines:
    """`text` wrapped to `width` cells, like `Text.wrap(console, width, overflow=overflow)`
    with rich's default justification, breaking CJK text between characters."""
    if not _breakable(text.plain):
        return text.wrap(console, width, justify="default", overflow=overflow)  # type: ignore[arg-type]
    lines = Lines()
    for line in text.split(allow_blank=True):
        if "\t" in line:
            line.expand_tabs(8)
        pieces = line.divide(divide(line.plain, width, fold=overflow == "fold"))
        for piece in pieces:
            piece.rstrip_end(width)
            piece.truncate(width, overflow=overflow)  # type: ignore[arg-type]
        lines.extend(pieces)
    return lines


class Wrapped:
    """A `Text` as a renderable that wraps with `wrap_text` (article headers: titles)."""

    __slots__ = ("text",)

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = wrap_text(self.text, console, options.max_width)
        yield from Text("\n").join(lines).render(console, end=self.text.end)
