"""The search query language: text → a small syntax tree. Pure; no SQLite here.

One language serves `newstui search`, `/` in the reader, `[[views]]` and `[[filters]]`:

| syntax | meaning |
| --- | --- |
| `rust async` | both words (AND is implied; `AND` may be written) |
| `"exact phrase"` | the words next to each other, in this order |
| `-word`, `-"a phrase"`, `NOT word` | entries without it |
| `rust OR go` | either (binds tighter than the implied AND: `a b OR c` is `a (b OR c)`) |
| `(a OR b) c` | grouping |
| `async*` | a word starting with `async` |
| `title:word`, `author:"Ada L"` | the word or phrase in the title, or the author |
| `feed:name` | the feed's title or URL contains `name` |
| `tag:name` | the feed has that tag in feeds.toml, or a filter tagged the entry |
| `is:unread`, `is:read`, `is:bookmarked`, `is:hidden` | the entry's state |
| `has:enclosure` | a podcast episode or other attachment |
| `after:2026-01-31`, `before:2026-02` | dated on or after / before the start of that day (or
month, or year), in UTC: `after:2026-01-31 before:2026-02-01` is that one day |
| `newer:7d` | dated in the last 7 days (`h`, `d`, `w` units) |

A word such as `foo:bar` whose prefix is no field name is searched as text, so pasted URLs and
`c++:` work; a near miss of a field name (`titel:`) is an error with a suggestion instead.
Anything malformed raises `QueryError` with the 0-based character position of the problem.
Sizes are capped (`MAX_QUERY_CHARS`, `MAX_TERMS`, `MAX_DEPTH`), because filters run on every
refresh and a query can come from any pasted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from newstui.core.errors import NewstuiError
from newstui.core.query_tree import (
    And,
    Dated,
    Feed,
    Flag,
    Newer,
    Node,
    Not,
    Or,
    Tag,
    Text,
    describe,
    mentions_hidden,
    text_nodes,
)
from newstui.core.tomlpos import did_you_mean

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
MAX_DEPTH = 16

TEXT_FIELDS = ("title", "author")
FILTER_FIELDS = ("feed", "tag", "is", "has", "after", "before", "newer")
FIELDS = (*TEXT_FIELDS, *FILTER_FIELDS)
IS_VALUES = ("unread", "read", "bookmarked", "hidden")
HAS_VALUES = ("enclosure",)

_UNITS = {"h": 3600, "d": 86_400, "w": 7 * 86_400}
_DURATION = re.compile(r"(\d{1,5})([hdw])")
_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_SPECIAL = set(' \t\n\r"()')


class QueryError(NewstuiError):
    """A query that cannot be understood. `str()` is one short line, with the column."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position
        """0-based index into the query text."""

    def __str__(self) -> str:
        return f"column {self.position + 1}: {self.message}"


# -- the parser -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "OR", "AND", "NOT", "-"
    value: str
    position: int
    prefix: bool = False
    field: str | None = None
    field_position: int = 0


def parse_query(text: str) -> Node:
    """Parse a query.

    Raises:
        QueryError: the query is empty, too long or malformed; `position` points at the problem.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long (over {MAX_QUERY_CHARS} characters)", MAX_QUERY_CHARS)
    tokens = _tokens(text)
    if not tokens:
        raise QueryError("empty query", 0)
    if sum(t.kind in ("word", "phrase") for t in tokens) > MAX_TERMS:
        raise QueryError(f"too many terms (more than {MAX_TERMS})", 0)
    parser = _Parser(tokens, len(text))
    node = parser.expression(0)
    if parser.index < len(tokens):  # only a stray ")" stops an expression early
        raise QueryError("')' without a matching '('", tokens[parser.index].position)
    if _only_negative(node):
        # Everything except one thing is rarely meant and scans the whole store: ask.
        raise QueryError("a query needs something to find, not only exclusions", 0)
    return node


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(child) for child in node.children)
    return False


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, length = 0, len(text)
    while i < length:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            out.append(_Token(char, char, i))
            i += 1
        elif char == '"':
            start = i
            value, i = _quoted(text, i)
            out.append(_phrase_token(value, start, text, i))
            i += out[-1].prefix
        elif char == "-" and i + 1 < length and not text[i + 1].isspace():
            out.append(_Token("-", "-", i))
            i += 1
        elif char == "-":
            raise QueryError("nothing after '-'", i)
        else:
            start = i
            while i < length and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            if word in ("OR", "AND", "NOT"):
                out.append(_Token(word, word, start))
            elif (field := _field_of(word, start)) is not None:
                i = _field_value(text, start, i, field, out)
            else:
                out.append(_word_token(word, start))
    return out


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError("unclosed quote", start)
    value = text[start + 1 : end]
    if not value.strip():
        raise QueryError("empty phrase", start)
    return value, end + 1


def _phrase_token(value: str, start: int, text: str, after: int) -> _Token:
    prefix = after < len(text) and text[after] == "*"
    return _Token("phrase", value.strip(), start, prefix=prefix)


def _word_token(word: str, start: int, field: str | None = None, at: int = 0) -> _Token:
    star = word.find("*")
    if star >= 0 and (star != len(word) - 1 or star == 0):
        raise QueryError("'*' goes at the end of a word (async*)", start + max(star, 0))
    prefix = star >= 0
    value = word[:-1] if prefix else word
    return _Token("word", value, start, prefix=prefix, field=field, field_position=at)


def _field_of(word: str, start: int) -> str | None:
    """The field name of `name:value`, None for a plain word; a near-miss name is an error."""
    name, colon, _ = word.partition(":")
    if not colon or not name:
        return None
    lowered = name.lower()
    if lowered in FIELDS:
        return lowered
    hint = did_you_mean(lowered, FIELDS)
    if hint:
        raise QueryError(f"unknown field '{name}:'{hint}", start)
    return None


def _field_value(text: str, start: int, end: int, field: str, out: list[_Token]) -> int:
    """Append the token for `field:value`, which may be a quoted phrase; returns the next index."""
    value_start = start + len(field) + 1
    if value_start == end and end < len(text) and text[end] == '"':
        value, after = _quoted(text, end)
        if field not in (*TEXT_FIELDS, "feed", "tag"):
            raise QueryError(f"{field}: takes a single word", end)
        token = _phrase_token(value, end, text, after)
        out.append(_Token("phrase", token.value, end, token.prefix, field, start))
        return after + token.prefix
    value = text[value_start:end]
    if not value:
        raise QueryError(f"{field}: needs a value", start)
    out.append(_word_token(value, value_start, field, start))
    return end


class _Parser:
    """Recursive descent over the tokens: or_expr := and_expr (OR and_expr)* ; and so on."""

    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.length = length

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def expression(self, depth: int) -> Node:
        """A conjunction of OR-groups, up to a ")" or the end."""
        if depth > MAX_DEPTH:
            raise QueryError(f"too deeply nested (more than {MAX_DEPTH} levels)", self._here())
        items: list[Node] = []
        while (token := self.peek()) is not None and token.kind != ")":
            if token.kind == "AND":
                if not items:
                    raise QueryError("AND needs something before it", token.position)
                self.index += 1
                if self.peek() is None or self.peek().kind in (")", "OR", "AND"):  # type: ignore[union-attr]
                    raise QueryError("AND needs something after it", token.position)
                continue
            items.append(self.disjunction(depth))
        if not items:
            raise QueryError("empty group" if depth else "empty query", self._here())
        return items[0] if len(items) == 1 else And(tuple(items))

    def disjunction(self, depth: int) -> Node:
        first = self.peek()
        assert first is not None
        if first.kind == "OR":
            raise QueryError("OR needs something before it", first.position)
        options = [self.unary(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.index += 1
            following = self.peek()
            if following is None or following.kind in (")", "OR", "AND"):
                raise QueryError("OR needs something after it", token.position)
            options.append(self.unary(depth))
        return options[0] if len(options) == 1 else Or(tuple(options))

    def unary(self, depth: int) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("the query ends too early", self.length)
        self.index += 1
        if token.kind in ("-", "NOT"):
            following = self.peek()
            if following is None or following.kind in (")", "OR", "AND"):
                raise QueryError(f"nothing after '{token.value}'", token.position)
            child = self.unary(depth)
            if isinstance(child, Not):
                raise QueryError("double negation", token.position)
            return Not(child)
        if token.kind == "(":
            inner = self.expression(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QueryError("'(' without a matching ')'", token.position)
            self.index += 1
            return inner
        if token.kind in ("OR", "AND", ")"):
            raise QueryError(f"unexpected '{token.value}'", token.position)
        return _term(token)

    def _here(self) -> int:
        token = self.peek()
        return token.position if token else self.length


def _term(token: _Token) -> Node:
    field, value = token.field, token.value
    phrase = token.kind == "phrase"
    if field is None or field in TEXT_FIELDS:
        return Text(value, field, phrase=phrase, prefix=token.prefix)
    where = token.field_position
    if token.prefix:
        raise QueryError(f"{field}: takes no '*'", where)
    if field == "feed":
        return Feed(value)
    if field == "tag":
        return Tag(value)
    lowered = value.lower()
    if field in ("is", "has"):
        allowed = IS_VALUES if field == "is" else HAS_VALUES
        if lowered not in allowed:
            names = ", ".join(allowed)
            raise QueryError(f"{field}: takes {names}{did_you_mean(lowered, allowed)}", where)
        return Flag(lowered)
    if field == "newer":
        match = _DURATION.fullmatch(lowered)
        if match is None:
            raise QueryError("newer: takes an age like 12h, 7d or 2w", where)
        return Newer(timedelta(seconds=int(match[1]) * _UNITS[match[2]]))
    return Dated(field, _day(value, field, where))


def _day(value: str, field: str, where: int) -> date:
    """`2026-01-31`, `2026-01` (its first day) or `2026` (1 January)."""
    match = _DAY.fullmatch(value)
    try:
        if match is None:
            raise ValueError
        return date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        raise QueryError(f"{field}: takes a date like 2026-01-31", where) from None

__all__ = [
    "And",
    "Dated",
    "Feed",
    "Flag",
    "Newer",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "Tag",
    "Text",
    "describe",
    "mentions_hidden",
    "parse_query",
    "text_nodes",
]
