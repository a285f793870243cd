"""Reader mode's core: a web page → its main article as sanitized HTML, plus title and byline.

Pure (no network, no Textual, no rich): `fulltext.py` fetches the bytes and runs this in a
thread, and the article pane renders the result exactly like a feed entry's HTML.

Two libraries, one article. `bench/extract_score.py` scores reader mode by word-level F1
against Readability.js's expected output for Mozilla Readability's 40 test pages (in the shared
corpus, not in this repo), beside each library alone. readability-lxml is the base: it returns
the page's own markup (tables, code blocks, lists) and the whole article container. Its
cleaning, though, drops whole figures, captions and short blocks from the middle of articles,
which trafilatura keeps; `merge.fill_gaps` puts back what trafilatura has *between* two
passages both libraries agree on (see `merge.py` for why only there, and for the one case
where trafilatura's edges are taken too: its article holds readability's and is more than twice
as large). trafilatura reads the page without what readability rules out by class before it
starts (`_likely_parts`), and only pages of a sane size (`_small_enough`: its time grows faster
than the page). On the 40 pages
(piped `newstui read --full-text` body): mean F1 0.969 for readability-lxml alone, 0.962 for
trafilatura alone, 0.985 for newstui; see `bench/README.md` for the table.

What the libraries leave behind (share bars, related links, newsletter prompts) is removed by
`boilerplate.strip_boilerplate`, before the filling (whose blocks carry no classes to judge
by) and again after it.

Hostile input. The input is capped at `MAX_INPUT_BYTES` and decoded as `_decode` describes.
Control characters and escape sequences are removed before parsing, binary data is refused,
and any failure inside the libraries becomes `ParseError`, the one exception callers need to
handle.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from newstui.article.boilerplate import count_words, strip_boilerplate
from newstui.article.merge import fill_gaps, text_pairs
from newstui.article.pagemeta import page_metadata
from newstui.core.errors import ParseError
from newstui.core.htmlclean import limit_nesting, sanitize_html
from newstui.core.text import clean_line, strip_controls

MAX_INPUT_BYTES = 5_000_000
"""Pages larger than this are cut: an article is never that big, and the libraries' time grows
with the page (a 5 MB page takes about a second)."""
MAX_SECOND_DEPTH = 60
MAX_SECOND_ELEMENTS = 40_000
"""trafilatura reads only pages within these (the 40 test pages: depth 27, 3,000 elements at
most); larger pages are extracted by readability alone."""
MIN_WORDS = 25
"""Fewer words than this outside links is not an article (a login form, an index of links)."""

_PRESCAN = 4096
_BOM = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{1,40})""", re.I
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_:.+-]{1,40})""", re.I)
# What browsers actually do with these labels (WHATWG Encoding): latin-1 and ASCII pages are
# windows-1252, GB2312 pages are GBK (a subset of GB18030). UTF-7 is refused: it can spell tags.
_CODEC_FOR = {"iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030"}
_REFUSED = frozenset({"utf-7"})
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")
_BINARY_SAMPLE = 65_536
_C1 = re.compile(r"\x9b[0-?]*[ -/]*[@-~]|[\x80-\x9f]")  # 8-bit CSI (bounded), else one char
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)


_TABLE_REACH = 3
"""How many levels above an element a `<table>` may be for it to count as part of the table."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's article. `html` is sanitized (safe tags, absolute links); the rest is clean text."""

    title: str
    html: str
    author: str | None
    published: str | None


def extract_article(html: bytes | str, url: str, *, content_type: str | None = None) -> Extracted:
    """The main article of the page `html` fetched from `url`.

    Args:
        html: the page, as fetched (bytes, decoded here) or already decoded.
        url: where it came from (after redirects): relative links are resolved against it.
        content_type: the HTTP `Content-Type` header, for its charset.

    Raises:
        ParseError: kind `no-article` when the page holds no readable article (or is garbage).
    """
    if isinstance(html, bytes | bytearray | memoryview):
        text = _decode(bytes(html[:MAX_INPUT_BYTES]), content_type)
    else:
        text = html[:MAX_INPUT_BYTES]
    if _looks_binary(text):
        raise _no_article()
    text = _XML_DECLARATION.sub("", _clean_controls(text), count=1)
    if limit_nesting(text) is not text:
        # Nested deeper than any real page: readability's work grows with depth times size
        # (a 5 MB page of nested <div>s took minutes), and flattened it still took 20 s.
        raise ParseError("no-article", "no readable article: the page is nested too deeply")
    if not text.strip():
        raise _no_article()
    # Imported here, not at the top: readability pulls in urllib.request, chardet and cssselect
    # (about 80 ms), which the TUI's start-up should not pay before anyone opens reader mode.
    from readability import Document

    try:
        page = lxml_html.document_fromstring(text.encode("utf-8", "replace"), parser=_parser())
        title, author, published = page_metadata(page)
        _protect_table_cells(page)
        second = _likely_parts(page, Document) if _small_enough(page) else None
        body_html = Document(page, url=url).summary(html_partial=True)
        article = lxml_html.fragment_fromstring(
            body_html.encode("utf-8", "replace"), create_parent="div", parser=_parser()
        )
        before = text_pairs(article)
        strip_boilerplate(article, title, url)
        other = _trafilatura(second, url) if second is not None else None
        if other is not None and fill_gaps(article, other, url, seen=before):
            strip_boilerplate(article, title, url)  # what came in passes the same filter
        readable_words = count_words(article, outside_links=True)
        body = etree.tostring(article, encoding="unicode", method="html")
    except Exception as exc:
        # readability wraps its failures in `Unparseable`; lxml raises ParserError or ValueError
        # on empty and unusable documents. Whatever the page does to either, it has no article.
        raise _no_article() from exc
    if readable_words < MIN_WORDS:
        raise _no_article()
    cleaned = sanitize_html(body, url)
    return Extracted(
        title=title or clean_line(url), html=cleaned, author=author, published=published
    )


def _small_enough(page: lxml_html.HtmlElement) -> bool:
    """Whether trafilatura may read the page: its time grows faster than the page (nested
    tables are quadratic: 200,000 of them took 45 s), so only trees within the sizes real
    articles have get the second opinion. One pass, stopped at the first limit crossed."""
    depth = elements = 0
    for event, _ in etree.iterwalk(page, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        elements += 1
        if depth > MAX_SECOND_DEPTH or elements > MAX_SECOND_ELEMENTS:
            return False
    return True


def _likely_parts(page: lxml_html.HtmlElement, document: type) -> lxml_html.HtmlElement:
    """A copy of the page without what readability rules out by class or id before it starts
    (comments, sidebars, tweets, menus...). trafilatura reads this copy: its article should
    fill what readability's later cleaning dropped, not bring back what both readability and
    Readability.js decide against from the start."""
    copied = copy.deepcopy(page)
    try:
        reader = document(copied)
        reader.html = copied
        reader.remove_unlikely_candidates()
    except Exception:  # an internal step of the library; without it, the whole page is read
        return copy.deepcopy(page)
    return copied


def _trafilatura(page: lxml_html.HtmlElement, url: str) -> lxml_html.HtmlElement | None:
    """trafilatura's article as a tree of blocks, or None if it finds none (or fails)."""
    try:
        # Imported on first use: trafilatura and its dependencies take ~0.3 s to import.
        import trafilatura

        found = trafilatura.extract(
            page,
            url=url,
            output_format="html",
            include_comments=False,
            include_tables=True,
            include_images=True,
            include_links=True,
            include_formatting=True,
        )
        if not found:
            return None
        return lxml_html.document_fromstring(
            found.encode("utf-8", "replace"), parser=_parser()
        ).find("body")
    except Exception:  # a second opinion that fails is no opinion: readability's stands
        return None


def _looks_binary(text: str) -> bool:
    """An image, a PDF or random bytes: text pages have no C0 controls besides whitespace, and
    without this check the decoded noise can look like enough words to be an article."""
    sample = text[:_BINARY_SAMPLE]
    return len(_BINARY.findall(sample)) > len(sample) // 100


def _clean_controls(text: str) -> str:
    """Escape sequences and control characters out, before anything is parsed.

    C1 characters go first, one by one (8-bit CSI sequences whole): in a decoded web page they
    are mojibake, never terminal sequences. Carriage returns become newlines so that old Mac
    line endings do not glue words.
    """
    text = _C1.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return strip_controls(text)


def _no_article() -> ParseError:
    return ParseError("no-article", "no readable article found on the page")


def _parser() -> lxml_html.HTMLParser:
    # One per call: extraction runs in worker threads. `huge_tree` lifts libxml2's depth limit
    # from 256 to 2,048 levels, so deeply nested (but real) pages keep their text.
    return lxml_html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )


def _protect_table_cells(page: lxml_html.HtmlElement) -> None:
    """Hide from readability-lxml the class and id words that make it delete table cells and
    links as "unlikely candidates": `<td class="header_cell">` matches its `header` and a data
    table lost its whole header row. Readability.js, whose output is what reader mode is scored
    against, exempts anything within three levels of a `<table>` and every `<a>` from that rule;
    this does the same before the page is handed over."""
    from readability.readability import REGEXES

    unlikely, maybe = REGEXES["unlikelyCandidatesRe"], REGEXES["okMaybeItsACandidateRe"]
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        words = f"{element.get('class', '')} {element.get('id', '')}"
        if len(words) < 2 or not unlikely.search(words) or maybe.search(words):
            continue
        if element.tag == "a" or any(
            ancestor.tag == "table" for ancestor in _ancestors(element, _TABLE_REACH)
        ):
            element.attrib.pop("class", None)
            element.attrib.pop("id", None)


def _ancestors(element: lxml_html.HtmlElement, limit: int) -> Iterator[lxml_html.HtmlElement]:
    parent = element.getparent()
    while parent is not None and limit > 0:
        yield parent
        parent, limit = parent.getparent(), limit - 1


# --- decoding -------------------------------------------------------------------------------


def _decode(data: bytes, content_type: str | None) -> str:
    """Bytes → text, never failing (bad bytes become U+FFFD).

    The HTML order (BOM, HTTP charset, `<meta charset>`, then a guess) with one change: bytes
    that are valid UTF-8 are read as UTF-8 whatever the page declares. Non-ASCII text in another
    encoding is practically never valid UTF-8, while pages re-saved or re-served as UTF-8 under a
    stale `<meta charset=gb2312>` are common (one of the 40 test pages is one).
    """
    for bom, codec in _BOM:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    header = _HEADER_CHARSET.search(content_type or "")
    header_codec = _codec(header.group(1) if header else None)
    if header_codec and header_codec.startswith("utf-16"):  # UTF-16 text can be valid UTF-8
        return data.decode(header_codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(data[:_PRESCAN])
    meta_codec = _codec(meta.group(1).decode("ascii") if meta else None)
    if meta_codec and meta_codec.startswith("utf-"):  # a lie: the bytes are not UTF-8/16
        meta_codec = None
    return data.decode(header_codec or meta_codec or "cp1252", "replace")


def _codec(label: str | None) -> str | None:
    """A text codec for a charset label, or None for unknown, non-text or refused labels."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
        b"ab".decode(name, "replace")  # bytes-to-bytes codecs (base64, zlib...) raise LookupError
    except (LookupError, ValueError, TypeError):
        return None
    return None if name in _REFUSED else _CODEC_FOR.get(name, name)
