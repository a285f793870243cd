"""Golden tests of the query language: each operator's tree, and each error's message and column."""

from __future__ import annotations

import pytest

from newstui.core.query import MAX_QUERY_CHARS, QueryError, describe, parse_query, text_nodes

GOLDEN = [
    ("rust", "word:rust"),
    ("rust async", "AND(word:rust, word:async)"),
    ("rust AND async", "AND(word:rust, word:async)"),
    ('"exact phrase"', "phrase:exact phrase"),
    ('"  spaced  out "', "phrase:spaced  out"),
    ("rust -java", "AND(word:rust, NOT(word:java))"),
    ("rust NOT java", "AND(word:rust, NOT(word:java))"),
    ('rust -"hello world"', "AND(word:rust, NOT(phrase:hello world))"),
    ("rust OR go", "OR(word:rust, word:go)"),
    ("a b OR c", "AND(word:a, OR(word:b, word:c))"),
    ("a OR b OR c", "OR(word:a, word:b, word:c)"),
    ("(a OR b) c", "AND(OR(word:a, word:b), word:c)"),
    ("a -(b OR c)", "AND(word:a, NOT(OR(word:b, word:c)))"),
    ("async*", "word:async*"),
    ('"machine learn"*', "phrase:machine learn*"),
    ("title:rust", "title.word:rust"),
    ("TITLE:rust", "title.word:rust"),
    ('title:"rust async"', "title.phrase:rust async"),
    ("title:asy*", "title.word:asy*"),
    ('author:"Ada Lovelace"', "author.phrase:Ada Lovelace"),
    ("feed:lwn", "feed:lwn"),
    ('feed:"Hacker News"', "feed:Hacker News"),
    ("tag:Tech", "tag:Tech"),
    ("is:unread", "flag:unread"),
    ("is:READ", "flag:read"),
    ("is:bookmarked", "flag:bookmarked"),
    ("is:hidden", "flag:hidden"),
    ("has:enclosure", "flag:enclosure"),
    ("after:2026-01-31", "after:2026-01-31"),
    ("before:2026-02", "before:2026-02-01"),
    ("before:2025", "before:2025-01-01"),
    ("newer:7d", "newer:604800s"),
    ("newer:12h", "newer:43200s"),
    ("newer:2w", "newer:1209600s"),
    ("is:unread -tag:news", "AND(flag:unread, NOT(tag:news))"),
    # Not field names: searched as text.
    ("https://example.org/a", "word:https://example.org/a"),
    ("c++:", "word:c++:"),
    ("rust-lang", "word:rust-lang"),
    ("東京 ソウル", "AND(word:東京, word:ソウル)"),
    ("café", "word:café"),
]


@pytest.mark.parametrize(("query", "tree"), GOLDEN)
def test_golden_tree(query: str, tree: str) -> None:
    assert describe(parse_query(query)) == tree


ERRORS = [
    ("", "empty query", 1),
    ("   ", "empty query", 1),
    ('rust "async', "unclosed quote", 6),
    ('""', "empty phrase", 1),
    ("OR rust", "OR needs something before it", 1),
    ("rust OR", "OR needs something after it", 6),
    ("a OR OR b", "OR needs something after it", 3),
    ("rust AND", "AND needs something after it", 6),
    ("AND rust", "AND needs something before it", 1),
    ("-", "nothing after '-'", 1),
    ("rust - go", "nothing after '-'", 6),
    ("rust NOT", "nothing after 'NOT'", 6),
    ("--rust x", "double negation", 1),
    ("(rust", "'(' without a matching ')'", 1),
    ("rust)", "')' without a matching '('", 5),
    ("()", "empty group", 2),
    ("title:", "title: needs a value", 1),
    ("rust is:", "is: needs a value", 6),
    ("is:fresh", "is: takes unread, read, bookmarked, hidden", 1),
    ("is:unreda", "is: takes unread, read, bookmarked, hidden; did you mean 'unread'?", 1),
    ("has:video", "has: takes enclosure", 1),
    ("after:yesterday", "after: takes a date like 2026-01-31", 1),
    ("before:2026-02-30", "before: takes a date like 2026-01-31", 1),
    ("newer:7", "newer: takes an age like 12h, 7d or 2w", 1),
    ("newer:7y", "newer: takes an age like 12h, 7d or 2w", 1),
    ('is:"unread"', "is: takes a single word", 4),
    ("tag:te*", "tag: takes no '*'", 1),
    ("as*ync", "'*' goes at the end of a word (async*)", 3),
    ("*", "'*' goes at the end of a word (async*)", 1),
    ("titel:rust", "unknown field 'titel:'; did you mean 'title'?", 1),
    ("-rust", "a query needs something to find, not only exclusions", 1),
    ("-rust -go", "a query needs something to find, not only exclusions", 1),
]


@pytest.mark.parametrize(("query", "message", "column"), ERRORS)
def test_errors_name_the_problem_and_its_column(query: str, message: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.message == message
    assert caught.value.position + 1 == column
    assert str(caught.value) == f"column {column}: {message}"


def test_sizes_are_capped() -> None:
    with pytest.raises(QueryError, match="too long"):
        parse_query("a" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError, match="too many terms"):
        parse_query(" ".join(f"w{i}" for i in range(100)))
    with pytest.raises(QueryError, match="too deeply nested"):
        parse_query("(" * 40 + "a" + ")" * 40)


def test_text_nodes_skip_exclusions() -> None:
    tree = parse_query('rust "async io" -java title:tokio feed:lwn')
    assert [t.value for t in text_nodes(tree)] == ["rust", "async io", "tokio"]
