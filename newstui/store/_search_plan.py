"""A query tree (`newstui.core.query`) compiled to an FTS5 MATCH string and SQL conditions:
the query plan `newstui.store.search` runs over the store's FTS5 index.

Everything the user typed reaches SQLite as a bound parameter: text terms as one FTS5 MATCH
string (each term double-quoted, quotes doubled, so no FTS5 operator can be injected), the rest
as `?` values. The SQL around them comes from fixed fragments only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from newstui.core.query import (
    And,
    Dated,
    Feed,
    Flag,
    Newer,
    Node,
    Not,
    Or,
    QueryError,
    Tag,
    Text,
    mentions_hidden,
)
from newstui.core.searchtext import CJK_RUN, WORD, bigrams, fold, tag_token

_CJK_COLUMNS = {None: "{cjk_title cjk_body cjk_page}", "title": "cjk_title", "author": None}

_FLAGS = {
    "unread": "e.read = 0",
    "read": "e.read = 1",
    "bookmarked": "e.bookmarked = 1",
    "hidden": "e.hidden = 1",
    "enclosure": "e.enclosures IS NOT NULL",
}


@dataclass(slots=True)
class Plan:
    """A compiled query: an optional FTS5 MATCH string, and SQL conditions over `entries e`."""

    match: str | None
    where: str
    params: list[object] = field(default_factory=list)
    words: bool = True
    """The match holds words to rank by (not only tags)."""
    phrases: tuple[str, ...] | None = None
    """Each phrase of the match that can add to a row's bm25 score, as a MATCH expression of
    its own; None when one of them cannot be counted that way (a field, CJK)."""


def compile_query(node: Node, *, now: datetime) -> Plan:
    """The tree as a MATCH string for its text conjuncts and a WHERE clause for the rest.

    Hidden entries (a filter's `hide`) are left out unless the query asks for `is:hidden`; the
    entries of feeds removed from feeds.toml always are.

    Raises:
        QueryError: a term holds nothing searchable (only punctuation, like `+++`).
    """
    conjuncts = list(node.children) if isinstance(node, And) else [node]
    positives = [c for c in conjuncts if _is_text(c)]
    negatives = [c for c in conjuncts if isinstance(c, Not) and _is_text(c.child)]
    match = None
    rest = conjuncts
    if positives:
        match = " AND ".join(_fts(c) for c in positives)
        match += "".join(f" NOT {_fts(c.child)}" for c in negatives)  # type: ignore[union-attr]
        rest = [c for c in conjuncts if c not in positives and c not in negatives]
        # A tag narrows the match inside the index (its token is in the `tags` column): far
        # cheaper than joining every match to the tag test. The exact test stays in `where`.
        tokens = [tag_token(c.value) for c in rest if isinstance(c, Tag)]
        match += "".join(f" AND tags : {_quote(token)}" for token in tokens if token)
    words = match is not None
    tags = [token for c in conjuncts if isinstance(c, Tag) and (token := tag_token(c.value))]
    if match is None and tags:
        # Tags alone (a saved view, a filter): the index lists a tag's entries at once, where
        # the tag test alone would visit every entry.
        match = " AND ".join(f"tags : {_quote(token)}" for token in tags)
    params: list[object] = []
    clauses = [_sql(c, now, params) for c in rest]
    if not mentions_hidden(node):
        clauses.append("e.hidden = 0")
    phrases = _scoring_phrases(positives, negatives) if words else None
    return Plan(match, " AND ".join(clauses) or "1", params, words, phrases)


def _scoring_phrases(positives: list[Node], negatives: list[Node]) -> tuple[str, ...] | None:
    """The phrases bm25 may score in a matching row: every Text of the positive terms, and of
    the excluded ones all but a lone phrase (no row holding it matches). Tags score 0."""
    leaves: list[Text] = []
    for node in positives + [n.child for n in negatives if not _lone_phrase(n.child)]:  # type: ignore[attr-defined]
        leaves += _texts(node)
    if any(not _lone_phrase(leaf) for leaf in leaves):
        return None
    return tuple(dict.fromkeys(_fts_text(leaf) for leaf in leaves))


def _lone_phrase(node: Node) -> bool:
    """One FTS5 phrase over every column (a field's column filter or CJK make more)."""
    return (
        isinstance(node, Text)
        and not node.field
        and not CJK_RUN.search(unicodedata.normalize("NFKC", node.value))
    )


def _texts(node: Node) -> list[Text]:
    if isinstance(node, Text):
        return [node]
    if isinstance(node, Not):
        return _texts(node.child)
    assert isinstance(node, And | Or)
    return [leaf for child in node.children for leaf in _texts(child)]


# -- compiling -------------------------------------------------------------------------------


def _is_text(node: Node) -> bool:
    """Expressible as one FTS5 expression: words, and AND/OR of them (NOT needs a partner)."""
    if isinstance(node, Text):
        return True
    if isinstance(node, Or):
        return all(_is_text(c) for c in node.children)
    if isinstance(node, And):
        positive = [c for c in node.children if not isinstance(c, Not)]
        negated = [c.child for c in node.children if isinstance(c, Not)]
        return bool(positive) and all(_is_text(c) for c in positive + negated)
    return False


def _fts(node: Node) -> str:
    if isinstance(node, Text):
        return _fts_text(node)
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(c) for c in node.children) + ")"
    assert isinstance(node, And)
    positive = [c for c in node.children if not isinstance(c, Not)]
    out = "(" + " AND ".join(_fts(c) for c in positive)
    out += "".join(f" NOT {_fts(c.child)}" for c in node.children if isinstance(c, Not))
    return out + ")"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_text(node: Text) -> str:
    """One term: its Latin words as a phrase, each CJK run as the phrase of its bigrams."""
    value = unicodedata.normalize("NFKC", node.value)
    pieces: list[tuple[bool, str]] = []
    last = 0
    for run in CJK_RUN.finditer(value):
        pieces.append((False, value[last : run.start()]))
        pieces.append((True, run.group(0)))
        last = run.end()
    pieces.append((False, value[last:]))
    pieces = [(cjk, text) for cjk, text in pieces if cjk or WORD.search(text)]
    if not pieces:
        raise QueryError(f"nothing to search for in {node.value!r}", 0)
    parts = []
    for index, (cjk, text) in enumerate(pieces):
        final = index == len(pieces) - 1
        if cjk:
            parts.append(_fts_cjk(text, node.field))
            continue
        expr = _quote(" ".join(WORD.findall(text))) + ("*" if node.prefix and final else "")
        parts.append(f"{node.field} : {expr}" if node.field else expr)
    return "(" + " AND ".join(parts) + ")"


def _fts_cjk(run: str, field_name: str | None) -> str:
    """A CJK run: a prefix of a bigram (1 character), a bigram (2), the phrase of its bigrams;
    or the run as a whole token anywhere (names in author and feed titles have no bigrams)."""
    grams = _quote(run) + "*" if len(run) == 1 else _quote(" ".join(bigrams(run)[:-1]))
    column = _CJK_COLUMNS.get(field_name)
    whole = f"{field_name} : {_quote(run)}" if field_name else _quote(run)
    if column is None:
        return whole
    return f"({column} : {grams} OR {whole})"


def _sql(node: Node, now: datetime, params: list[object]) -> str:
    if _is_text(node):
        params.append(_fts(node))
        return "e.id IN (SELECT rowid FROM search WHERE search MATCH ?)"
    if isinstance(node, Not):
        return f"NOT ({_sql(node.child, now, params)})"
    if isinstance(node, And | Or):
        joiner = " AND " if isinstance(node, And) else " OR "
        return "(" + joiner.join(_sql(c, now, params) for c in node.children) + ")"
    if isinstance(node, Flag):
        return _FLAGS[node.name]
    if isinstance(node, Feed):
        params.append(f"%{_like_escape(fold(node.value))}%")
        return (
            "e.feed_url IN (SELECT url FROM feeds WHERE newstui_fold("
            "COALESCE(user_title, title, '') || ' ' || url) LIKE ? ESCAPE '\\')"
        )
    if isinstance(node, Tag):
        params += [node.value, node.value]
        return (
            "(e.feed_url IN (SELECT feed FROM feed_tags WHERE tag = ?)"
            " OR e.id IN (SELECT entry FROM entry_tags WHERE tag = ? COLLATE NOCASE))"
        )
    if isinstance(node, Dated):
        moment = datetime.combine(node.day, time(), UTC)
        params.append(int(moment.timestamp()))
        return "e.sort_at >= ?" if node.op == "after" else "e.sort_at < ?"
    assert isinstance(node, Newer)
    params.append(int((now - node.age).timestamp()))
    return "e.sort_at >= ?"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
