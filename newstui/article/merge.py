"""Two extractions of one page, combined: readability-lxml's article, with what it dropped from
the middle of the article put back from trafilatura's.

The two libraries fail differently. readability-lxml keeps the page's own markup (tables, code,
lists) and the whole article container, but its cleaning removes whole figures, image captions
and short blocks that look unlikely to it; trafilatura rebuilds a plainer document from the
text blocks it scores, keeping most figures and captions, but it misses leads, tables and
headings that readability keeps. Where both have a passage, it is article. A block that only
trafilatura has, *between* two such agreed passages, is part of the article that readability
dropped, and `fill_gaps` inserts it there. A block only trafilatura has before the first or
after the last agreed passage is not added: that is where bylines, teasers, "related" lists,
newsletter boxes and footers sit, and readability is the better judge of the article's edges.

Except when readability chose a part of the article: on a page laid out in tables its best
candidate can be one cell, the story without the rest of the article around it. When
trafilatura's article holds nearly all of readability's (`_CONTAINED`) and more than `_LARGER`
times its words, its edges are taken too: its blocks before the first and after the last agreed
passage are added as well. (On the 40 test pages one page is such a case, with 2.3 times
readability's words; on every other page the two differ by less than 1.1 times.)

Blocks are compared by word pairs (each CJK character is a word), so a caption that shares its
words with the story, but not their order, still counts as missing. Every loop is bounded by
`MAX_BLOCKS` and `_WINDOW`: the work is linear in the size of the two articles.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urljoin

from lxml import html as lxml_html

from newstui.article.boilerplate import WORD, count_words

MAX_BLOCKS = 3_000
"""Blocks looked at in either article; a longer article is left as readability made it."""
_WINDOW = 200
"""How many of readability's blocks past the last match a passage is looked for in."""
_AGREE = 0.6
"""Share of a block's word pairs found in the other article for both to have it."""
_MISSING = 0.25
"""At most this share found: the block is missing from the other article."""
_CONTAINED = 0.9
_LARGER = 2.0
"""trafilatura's article holds this share of readability's word pairs and this many times its
words: readability chose a part of the article, and trafilatura's edges are trusted."""
_TEXT_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote", "figcaption",
     "caption", "table", "img"}
)  # fmt: skip
"""What counts as one block of readability's article (the first of them met going down)."""
_CONTAINERS = frozenset({"div", "section", "article", "main", "body", "html", "header", "footer"})


@dataclass(slots=True, eq=False)
class _Block:
    element: lxml_html.HtmlElement
    pairs: frozenset[str]
    images: frozenset[str]


def text_pairs(element: lxml_html.HtmlElement) -> frozenset[str]:
    """The word pairs of an element's text: what `fill_gaps` compares blocks by."""
    return _pairs(element.text_content())


def fill_gaps(
    article: lxml_html.HtmlElement,
    other: lxml_html.HtmlElement,
    url: str,
    *,
    seen: frozenset[str] = frozenset(),
) -> int:
    """Insert into `article` (readability's, changed in place) the blocks of `other`
    (trafilatura's) that lie between two passages both have and that `article` lacks.

    Args:
        seen: word pairs of readability's article before newstui's own filter ran: a block of
            `other` with that text was removed as boilerplate, not dropped by readability, so
            it is not put back.

    Returns:
        How many blocks were inserted.
    """
    ours = list(_blocks(article, url))
    theirs = [_block(child, url) for child in other.iterchildren() if isinstance(child.tag, str)]
    if not ours or not theirs or len(ours) > MAX_BLOCKS or len(theirs) > MAX_BLOCKS:
        return 0
    all_pairs = frozenset().union(*(block.pairs for block in ours))
    all_images = frozenset().union(*(block.images for block in ours))
    known = all_pairs | seen
    edges = _holds_a_larger_article(other, theirs, article, all_pairs)
    anchors: list[int | None] = []  # for each of their blocks: our block that matches it
    cursor = 0
    for block in theirs:
        found = None
        if _share(block, all_pairs, all_images) >= _AGREE:
            found = _locate(block, ours, cursor)
            if found is not None:
                cursor = found
        anchors.append(found)
    inserted = 0
    last: int | None = None
    pending: list[_Block] = []
    for block, anchor in zip(theirs, anchors, strict=True):
        if anchor is not None:
            if last is not None and pending and anchor > last:
                inserted += _insert(ours[last].element, article, pending, all_pairs)
            elif last is None and pending:  # only with `edges`: what comes before the article
                inserted += _insert(ours[anchor].element, article, pending, all_pairs, before=True)
            last, pending = anchor, []
        elif (last is not None or edges) and _share(block, known, all_images) <= _MISSING:
            pending.append(block)  # (a block with neither text nor images shares 1.0)
    if edges and last is not None and pending:  # and what comes after it
        inserted += _insert(ours[last].element, article, pending, all_pairs)
    return inserted


def _holds_a_larger_article(
    other: lxml_html.HtmlElement,
    theirs: list[_Block],
    article: lxml_html.HtmlElement,
    pairs: frozenset[str],
) -> bool:
    """Whether trafilatura's article holds readability's and is much larger (`_LARGER`)."""
    their_pairs = frozenset().union(*(block.pairs for block in theirs))
    if len(pairs & their_pairs) < _CONTAINED * len(pairs):
        return False
    return count_words(other) > _LARGER * count_words(article)


def _blocks(root: lxml_html.HtmlElement, url: str) -> Iterator[_Block]:
    """Our article's blocks in document order: the outermost text blocks, and images that are
    not inside one."""
    stack = list(reversed(root))
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        if element.tag in _TEXT_BLOCKS:
            yield _block(element, url)
            continue
        images = [image for image in element if isinstance(image.tag, str) and image.tag == "img"]
        if images and len(element) == len(images):
            yield _block(element, url)
            continue
        stack.extend(reversed(element))


def _pairs(text: str) -> frozenset[str]:
    words = WORD.findall(text.casefold())
    return frozenset(f"{a} {b}" for a, b in pairwise(words)) or frozenset(words)


def _text_block(text: str) -> _Block:
    return _Block(lxml_html.HtmlElement(), _pairs(text), frozenset())


def _block(element: lxml_html.HtmlElement, url: str) -> _Block:
    pairs = _pairs(element.text_content())
    images = element.iter("img") if element.tag != "img" else (element,)
    sources = frozenset(_source(image, url) for image in images if image.get("src"))
    return _Block(element, pairs, sources)


def _source(image: lxml_html.HtmlElement, url: str) -> str:
    try:
        return urljoin(url, (image.get("src") or "").strip()).split("?")[0]
    except ValueError:
        return ""


def _share(block: _Block, pairs: frozenset[str], images: frozenset[str]) -> float:
    """How much of `block` the other article has: its word pairs, or its images if it has no
    text."""
    if block.pairs:
        return len(block.pairs & pairs) / len(block.pairs)
    if block.images:
        return len(block.images & images) / len(block.images)
    return 1.0  # empty: nothing to add, nothing to anchor on


def _locate(block: _Block, ours: list[_Block], cursor: int) -> int | None:
    """Our block that holds `block`'s passage, searching forward from `cursor`."""
    best, best_share = None, 0.0
    for index in range(cursor, min(len(ours), cursor + _WINDOW)):
        share = _share(block, ours[index].pairs, ours[index].images)
        if share >= _AGREE:
            return index
        if share > best_share:
            best, best_share = index, share
    return best if best_share >= _MISSING else None


def _insert(
    anchor: lxml_html.HtmlElement,
    article: lxml_html.HtmlElement,
    blocks: list[_Block],
    pairs: frozenset[str],
    *,
    before: bool = False,
) -> int:
    """Put copies of `blocks` after `anchor` (or before it), at the level of the blocks around
    it (after its list or table, not inside it). An image whose description repeats text the
    article has (a lead photo described by the lead paragraph) loses the description: said
    once is enough."""
    while True:
        parent = anchor.getparent()
        if parent is None or parent is article or parent.tag in _CONTAINERS:
            break
        anchor = parent
    for block in blocks if before else reversed(blocks):
        added = copy.deepcopy(block.element)
        added.tail = None
        for image in added.iter("img"):
            if _share(_text_block(image.get("alt") or ""), pairs, frozenset()) >= _AGREE:
                image.attrib.pop("alt", None)
        if before:
            anchor.addprevious(added)
        else:
            anchor.addnext(added)
    return len(blocks)
