"""A web page's title, author and publication date, from its metadata.

JSON-LD (schema.org articles) first, then Open Graph and `<meta>` names, then `<title>` without
the site's name, then the first `<h1>`. Pure lxml; `extract.py` calls `page_metadata`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from lxml import html as lxml_html

from newstui.article.boilerplate import WORD
from newstui.core.text import clean_line

_SPACE = re.compile(r"\s+")
_BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.I)
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ", " / ")
_ARTICLE_TYPES = re.compile(r"(?:\w*Article|BlogPosting|Report|WebPage)$")


def page_metadata(page: lxml_html.HtmlElement) -> tuple[str, str | None, str | None]:
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
    if cut > 0 and len(WORD.findall(title[:cut])) >= 3:
        title = title[:cut].strip()
    if not title:
        heading = page.find(".//h1")
        title = heading.text_content() if heading is not None else ""
    return title
