"""Where a query's words are in a piece of text: for marking matches and cutting snippets. Pure.

It applies the index's own rules (`newstui.core.searchtext`): words fold case and diacritics and
match whole (or as a prefix with `*`), the words of a phrase in sequence, CJK runs as substrings.
Words the query excludes (`-word`) are never marked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from newstui.core.query import Node, text_nodes
from newstui.core.searchtext import CJK_RUN, SPACED_WORD, WORD, fold, fold_map

Span = tuple[int, int]
"""[start, end) character offsets into the original text."""

_SPACE = re.compile(r"\s")


class Highlighter:
    """The matching parts of a query, folded once, applied to any number of texts."""

    def __init__(self, node: Node | None) -> None:
        self._terms: list[tuple[tuple[str, ...], bool, str | None]] = []
        self._cjk: list[tuple[str, str | None]] = []
        for text in text_nodes(node) if node is not None else ():
            value = unicodedata.normalize("NFKC", text.value)
            pieces = CJK_RUN.split(value)
            for run in CJK_RUN.findall(value):
                self._cjk.append((fold(run), text.field))
            for index, piece in enumerate(pieces):
                words = tuple(WORD.findall(fold(piece)))
                if words:
                    prefix = text.prefix and index == len(pieces) - 1
                    self._terms.append((words, prefix, text.field))

    def __bool__(self) -> bool:
        return bool(self._terms or self._cjk)

    def spans(self, text: str, *, field: str | None = None) -> list[Span]:
        """The matches in `text`, sorted and merged. `field`: "title" or "author" when the text
        is one, so that `title:word` marks titles only."""
        if not self or not text:
            return []
        folded, origin = fold_map(text)
        words = [(m.start(), m.end(), m.group()) for m in SPACED_WORD.finditer(folded)]
        found: list[Span] = []
        for terms, prefix, term_field in self._terms:
            if term_field is not None and term_field != field:
                continue
            found += _sequences(words, terms, prefix)
        for run, term_field in self._cjk:
            if term_field is not None and term_field != field:
                continue
            start = folded.find(run)
            while start >= 0:
                found.append((start, start + len(run)))
                start = folded.find(run, start + len(run))
        return _merge([(origin[start], origin[end - 1] + 1) for start, end in found])

    def snippet(self, text: str, width: int = 160) -> tuple[str, list[Span]]:
        """About `width` characters of `text` around its first match (its start when there is
        none), on word boundaries, with "…" where it was cut, and the matches in it."""
        text = text.strip()
        spans = self.spans(text)
        if len(text) <= width:
            return _SPACE.sub(" ", text), spans
        first = spans[0][0] if spans else 0
        start = max(0, first - width // 3)
        if start:
            space = text.find(" ", start, first)
            start = space + 1 if space >= 0 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", max(start, first + 1), end)
            end = space if space > start else end
        prefix = "…" if start else ""
        suffix = "…" if end < len(text) else ""
        shift = len(prefix) - start
        inside = [
            (max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end
        ]
        return prefix + _SPACE.sub(" ", text[start:end]) + suffix, inside


def _sequences(
    words: Sequence[tuple[int, int, str]], terms: tuple[str, ...], prefix: bool
) -> list[Span]:
    out: list[Span] = []
    count = len(terms)
    last = count - 1
    for index in range(len(words) - count + 1):
        for offset, term in enumerate(terms):
            word = words[index + offset][2]
            if not (word == term or (prefix and offset == last and word.startswith(term))):
                break
        else:
            out.append((words[index][0], words[index + last][1]))
    return out


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
