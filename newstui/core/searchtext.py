"""What the search index is given for an entry, and the same folding on the query side. Pure.

SQLite's `unicode61` tokenizer (with `remove_diacritics 2`) folds case and diacritics, so `cafe`
finds `Café`; but it has no idea where Chinese, Japanese or Korean words end (a whole CJK run is
one token), and the `trigram` tokenizer, which finds substrings, cannot find a term shorter than
three characters: most two-character Chinese words. So CJK runs also go to columns of their own
as overlapping **bigrams** (`東京都` → `東京 京都 都`): any substring of two characters is a token,
a longer one is the phrase of its bigrams, and a single character is a prefix of one (the last
character of a run is added alone for that). Latin words glued to CJK (`Python入門`) are split
from it, so `python` finds them.

`fold` is the query side's idea of the same folding, for highlighting matches in Python.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from functools import lru_cache

MAX_INDEXED_CHARS = 100_000
"""Text beyond this (per column) is not indexed: enough for any article, bounded for hostile
ones."""

# Han (with extensions and compatibility forms), kana, Hangul, bopomofo, CJK radicals.
_CJK_RANGES = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0002fa1f"
)
CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
_HAS_CJK = re.compile(f"[{_CJK_RANGES}]")
WORD = re.compile(r"[^\W_]+")
"""A token as unicode61 sees one: letters and digits (underscore and punctuation separate)."""
SPACED_WORD = re.compile(f"[^\\W_{_CJK_RANGES}]+")
"""A non-CJK token of `spaced` text, where CJK runs stand apart."""


_BLOCK_END = re.compile(r"(?i)<(?:br|/p|/div|/li|/h[1-6]|/tr|/td|/th|/blockquote|/pre)\b[^>]*>")
_TAG = re.compile(r'</?[a-zA-Z][^>"]*(?:"[^"]*"[^>"]*)*>')
"""A tag of *sanitized* HTML: ammonia double-quotes every attribute value, which may hold '>'."""


def entry_text(content_html: str | None, summary_html: str | None) -> str:
    """The text an entry is searched by: its content (else its summary) without tags, capped.

    Runs for every new entry in the parse workers, so it is a regex pass over the already
    sanitized HTML (13 µs for 3 KB, against 54 µs for a second nh3 parse with the same output);
    control characters are gone already (`htmlclean.sanitize_html` removed them and
    `html.unescape` drops numeric references to them).
    """
    source = content_html or summary_html
    if not source:
        return ""
    source = source[: MAX_INDEXED_CHARS * 2]
    if "<" in source or "&" in source:
        source = html.unescape(_TAG.sub("", _BLOCK_END.sub(" ", source)))
    return source[:MAX_INDEXED_CHARS].strip()


def has_cjk(text: str) -> bool:
    if text.isascii():
        return False
    try:
        # No character past U+00FF (accented Western text without curly quotes or dashes):
        # a copy for such a string, where cp1252's table lookups below cost ~5 us per 2 KB
        # in every new entry's body (a sixth of its index columns' cost, measured).
        text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        return False
    try:
        # Most non-ASCII Western text (accents, curly quotes, dashes) is in cp1252, which has
        # no CJK character; encoding is C speed, where the regex below costs ~10 ns per
        # character (a third of indexing an entry's text in Python, measured).
        text.encode("cp1252")
    except UnicodeEncodeError:
        return _HAS_CJK.search(text) is not None
    return False


def bigrams(run: str) -> list[str]:
    """`東京都` → `["東京", "京都", "都"]`: each two-character substring, and the last character."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def cjk_tokens(text: str) -> str:
    """The bigram tokens of every CJK run in `text`, space-separated ('' when there is none)."""
    text = text[:MAX_INDEXED_CHARS]
    if not has_cjk(text):
        return ""
    return _bigram_text(text)


def _bigram_text(text: str) -> str:
    return " ".join(" ".join(bigrams(run)) for run in CJK_RUN.findall(text))


def spaced(text: str) -> str:
    """`text` capped, CJK runs set apart from adjacent letters (`Python入門` → `Python 入門`)."""
    text = text[:MAX_INDEXED_CHARS]
    if not has_cjk(text):
        return text
    return _spaced(text)


def _spaced(text: str) -> str:
    return CJK_RUN.sub(lambda m: f" {m.group(0)} ", text)


def _both(text: str) -> tuple[str, str]:
    """`spaced(text)` and `cjk_tokens(text)`, looking for CJK once (the costly part)."""
    text = text[:MAX_INDEXED_CHARS]
    if not has_cjk(text):
        return text, ""
    return _spaced(text), _bigram_text(text)


def index_columns(title: str, author: str, feed: str, body: str, page: str) -> tuple[str, ...]:
    """The first eight indexed columns: title, author, feed, body, page, cjk_title, cjk_body,
    cjk_page (the ninth, tags, is `tag_tokens`).

    Author and feed names get no bigrams: a CJK name is found whole, or by `feed:` (substring).
    """
    title, cjk_title = _both(title)
    body, cjk_body = _both(body)
    page, cjk_page = _both(page)
    return (title, spaced(author), spaced(feed), body, page, cjk_title, cjk_body, cjk_page)


TAG_MARK = "\ue000"
"""Starts every token of the `tags` column (a private-use character, which the index's
tokenizer is told is part of a word), so `tag:python` never matches the word python in a body,
and a tag's entries are found by the index itself."""


def tag_token(tag: str) -> str | None:
    """The `tags` column's token for a tag (`Open-Source` → mark + `opensource`), or None when
    the tag holds no letters or digits. Different tags may share a token (`open source`): the
    index narrows, the exact tag test decides."""
    letters = "".join(WORD.findall(fold(tag)))
    return TAG_MARK + letters if letters else None


@lru_cache(maxsize=1024)
def tag_tokens(feed_tags_json: str | None, entry_tags: str | None) -> str:
    """The `tags` column: the feed's tags (its JSON list) and those filters gave the entry
    (joined by U+001F), as tokens."""
    tags = list(json.loads(feed_tags_json)) if feed_tags_json else []
    if entry_tags:
        tags += entry_tags.split("\x1f")
    tokens = {tag_token(str(tag)) for tag in tags}
    return " ".join(sorted(token for token in tokens if token))


_last: dict[str, tuple[object, tuple[str, str]]] = {}


def index_value(column: str, first: str | None, second: str | None) -> str:
    """One indexed column of an entry, for the `search_source` view (see
    `newstui/store/_search_index.py`): `title`/`cjk_title` (first: the title), `author`, `feed`
    (the name), `body`/`cjk_body` (the content and summary HTML), `page`/`cjk_page` (the
    reader-mode page's HTML), `tags` (`tag_tokens`). The view asks for a row's columns one by
    one, so each pair (text, bigrams) is kept until the next row's. `index_row` computes a
    whole row with the same functions."""
    if column == "author" or column == "feed":
        return spaced(first or "")
    if column == "tags":
        return tag_tokens(first, second)
    group = column.removeprefix("cjk_")
    key = (first, second)
    cached = _last.get(group)
    if cached is None or cached[0] != key:
        if group == "title":
            text = first or ""
        elif group == "body":
            text = entry_text(first, second)
        else:
            text = entry_text(first, None) if first else ""
        cached = (key, _both(text))
        _last[group] = cached
    return cached[1][1] if column.startswith("cjk_") else cached[1][0]


EntryColumns = tuple[str, str, str, str, str]
"""`entry_columns`: (title, author, body, cjk_title, cjk_body)."""


def entry_columns(
    title: str | None, author: str | None, content: str | None, summary: str | None
) -> EntryColumns:
    """The indexed columns that depend on the entry's own stored values alone (the rest are
    its feed's name and tags, and its reader-mode page): what `index_row` computes for them.
    The parse workers compute these for every new entry, so the refresh's writer does not."""
    title_text, cjk_title = _both(title or "")
    body, cjk_body = _both(entry_text(content, summary))
    return title_text, spaced(author or ""), body, cjk_title, cjk_body


def index_row(
    title: str | None,
    author: str | None,
    feed: str | None,
    content: str | None,
    summary: str | None,
    page: str | None,
    feed_tags: str | None,
    entry_tags: str | None,
) -> tuple[str, ...]:
    """The nine indexed columns of an entry in `search`'s order: exactly what `index_value`
    gives the view for the same stored values, in one pass (indexing many entries at once)."""
    page_text, cjk_page = _both(entry_text(page, None) if page else "")
    return complete_row(entry_columns(title, author, content, summary), feed,
                        feed_tags, entry_tags, page_text, cjk_page)  # fmt: skip


def complete_row(
    own: EntryColumns,
    feed: str | None,
    feed_tags: str | None,
    entry_tags: str | None,
    page: str = "",
    cjk_page: str = "",
) -> tuple[str, ...]:
    """`index_row` from an entry's `entry_columns` and the rest: its feed's name and tags, its
    page's text and bigrams (empty: no reader-mode page)."""
    title, author, body, cjk_title, cjk_body = own
    return (
        title, author, spaced(feed or ""), body, page,
        cjk_title, cjk_body, cjk_page, tag_tokens(feed_tags, entry_tags),
    )  # fmt: skip


def fold(text: str) -> str:
    """Case and diacritics folded, as unicode61 `remove_diacritics 2` does: `Café` → `cafe`.

    A character may fold to several (ß → ss, ﬁ → fi); `fold_map` keeps track of where each
    folded character came from.
    """
    return "".join(_fold_char(char) for char in text)


def fold_map(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index of the character it came from."""
    if text.isascii():  # most lines of most articles: nothing to decompose
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


_FOLD_CACHE: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _FOLD_CACHE.get(char)
    if folded is None:
        decomposed = unicodedata.normalize("NFKD", char)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        if len(_FOLD_CACHE) < 50_000:
            _FOLD_CACHE[char] = folded
    return folded
