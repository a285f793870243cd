"""Does one entry match a query? Evaluated in Python, for `[[filters]]` at ingestion. Pure.

Filters run on every new entry as it is stored, before the search index has seen it (the index
is written in batches: see `newstui/store/_search_index.py`), so they cannot ask FTS5. This
evaluator applies the same rules as the index: words fold case and diacritics and match whole
(`*`: as a prefix), a term's words in sequence, CJK runs as substrings; a term without a field
may match in the title, author, feed name or text. `newstui filter --apply` runs the same
queries through the index over stored entries; `tests/test_search.py` checks both agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from newstui.core.query import And, Dated, Feed, Flag, Newer, Node, Not, Or, Tag, Text
from newstui.core.searchtext import CJK_RUN, SPACED_WORD, WORD

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold_text(text: str) -> str:
    """`searchtext.fold` for whole texts, at C speed (no per-character mapping kept)."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


@dataclass(slots=True)
class EntryFacts:
    """What a filter can ask about a new entry; the state fields change as filters act."""

    title: str
    author: str
    feed_title: str
    feed_url: str
    feed_tags: tuple[str, ...]
    text: str
    published_at: datetime
    has_enclosure: bool
    read: bool = False
    bookmarked: bool = False
    hidden: bool = False
    tags: set[str] = field(default_factory=set)
    _folded: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def folded(self, column: str) -> tuple[str, list[str]]:
        """A column's folded text and its words, computed once."""
        cached = self._folded.get(column)
        if cached is None:
            folded = fold_text(getattr(self, column))
            cached = self._folded[column] = (folded, SPACED_WORD.findall(folded))
        return cached


Predicate = Callable[[EntryFacts], bool]
_COLUMNS = {None: ("title", "author", "feed_title", "text"), "title": ("title",),
            "author": ("author",)}  # fmt: skip


def matcher(node: Node, *, now: datetime) -> Predicate:
    """A predicate for `node`, built once per batch of entries."""
    if isinstance(node, Text):
        return _text(node)
    if isinstance(node, Not):
        inner = matcher(node.child, now=now)
        return lambda facts: not inner(facts)
    if isinstance(node, And | Or):
        parts = [matcher(child, now=now) for child in node.children]
        if isinstance(node, And):
            return lambda facts: all(part(facts) for part in parts)
        return lambda facts: any(part(facts) for part in parts)
    if isinstance(node, Flag):
        name = node.name
        if name == "unread":
            return lambda facts: not facts.read
        if name == "enclosure":
            return lambda facts: facts.has_enclosure
        return lambda facts: bool(getattr(facts, name))
    if isinstance(node, Feed):
        wanted = fold_text(node.value)
        return lambda facts: wanted in fold_text(f"{facts.feed_title} {facts.feed_url}")
    if isinstance(node, Tag):
        wanted = node.value.casefold()
        return lambda facts: any(t.casefold() == wanted for t in (*facts.feed_tags, *facts.tags))
    if isinstance(node, Dated):
        moment = datetime.combine(node.day, time(), UTC)
        if node.op == "after":
            return lambda facts: facts.published_at >= moment
        return lambda facts: facts.published_at < moment
    assert isinstance(node, Newer)
    since = now - node.age
    return lambda facts: facts.published_at >= since


def _text(node: Text) -> Predicate:
    """Every piece of the term (its Latin words, each CJK run) in one of the term's columns."""
    value = unicodedata.normalize("NFKC", node.value)
    pieces: list[Predicate] = []
    columns = _COLUMNS[node.field]
    for run in CJK_RUN.findall(value):
        pieces.append(_substring(fold_text(run), columns))
    latin = CJK_RUN.split(value)
    for index, part in enumerate(latin):
        words = WORD.findall(fold_text(part))
        if words:
            prefix = node.prefix and index == len(latin) - 1
            pieces.append(_sequence(words, prefix, columns))
    return lambda facts: all(piece(facts) for piece in pieces)


def _substring(run: str, columns: tuple[str, ...]) -> Predicate:
    return lambda facts: any(run in facts.folded(column)[0] for column in columns)


def _sequence(terms: list[str], prefix: bool, columns: tuple[str, ...]) -> Predicate:
    count, last = len(terms), len(terms) - 1

    def found(words: list[str]) -> bool:
        if count == 1 and not prefix:
            return terms[0] in words
        for index in range(len(words) - last):
            for offset, term in enumerate(terms):
                word = words[index + offset]
                if not (word == term or (prefix and offset == last and word.startswith(term))):
                    break
            else:
                return True
        return False

    return lambda facts: any(found(facts.folded(column)[1]) for column in columns)
