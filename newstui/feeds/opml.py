"""OPML 1.0/2.0 in (any reader's export) and OPML 2.0 out (`newstui export`).

Parsing goes through defusedxml: an OPML file is a stranger's XML, and entity expansion (the
"billion laughs") or external entities must not run. Outlines with an `xmlUrl` are feeds; the
names of the outlines around them (folders) and their `category` attribute become tags.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from newstui.core.config import normalize_url
from newstui.core.text import clean_line
from newstui.feeds.imports import MAX_LIST_BYTES, ImportedFeed, ImportList

_UNSUPPORTED = ("exec:", "filter:", "query:")
MAX_DEPTH = 20
"""Folders nested deeper than this are flattened into their ancestor at this depth."""


def parse_opml(path: Path, data: bytes) -> ImportList:
    """The feeds of an OPML document; problems are listed, never raised."""
    found = ImportList(path, "OPML")
    if len(data) > MAX_LIST_BYTES:
        found.problems.append(f"larger than {MAX_LIST_BYTES // 1_000_000} MB, not read")
        return found
    root = _parse(data, found)
    if root is None:
        return found
    if _local(root.tag) != "opml":
        found.problems.append("not an OPML document (no <opml> root)")
        return found
    found.kind = f"OPML {root.get('version') or '1.0'}"
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        found.problems.append("no <body>: no feeds")
        return found
    _walk(body, (), found, 0)
    return found


_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _parse(data: bytes, found: ImportList) -> ET.Element | None:
    """The document's root, or None with the problem noted. A bare `&` in an attribute (an
    unescaped URL query: common in hand-made and old exports) is repaired, and noted."""
    first: ET.ParseError | None = None
    for attempt in (data, None):
        if attempt is None:
            repaired = _BARE_AMPERSAND.sub(b"&amp;", data)
            if repaired == data:
                break
            attempt = repaired
        try:
            root = SafeET.fromstring(attempt, forbid_dtd=False, forbid_entities=True)
        except DefusedXmlException:
            found.problems.append("refused: the file declares XML entities (unsafe, not read)")
            return None
        except ET.ParseError as error:
            first = error
            continue
        if attempt is not data:
            found.problems.append("repaired: an '&' not written as '&amp;' (not valid XML)")
        return root
    found.problems.append(f"not well-formed XML: {first}")
    return None


def _walk(node: ET.Element, folders: tuple[str, ...], found: ImportList, depth: int) -> None:
    # Past MAX_DEPTH, every outline below is taken flat (iter() is not recursive), so a file
    # nested ten thousand deep costs no Python recursion.
    children = node if depth < MAX_DEPTH else (o for o in node.iter() if o is not node)
    for outline in children:
        if _local(outline.tag) != "outline":
            continue
        attrs = {key.lower(): (value or "").strip() for key, value in outline.attrib.items()}
        name = clean_line(attrs.get("title") or attrs.get("text"), limit=200)
        raw_url = attrs.get("xmlurl", "")
        if raw_url:
            where = f"outline {name!r}" if name else "an outline"
            if raw_url.startswith("|") or raw_url.lower().startswith(_UNSUPPORTED):
                # newsboat's exports: "|command" (exec), "filter:...", "query:..." feeds
                found.skipped.append(f"{where}: not a web feed ({raw_url[:120]}), not supported")
                continue
            url = normalize_url(raw_url)
            if url is None or not url.startswith(("http://", "https://")):
                found.problems.append(f"{where}: not an http(s) feed URL: {raw_url[:200]!r}")
                continue
            tags = folders + _categories(attrs.get("category", ""))
            title = name if name and name != raw_url else None
            found.add(ImportedFeed(url, title, tuple(dict.fromkeys(tags))), where, folders)
        elif len(outline) and depth < MAX_DEPTH:
            _walk(outline, (*folders, name) if name else folders, found, depth + 1)
        elif attrs.get("type", "").lower() in ("rss", "atom"):
            found.problems.append(f"outline {name!r}: a feed without an xmlUrl, skipped")


def _categories(value: str) -> tuple[str, ...]:
    """`category="news,/Tech/Linux"` -> ("news", "Tech/Linux"): comma-separated; slashes of
    OPML's category paths trimmed at the ends."""
    tags = (clean_line(part.strip().strip("/"), limit=200) for part in value.split(","))
    return tuple(tag for tag in tags if tag)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


@dataclass(frozen=True, slots=True)
class ExportFeed:
    url: str
    title: str
    tags: tuple[str, ...] = ()
    site_url: str | None = None


def to_opml(feeds: Sequence[ExportFeed], *, title: str, now: datetime) -> str:
    """OPML 2.0: one folder per tag (a feed with several tags is in each, and its `category`
    lists them all), untagged feeds at the top level."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        if not feed.tags:
            _feed_outline(body, feed)
        for tag in feed.tags:
            if tag not in folders:
                folders[tag] = ET.SubElement(body, "outline", text=tag, title=tag)
            _feed_outline(folders[tag], feed)
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _feed_outline(parent: ET.Element, feed: ExportFeed) -> None:
    attrs = {"type": "rss", "text": feed.title, "title": feed.title, "xmlUrl": feed.url}
    if feed.site_url:
        attrs["htmlUrl"] = feed.site_url
    if feed.tags:
        attrs["category"] = ",".join(feed.tags)
    ET.SubElement(parent, "outline", attrs)


def tags_in(feeds: Iterable[ImportedFeed]) -> set[str]:
    return {tag for feed in feeds for tag in feed.tags}
