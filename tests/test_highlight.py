"""Marking a query's matches in titles and snippets, with the index's own folding rules."""

from __future__ import annotations

from newstui.core.highlight import Highlighter
from newstui.core.query import parse_query


def marked(query: str, text: str, field: str | None = None) -> str:
    out, last = "", 0
    for start, end in Highlighter(parse_query(query)).spans(text, field=field):
        out += text[last:start] + "[" + text[start:end] + "]"
        last = end
    return out + text[last:]


def test_words_fold_case_and_diacritics_and_match_whole() -> None:
    assert marked("cafe", "Café, CAFE and cafeteria") == "[Café], [CAFE] and cafeteria"
    assert marked("strasse", "Straße") == "[Straße]"


def test_prefix_phrase_and_exclusions() -> None:
    assert marked("async*", "Async and asyncio") == "[Async] and [asyncio]"
    assert marked('"rust async"', "rust async, async rust") == "[rust async], async rust"
    assert marked("rust -async", "rust async") == "[rust] async"


def test_cjk_substrings_and_fields() -> None:
    assert marked("東京", "今日は東京へ、東京から") == "今日は[東京]へ、[東京]から"
    assert marked("python入門", "Python入門") == "[Python入門]"
    assert marked("title:rust", "rust") == "rust"
    assert marked("title:rust", "rust", field="title") == "[rust]"


def test_snippet_is_cut_around_the_first_match() -> None:
    text = "lead " * 100 + "the needle is here " + "tail " * 100
    snippet, spans = Highlighter(parse_query("needle")).snippet(text, width=60)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 62
    [(start, end)] = spans
    assert snippet[start:end] == "needle"
    short, spans = Highlighter(parse_query("x")).snippet("  a x b  ")
    assert (short, spans) == ("a x b", [(2, 3)])
