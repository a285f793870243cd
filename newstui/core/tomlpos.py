"""Line numbers for the tables and keys of a TOML document.

tomli returns plain dicts with no positions, but an error that says only `feeds[7].url` makes
the user count `[[feeds]]` headers by hand. This module scans the raw text once and records the
line where each table header and each key assignment first appears, so `config` can say
`feeds.toml:41:`.

It is a locator, not a parser. It only ever sees text tomli has already accepted, and what it
cannot follow (keys inside inline tables and arrays of inline tables) is simply not recorded:
lookups then fall back to the nearest enclosing header or assignment. It never raises, because a
locator bug must not hide the configuration error it was asked to place.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tomli

KeyPath = tuple[str | int, ...]
"""A path into the parsed document: table and key names, with 0-based indexes into arrays of
tables. The third `[[feeds]]` table's `url` is `("feeds", 2, "url")`."""


class TomlPositions:
    """Where each header and key of one TOML text sits, by 1-based line number."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[KeyPath, int] | None = None

    def line_of(self, *path: str | int) -> int | None:
        """The line where `path` is defined, else where its deepest located ancestor is.

        For example a key written inside an inline table is not located, so its line is the
        line of the assignment holding the inline table. None when nothing on the path is found.
        """
        if self._lines is None:
            # Scanned on the first question only: valid files (every start-up) never ask, and
            # the scan was half the cost of loading a theme.
            self._lines = {}
            with contextlib.suppress(Exception):
                _Scanner(self._text, self._lines).run()
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None


@dataclass(frozen=True, slots=True)
class Statement:
    """One top-level piece of a TOML text: a table header or a key assignment."""

    kind: str
    """`table` (`[a.b]`), `array` (`[[feeds]]`) or `key` (`name = value`)."""
    names: tuple[str, ...]
    """The header's or key's dotted name, decoded (`"a.b".c` is `("a.b", "c")`)."""
    table: KeyPath
    """For a key: the table it is in (`("feeds", 2)`); for a header: the table it opens."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset just past it: the end of the header's line, or of the value (multi-line values
    included), before any comment."""


def statements(text: str) -> list[Statement]:
    """Every header and key assignment of `text`, in order, with its offsets.

    For editing a file in place (`newstui.core.config_writer`): `text` must be TOML that tomli
    has accepted. Unlike `TomlPositions`, a failure here raises (ValueError): a writer that
    cannot see the structure must not guess.
    """
    found: list[Statement] = []
    try:
        _Scanner(text, {}, found).run()
    except (IndexError, tomli.TOMLDecodeError) as error:
        raise ValueError(f"cannot follow the TOML structure: {error}") from error
    return found


class _Scanner:
    """One pass over the text, statement by statement, skipping over values."""

    def __init__(
        self, text: str, out: dict[KeyPath, int], found: list[Statement] | None = None
    ) -> None:
        self.text = text
        self.out = out
        self.found = found
        self.line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self.table: KeyPath = ()
        self.array_counts: dict[KeyPath, int] = {}
        """How many tables each array of tables has so far, keyed by its resolved path."""

    def run(self) -> None:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char in " \t\r\n":
                i += 1
            elif char == "#":
                i = self._end_of_line(i)
            elif text.startswith("[[", i):
                end = self._find(i + 2, "]")
                names = _decode_key(text[i + 2 : end])
                self._array_header(names, i)
                self._found("array", names, i, end + 2)
                i = self._end_of_line(end + 2)
            elif char == "[":
                end = self._find(i + 1, "]")
                names = _decode_key(text[i + 1 : end])
                self._table_header(names, i)
                self._found("table", names, i, end + 1)
                i = self._end_of_line(end + 1)
            else:
                equals = self._find(i, "=")
                names = _decode_key(text[i:equals])
                self._record(self.table + names, i)
                start, i = i, self._skip_value(equals + 1)
                self._found("key", names, start, i)

    def _found(self, kind: str, names: tuple[str, ...], start: int, end: int) -> None:
        if self.found is not None:
            if kind == "key":
                # _skip_value stops at the line's end, after any comment: trim to the value.
                end = self._value_end(start, end)
            self.found.append(Statement(kind, names, self.table, start, end))

    def _value_end(self, start: int, end: int) -> int:
        """Offset past the last non-comment, non-space character of `text[start:end]`."""
        text, i, last = self.text, start, start
        while i < end:
            char = text[i]
            if char in "\"'":
                i = _skip_string(text, i)
                last = i
            elif char == "#":
                i = self._end_of_line(i)
            else:
                if not char.isspace():
                    last = i + 1
                i += 1
        return last

    def _record(self, path: KeyPath, offset: int) -> None:
        line = bisect_right(self.line_starts, offset)
        for end in range(1, len(path) + 1):
            self.out.setdefault(path[:end], line)

    def _resolve(self, names: KeyPath) -> KeyPath:
        """A header's path with each array of tables along it pinned to its latest element."""
        resolved: KeyPath = ()
        for name in names:
            resolved += (name,)
            if resolved in self.array_counts:
                resolved += (self.array_counts[resolved] - 1,)
        return resolved

    def _table_header(self, names: KeyPath, offset: int) -> None:
        self.table = self._resolve(names)
        self._record(self.table, offset)

    def _array_header(self, names: KeyPath, offset: int) -> None:
        base = self._resolve(names[:-1]) + names[-1:]
        index = self.array_counts.get(base, 0)
        self.array_counts[base] = index + 1
        self.table = (*base, index)
        self._record(self.table, offset)

    def _find(self, i: int, stop: str) -> int:
        """Offset of the first `stop` at or after `i` that is not inside a quoted string."""
        text = self.text
        while text[i] != stop:  # IndexError on malformed text ends the scan (see __init__)
            i = _skip_string(text, i) if text[i] in "\"'" else i + 1
        return i

    def _end_of_line(self, i: int) -> int:
        end = self.text.find("\n", i)
        return len(self.text) if end < 0 else end

    def _skip_value(self, i: int) -> int:
        """Offset just past a value, which may span lines (arrays, multi-line strings)."""
        text, depth = self.text, 0
        while i < len(text):
            char = text[i]
            if char in "\"'":
                i = _skip_string(text, i)
                continue
            if char == "#":
                i = self._end_of_line(i)
                continue
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth -= 1
            elif char == "\n" and depth <= 0:
                return i
            i += 1
        return i


def _skip_string(text: str, i: int) -> int:
    """Offset just past the string literal that starts at `i` (basic or literal, 1 or 3 quotes)."""
    quote = text[i]
    escapes = quote == '"'
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < len(text):
            if escapes and text[j] == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                # Up to two quotes may sit right before the closing delimiter: '''it''''' ends
                # after five quotes.
                end = j + 3
                while end < len(text) and end < j + 5 and text[end] == quote:
                    end += 1
                return end
            else:
                j += 1
        return j
    j = i + 1
    while j < len(text) and text[j] != "\n":
        if escapes and text[j] == "\\":
            j += 2
        elif text[j] == quote:
            return j + 1
        else:
            j += 1
    return j


def _decode_key(raw: str) -> tuple[str, ...]:
    """The parts of a dotted key as TOML reads them (quotes, escapes and spaces handled)."""
    node = tomli.loads(f"{raw.strip()} = 0")
    parts: list[str] = []
    while isinstance(node, dict):
        ((name, node),) = node.items()
        parts.append(name)
    return tuple(parts)


_ERROR_POSITION = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)$")


def syntax_error(text: str, error: tomli.TOMLDecodeError) -> tuple[int | None, str]:
    """tomli's error as (line, "invalid TOML: ...") with its "(at line N, column M)" suffix
    moved into the line, for the usual `path:N:` prefix."""
    message = str(error)
    match = _ERROR_POSITION.search(message)
    if match is None:
        return None, f"invalid TOML: {message}"
    line = int(match[1]) if match[1] else max(1, len(text.splitlines()))
    return line, f"invalid TOML: {message[: match.start()]}"


_SHOWN = 60
"""Characters of a string value shown in a message."""


def describe_value(value: object) -> str:
    """A value as a TOML author would name it in an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        # TOML-style double quotes, and short: the message is one line.
        shown = value[:_SHOWN] + ("…" if len(value) > _SHOWN else "")
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, int) and value.bit_length() > 64:
        # repr() of an int of over 4300 digits raises; no one reads 300 digits anyway.
        return "a number too large to show"
    if isinstance(value, int | float):
        return repr(value)
    return "a date or time"  # the only other TOML values


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` for a near miss, else the empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class TomlSyntaxError(ValueError):
    """A text tomli cannot read, as `(line, "invalid TOML: ...")` for the `path:line:` shape."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(line, problem)
        self.line = line
        self.problem = problem


def parse_toml(text: str) -> dict[str, Any]:
    """`tomli.loads`, with every failure a `TomlSyntaxError` that has a line.

    Besides syntax errors, tomli refuses nesting past 400 levels and keys of over 1000 dotted
    parts (as RecursionError), and Python refuses integers of over 4300 digits (ValueError,
    with no position at all); for those the line is found by parsing ever longer prefixes.
    """
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        line, problem = syntax_error(text, error)
        raise TomlSyntaxError(line or 1, problem) from None
    except RecursionError as error:
        problem = str(error).removeprefix("TOML ") or "nested too deeply"
        line = _first_line_raising(text, RecursionError)
        raise TomlSyntaxError(line, f"invalid TOML: {problem}") from None
    except ValueError as error:
        problem = "a number of more than 4300 digits" if "digits" in str(error) else str(error)
        line = _first_line_raising(text, ValueError)
        raise TomlSyntaxError(line, f"invalid TOML: {problem}") from None


def _first_line_raising(text: str, kind: type[Exception]) -> int:
    """The first line whose inclusion makes tomli raise `kind` (not a syntax error).

    tomli reads from the start, so a prefix ending at or after the culprit's line raises the
    same way and a shorter one does not: a binary search takes ~log2(lines) parses, paid only
    when the file is broken.
    """
    lines = text.splitlines(keepends=True)

    def raises(count: int) -> bool:
        try:
            tomli.loads("".join(lines[:count]))
        except tomli.TOMLDecodeError:
            return False
        except kind:
            return True
        return False

    low, high = 1, max(1, len(lines))
    while low < high:
        middle = (low + high) // 2
        if raises(middle):
            high = middle
        else:
            low = middle + 1
    return low
