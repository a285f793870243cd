"""The query language's tree: what `newstui.core.query.parse_query` makes of a query, and
small walks over it. Pure data; compiled to SQL by `newstui.store.search` and matched in Python by
`newstui.core.query_match`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Text:
    """Words to find. `phrase`: quoted; `prefix`: the last word may go on (`async*`)."""

    value: str
    field: str | None = None
    """None (anywhere), "title" or "author"."""
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Feed:
    """`feed:` — a substring of the feed's title or URL."""

    value: str


@dataclass(frozen=True, slots=True)
class Tag:
    value: str


@dataclass(frozen=True, slots=True)
class Flag:
    """`is:` and `has:` values: unread, read, bookmarked, hidden, enclosure."""

    name: str


@dataclass(frozen=True, slots=True)
class Dated:
    """`after:` (from the start of `day`, UTC) or `before:` (until the start of `day`)."""

    op: str
    day: date


@dataclass(frozen=True, slots=True)
class Newer:
    """`newer:` — dated within `age` of the moment the query runs."""

    age: timedelta


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Text | Feed | Tag | Flag | Dated | Newer | Not | And | Or


def describe(node: Node) -> str:
    """A compact, stable rendering of a tree, for tests and `--debug` output."""
    if isinstance(node, Text):
        kind = "phrase" if node.phrase else "word"
        star = "*" if node.prefix else ""
        field = f"{node.field}." if node.field else ""
        return f"{field}{kind}:{node.value}{star}"
    if isinstance(node, Feed | Tag):
        return f"{type(node).__name__.lower()}:{node.value}"
    if isinstance(node, Flag):
        return f"flag:{node.name}"
    if isinstance(node, Dated):
        return f"{node.op}:{node.day.isoformat()}"
    if isinstance(node, Newer):
        return f"newer:{int(node.age.total_seconds())}s"
    if isinstance(node, Not):
        return f"NOT({describe(node.child)})"
    name = "AND" if isinstance(node, And) else "OR"
    return f"{name}({', '.join(describe(child) for child in node.children)})"


def text_nodes(node: Node) -> list[Text]:
    """Every non-negated `Text` in the tree: what a match highlights."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And | Or):
        return [text for child in node.children for text in text_nodes(child)]
    return []


def mentions_hidden(node: Node) -> bool:
    """Whether the query asks about hidden entries (`is:hidden`, or `-is:hidden`): the others
    leave them out of sight."""
    if isinstance(node, Flag):
        return node.name == "hidden"
    if isinstance(node, Not):
        return mentions_hidden(node.child)
    if isinstance(node, And | Or):
        return any(mentions_hidden(child) for child in node.children)
    return False


def asks_about_state(node: Node) -> bool:
    """Whether what the query matches can change for an entry already stored without its text
    changing: its read, bookmarked or hidden state (`is:`), or the tags a filter gave it."""
    if isinstance(node, Flag):
        return node.name != "enclosure"
    if isinstance(node, Tag):
        return True
    if isinstance(node, Not):
        return asks_about_state(node.child)
    if isinstance(node, And | Or):
        return any(asks_about_state(child) for child in node.children)
    return False
