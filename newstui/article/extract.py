"""Reader mode's core: a web page → its main article as sanitized HTML, plus title and byline.

Pure (no network, no Textual, no rich): `fulltext.py` fetches the bytes and runs this in a
thread, and the article pane renders the result exactly like a feed entry's HTML.

Why readability-lxml. `bench/extract_score.py` scores candidates by word-level precision and
recall against Readability.js's expected output for Mozilla Readability's 40 test pages
(in the shared corpus, not in this repo). Extraction alone, readability-lxml had the better
median and mean F1 (0.992 / 0.969) than trafilatura (0.980 / 0.962). It also returns the page's
own markup (tables, code blocks, lists, images) where trafilatura rebuilds a simpler document,
and it is small (lxml, cssselect, chardet). Trafilatura did better on three pages: figure
captions that readability-lxml drops (guardian), a CJK page, and a WordPress page. Falling back to
trafilatura when its text contains ours and is 1.3 times longer raised the mean to 0.985, but it
would add a second and much heavier dependency tree (dateparser, babel, regex, htmldate,
courlan, justext...). The boilerplate filter below fixes the WordPress page without it.

What the library leaves behind. Readability keeps every block inside the article's container:
share bars, "Like this:", related-post grids, newsletter prompts, and "Share your story / Send
your videos and photos to us" trailers. `_strip_boilerplate` removes these conservatively. It
matches class/id words that mean boilerplate, the opening phrase of a short block, and headings
("Related", "More on this story") together with the link lists under them. A rule may only remove
a block that is small next to the whole article, so a wrapper that happens to carry a matching
class can never take the article with it. On the 40 pages the filter raises the mean F1 from
0.969 to 0.971. The pages where it costs (The Verge 0.98 → 0.94, the Post 0.999 → 0.986) lose
exactly what the issue calls boilerplate and Readability.js keeps: a newsletter box and a
"Read more:" list of links.

Hostile input. The input is capped at `MAX_INPUT_BYTES` and decoded as `_decode` describes.
Control characters and escape sequences are removed before parsing, binary data is refused,
and any failure inside the libraries becomes `ParseError`, the one exception callers need to
handle.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from lxml import etree
from lxml import html as lxml_html

from newstui.core.errors import ParseError
from newstui.core.htmlclean import sanitize_html
from newstui.core.text import clean_line, strip_controls

MAX_INPUT_BYTES = 5_000_000
"""Pages larger than this are cut: an article is never that big, and the libraries' time grows
with the page (a 5 MB page takes about a second)."""
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

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han ideographs
_WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
"""A word, or one CJK character: Chinese and Japanese do not put spaces between words."""
_SPACE = re.compile(r"\s+")

_ALWAYS_DROP = ("script", "style", "noscript", "template", "form", "button", "input", "select")
_ALWAYS_DROP += ("textarea", "nav", "dialog")
"""Never article content; nh3 would keep the text inside forms and buttons ("Log in")."""
_ATTR_SPLIT = re.compile(r"[\s_-]+")
_BOILERPLATE_CLASS = re.compile(
    r"related\w*|share|sharing|sharebar|sharetools|sharedaddy|social(?:share|links|icons"
    r"|buttons|media|bar)?|newsletter\w*|subscribe\w*|subscription\w*|signup|cookie\w*|consent"
    r"|gdpr|outbrain|taboola|recirc\w*|promo|promos",
)
"""Whole words of a class or id (split at `-`, `_` and spaces) that name boilerplate."""
_BOILERPLATE_TEXT = re.compile(
    r"(?:share your (?:story|stories|experience|views|photos|videos|pictures)"
    r"|send (?:us )?your (?:videos|photos|pictures|stories|story)"
    r"|share (?:this|the) (?:article|story|post|page)|share (?:on|via) "
    r"|(?:like|share) this\s*:"
    r"|follow us on "
    r"|(?:sign up|subscribe|register)(?: now)? (?:for|to) (?:our|the|my)\b.{0,40}?newsletter"
    r"|(?:get|receive) (?:our|the)\b.{0,40}?newsletter|newsletter sign[ -]?up"
    r"|(?:we|this (?:web)?site|our (?:web)?site) uses? cookies|we use cookies"
    r"|by (?:continuing to use|using) (?:this|our) (?:web)?site|accept (?:all )?cookies"
    r"|(?:related|recommended|suggested) (?:articles|stories|posts|reading|content|links|videos)"
    r"|you (?:may|might) (?:also )?(?:like|enjoy|be interested))",
    re.I,
)
"""How a short boilerplate block starts."""
_BOILERPLATE_HEADING = re.compile(
    r"(?:related(?: articles| stories| posts| content| links| reading| coverage| topics)?"
    r"|more on this (?:story|topic)|more from .{1,40}|(?:you|we think you) (?:may|might) also like"
    r"|you (?:may|might) like|recommended(?: for you| reading| stories| articles)?"
    r"|most (?:read|popular|viewed|shared)"
    r"|share(?: this(?: article| story| post| page)?)?|share your story|like this"
    r"|(?:sign up for |subscribe to )?(?:our|the) newsletter|read more|advertisement)\s*:?",
    re.I,
)
"""The whole text of a heading that introduces boilerplate (and the links under it)."""
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_BLOCKS = _HEADINGS | {"p", "div", "section", "aside", "ul", "ol", "li", "dl", "table"}
_BLOCKS |= {"blockquote", "figure", "header", "footer", "article"}
_SHORT_BLOCK_WORDS = 60
_MAX_SHARE = 0.35
"""A rule may remove a block of at most this share of the article's words."""

_TABLE_REACH = 3
"""How many levels above an element a `<table>` may be for it to count as part of the table."""

_BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.I)
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ", " / ")
_ARTICLE_TYPES = re.compile(r"(?:\w*Article|BlogPosting|Report|WebPage)$")



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
    if not text.strip():
        raise _no_article()
    # Imported here, not at the top: readability pulls in urllib.request, chardet and cssselect
    # (about 80 ms), which the TUI's start-up should not pay before anyone opens reader mode.
    from readability import Document

    try:
        page = lxml_html.document_fromstring(text.encode("utf-8", "replace"), parser=_parser())
        title, author, published = _metadata(page)
        _protect_table_cells(page)
        body_html = Document(page, url=url).summary(html_partial=True)
        article = lxml_html.fragment_fromstring(
            body_html.encode("utf-8", "replace"), create_parent="div", parser=_parser()
        )
        _strip_boilerplate(article, title, url)
        readable_words = _words(article, outside_links=True)
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


# --- metadata -------------------------------------------------------------------------------


def _metadata(page: lxml_html.HtmlElement) -> tuple[str, str | None, str | None]:
    """(title, author, published) from JSON-LD, Open Graph and `<meta>`, then `<title>`/`<h1>`."""
    meta: dict[str, str] = {}
    for element in page.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        value = element.get("content")
        if key and value and key.lower() not in meta:
            meta[key.lower()] = value
    linked = _json_ld(page)
    title = (
        meta.get("og:title")
        or linked.get("headline")
        or meta.get("twitter:title")
        or _short_title(page)
    )
    author = (
        linked.get("author")
        or meta.get("author")
        or meta.get("article:author")
        or meta.get("byl")
        or meta.get("dc.creator")
        or meta.get("parsely-author")
    )
    if author and author.lower().startswith(("http://", "https://")):
        author = None  # article:author is often a profile URL, not a name
    elif author:
        author = _BYLINE_PREFIX.sub("", author)
    published = (
        linked.get("datePublished")
        or meta.get("article:published_time")
        or meta.get("datepublished")
        or meta.get("parsely-pub-date")
        or meta.get("dc.date.issued")
        or meta.get("dc.date")
        or meta.get("date")
    )
    return (
        clean_line(title, limit=300),
        clean_line(author, limit=200) or None,
        clean_line(published, limit=60) or None,
    )


def _json_ld(page: lxml_html.HtmlElement) -> dict[str, str]:
    """headline, author and datePublished of the first schema.org article in the page."""
    for script in page.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads((script.text or "")[:200_000])
        except (ValueError, RecursionError):
            continue
        for node in _json_nodes(data):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                continue
            found = {
                key: node[key]
                for key in ("headline", "datePublished")
                if isinstance(node.get(key), str)
            }
            if author := _json_name(node.get("author")):
                found["author"] = author
            return found
    return {}


def _json_nodes(data: object, depth: int = 0) -> Iterator[dict[str, object]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _json_nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _json_nodes(data.get("@graph"), depth + 1)


def _json_name(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    if isinstance(value, list):
        names = [name for item in value[:5] if (name := _json_name(item))]
        return ", ".join(names) or None
    return None


def _short_title(page: lxml_html.HtmlElement) -> str:
    """`<title>` without a trailing site name ("Story - Site"), else the first `<h1>`.

    As Readability.js does: the last separated part goes only if at least three words remain,
    so "Mozilla - Wikipedia" stays whole rather than becoming a one-word title.
    """
    element = page.find(".//title")
    title = _SPACE.sub(" ", element.text_content()).strip() if element is not None else ""
    cut = max(title.rfind(separator) for separator in _TITLE_SEPARATORS)
    if cut > 0 and len(_WORD.findall(title[:cut])) >= 3:
        title = title[:cut].strip()
    if not title:
        heading = page.find(".//h1")
        title = heading.text_content() if heading is not None else ""
    return title


# --- boilerplate ----------------------------------------------------------------------------


def _strip_boilerplate(article: lxml_html.HtmlElement, title: str, url: str) -> None:
    """Remove what extraction libraries leave inside an article's container; see the module
    docstring for the rules and why each is limited to small blocks."""
    for element in list(article.iter(*_ALWAYS_DROP)):
        _drop(element)
    _unlink_same_page(article, url)
    limit = max(_words(article), 1) * _MAX_SHARE
    stack = list(reversed(article))
    while stack:
        element = stack.pop()
        if element.getparent() is None or not isinstance(element.tag, str):
            continue  # removed with a section, or a comment
        if _is_boilerplate(element, limit):
            if element.tag in _HEADINGS or _is_heading_like(element):
                _drop_section(element, article, limit)
            else:
                _drop(element)
            continue
        stack.extend(reversed(element))
    _drop_title_heading(article, title)


def _unlink_same_page(article: lxml_html.HtmlElement, url: str) -> None:
    """Links back into the page itself become plain text: footnote marks and tables of contents
    cannot scroll anywhere in a terminal, and each would take a number in the link list (148 of
    Wikipedia's 445). readability also turns `javascript:` links into links to the page."""
    page = urldefrag(url).url
    for link in list(article.iter("a")):
        try:
            target = urldefrag(urljoin(url, (link.get("href") or "").strip())).url
        except ValueError:  # an unparseable URL ("http://[::1") is left to the sanitizer
            continue
        if target == page:
            link.drop_tag()


def _is_boilerplate(element: lxml_html.HtmlElement, limit: float) -> bool:
    if element.tag in _HEADINGS or _is_heading_like(element):
        return _BOILERPLATE_HEADING.fullmatch(_text(element)) is not None
    if element.tag not in _BLOCKS:
        return False
    words = _words(element)
    if words > limit:
        return False
    attrs = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if element.tag == "figure":  # "fig--has-shares": a photo that can be shared is still a photo
        attrs = ""
    if any(_BOILERPLATE_CLASS.fullmatch(part) for part in _ATTR_SPLIT.split(attrs) if part):
        return True
    return words <= _SHORT_BLOCK_WORDS and _BOILERPLATE_TEXT.match(_text(element)) is not None


def _is_heading_like(element: lxml_html.HtmlElement) -> bool:
    """A short paragraph that is all bold, the way many sites mark up section headings."""
    if element.tag not in ("p", "div") or len(element) != 1 or (element.text or "").strip():
        return False
    child = element[0]
    return child.tag in ("strong", "b", "em") and not (child.tail or "").strip()


def _drop_section(
    heading: lxml_html.HtmlElement, article: lxml_html.HtmlElement, limit: float
) -> None:
    """Remove a boilerplate heading, and the whole block it opens if that block is small;
    otherwise what follows it up to the next real content: link lists, and inline leftovers
    ("Like Loading...") of a block the HTML parser had to split (readability can emit
    `<p><h3>..</h3><span>..</span></p>`, which parses as an empty `<p>` and loose siblings)."""
    parent = heading.getparent()
    if (
        parent is not None
        and parent is not article
        and parent.tag in _BLOCKS
        and parent.tag not in _HEADINGS
        and _first_child(parent) is heading
        and _words(parent) <= limit
    ):
        _drop(parent)
        return
    follower = heading.getnext()
    _drop(heading)
    while follower is not None and follower.tag not in _HEADINGS:
        following = follower.getnext()
        text_words = _words(follower)
        link_words = text_words - _words(follower, outside_links=True)
        inline = follower.tag not in _BLOCKS and text_words <= _SHORT_BLOCK_WORDS
        listing = follower.tag in ("ul", "ol") or link_words * 2 >= text_words
        if text_words > limit or not (inline or listing):
            break
        _drop(follower)
        follower = following


def _drop_title_heading(article: lxml_html.HtmlElement, title: str) -> None:
    """The header already shows the title: drop it if the article opens with it again."""
    wanted = _SPACE.sub(" ", title).strip().casefold()
    for element in article.iter():
        if element is article or not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS:
            if _text(element).casefold() == wanted:
                _drop(element)
            return
        if element.tag in ("p", "li", "pre", "table", "img", "blockquote"):
            return


def _first_child(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    for child in element:
        if isinstance(child.tag, str):
            return child if not (element.text or "").strip() else None
    return None


def _drop(element: lxml_html.HtmlElement) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    if element.getparent() is not None:
        element.drop_tree()


def _text(element: lxml_html.HtmlElement) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def _words(element: lxml_html.HtmlElement, *, outside_links: bool = False) -> int:
    count = len(_WORD.findall(element.text_content()))
    if outside_links:
        count -= sum(len(_WORD.findall(link.text_content())) for link in element.iter("a"))
    return count
