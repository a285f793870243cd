"""What extraction libraries leave inside an article's container, found and removed.

Readability keeps every block inside the article's container: share bars, "Like this:",
related-post grids, newsletter prompts, and "Share your story / Send your videos and photos to
us" trailers. `strip_boilerplate` removes these conservatively. It matches class/id words that
mean boilerplate, the opening phrase of a short block, and headings ("Related", "More on this
story") together with the link lists under them. A rule may only remove a block that is small
next to the whole article, so a wrapper that happens to carry a matching class can never take
the article with it. Class words that Readability.js ignores (newsletter, promo, cookie...)
remove only blocks with little prose: the filter must never score below plain readability on
a page whose expected text keeps such a block (a paid newsletter's plans at the end of a
review).

Pure lxml; `extract.py` runs it on the article it has put together.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

from lxml import html as lxml_html

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han ideographs
WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
"""A word, or one CJK character: Chinese and Japanese do not put spaces between words."""
_SPACE = re.compile(r"\s+")

_ALWAYS_DROP = ("script", "style", "noscript", "template", "form", "button", "input", "select")
_ALWAYS_DROP += ("textarea", "nav", "dialog")
"""Never article content; nh3 would keep the text inside forms and buttons ("Log in")."""
_ATTR_SPLIT = re.compile(r"[\s_-]+")
_BOILERPLATE_CLASS = re.compile(
    r"related\w*|share|sharing|sharebar|sharetools|sharedaddy|social(?:share|links|icons"
    r"|buttons|media|bar)?|gdpr",
)
"""Whole words of a class or id (split at `-`, `_` and spaces) that name boilerplate, and that
Readability.js (whose output reader mode is scored against) removes blocks by as well: its
unlikely-candidate words `related`, `social`, `gdpr` and its share-element rule."""
_PROMPT_CLASS = re.compile(
    r"newsletter\w*|subscribe\w*|subscription\w*|signup|cookie\w*|consent|outbrain|taboola"
    r"|recirc\w*|promo|promos",
)
"""Class or id words that name boilerplate in newstui's judgement only: Readability.js keeps
these blocks. A block they mark goes only if it has little prose of its own (at most
`_SHORT_BLOCK_WORDS` words outside links), like the opening-phrase rule's blocks: a sign-up
prompt or a grid of promoted links, not several paragraphs describing (say) a paid newsletter's
plans, which Readability.js keeps as part of the article."""
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


def strip_boilerplate(article: lxml_html.HtmlElement, title: str, url: str) -> None:
    """Remove what extraction libraries leave inside an article's container; see the module
    docstring for the rules and why each is limited to small blocks."""
    for element in list(article.iter(*_ALWAYS_DROP)):
        _drop(element)
    _unlink_same_page(article, url)
    limit = max(count_words(article), 1) * _MAX_SHARE
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
    words = count_words(element)
    if words > limit:
        return False
    attrs = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if element.tag == "figure":  # "fig--has-shares": a photo that can be shared is still a photo
        attrs = ""
    parts = [part for part in _ATTR_SPLIT.split(attrs) if part]
    if any(_BOILERPLATE_CLASS.fullmatch(part) for part in parts):
        return True
    if any(_PROMPT_CLASS.fullmatch(part) for part in parts) and (
        count_words(element, outside_links=True) <= _SHORT_BLOCK_WORDS
    ):
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
        and count_words(parent) <= limit
    ):
        _drop(parent)
        return
    follower = heading.getnext()
    _drop(heading)
    while follower is not None and follower.tag not in _HEADINGS:
        following = follower.getnext()
        text_words = count_words(follower)
        link_words = text_words - count_words(follower, outside_links=True)
        inline = follower.tag not in _BLOCKS and text_words <= _SHORT_BLOCK_WORDS
        listing = follower.tag in ("ul", "ol") or link_words * 2 >= text_words
        if text_words > limit or not (inline or listing):
            break
        _drop(follower)
        follower = following


def _drop_title_heading(article: lxml_html.HtmlElement, title: str) -> None:
    """The header already shows the title: drop it if the article opens with it again as an
    `<h1>` or `<h2>`. A smaller heading that repeats the title is the article's own section
    heading (Medium's "graf--h3"), and Readability.js keeps it too."""
    wanted = _SPACE.sub(" ", title).strip().casefold()
    for element in article.iter():
        if element is article or not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS:
            if element.tag in ("h1", "h2") and _text(element).casefold() == wanted:
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


def count_words(element: lxml_html.HtmlElement, *, outside_links: bool = False) -> int:
    count = len(WORD.findall(element.text_content()))
    if outside_links:
        count -= sum(len(WORD.findall(link.text_content())) for link in element.iter("a"))
    return count
