"""feedparser's SAX driver (`newstui.feeds.speedups.create_parser`): Python's expat reader with
text in one piece and, for feedparser's own strict parser, one Python call per tag instead of
three.

- **Character data in slivers.** Python's SAX expat reader calls `characters()` for every run
  of text between entity references, so an escaped HTML description (`&lt;p&gt;...`) reaches
  feedparser as thousands of pieces, each costing a few dictionary lookups. Expat's
  `buffer_text` joins adjacent text into one call. SAX allows any chunking and feedparser only
  concatenates the pieces, so the result is identical.
- **Three layers per tag.** For every start tag expat calls the reader's `start_element_ns`,
  which splits the names into SAX's (namespace, local name) pairs and wraps the attributes in
  an `AttributesNSImpl`; that calls feedparser's `startElementNS`, which maps the pairs back
  to feedparser's own names and calls `unknown_starttag`; end tags and text likewise. When the
  content handler is feedparser's strict parser with those methods as released,
  `_TagHandlers` does the work of the two middle layers in one function, line for line (their
  source is in the comments), and text goes straight to `handle_data` (`characters` only
  calls it). feedparser's maps of namespaces never change during a parse except for
  `namespaces_in_use`, so a tag's name is mapped once per parse and remembered, unless its
  mapping read `namespaces_in_use` (a namespace feedparser does not know, without a prefix).
"""

from __future__ import annotations

from typing import Any
from xml.sax import expatreader

_MATHML = "http://www.w3.org/1998/Math/MathML"
_SVG = "http://www.w3.org/2000/svg"


STRICT_METHODS = ("startElementNS", "endElementNS", "characters")
"""The strict parser's SAX methods `_TagHandlers` replaces (with the reader's
`start_element_ns` and `end_element_ns`, checked by `newstui.feeds.speedups.install`)."""


def _split_name(name: str) -> tuple[str | None, str]:
    """expatreader's `start_element_ns` and `end_element_ns`: expat's "namespace local
    [prefix]" tag name as SAX's (namespace, local name) pair."""
    pair: Any = name.split()
    if len(pair) == 1:
        return (None, name)
    if len(pair) == 3:
        return pair[0], pair[1]
    return tuple(pair)  # type: ignore[return-value]


class BufferedExpatParser(expatreader.ExpatParser):
    """The standard expat SAX reader, with `buffer_text` on and, for a content handler of
    `strict_class` (feedparser's `_StrictFeedParser`, set by `newstui.feeds.speedups.install`)
    whose SAX methods are the class's own, expat's callbacks pointed at `_TagHandlers`."""

    strict_class: type | None = None
    """feedparser's strict parser class, once the speed-ups are installed."""
    strict_methods: tuple[Any, ...] = ()
    """Its `startElementNS`, `endElementNS` and `characters`, set only if their source (and the
    reader's tag callbacks') is the one `_TagHandlers` replicates."""

    def reset(self) -> None:
        super().reset()
        parser = self._parser
        parser.buffer_text = True
        handler = self._cont_handler
        strict = self.strict_class
        if (
            strict is not None
            and self._namespaces
            and isinstance(handler, strict)
            and tuple(getattr(type(handler), name) for name in STRICT_METHODS)
            == self.strict_methods  # a subclass overriding one of them gets the standard path
            and not set(STRICT_METHODS) & vars(handler).keys()
        ):
            tags = _TagHandlers(handler)
            parser.StartElementHandler = tags.start
            parser.EndElementHandler = tags.end
            parser.CharacterDataHandler = handler.handle_data  # type: ignore[attr-defined]


class _TagHandlers:
    """expat's start and end tag callbacks for one parse by feedparser's strict parser: the
    reader's `start_element_ns` + feedparser's `startElementNS` (and the same for end tags)."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self.unknown_starttag = handler.unknown_starttag
        self.unknown_endtag = handler.unknown_endtag
        self.match = handler._matchnamespaces  # a class-wide constant
        self.starts: dict[str, tuple[str, Any, bool]] = {}
        self.ends: dict[str, str] = {}

    def _start_name(self, name: str) -> tuple[str, str | None, bool]:
        """The tag name `startElementNS` passes on, the `xmlns` attribute it adds (MathML and
        SVG) or None, and whether the mapping read `namespaces_in_use` (then it is not
        remembered)."""
        pair = _split_name(name)
        # feedparser's startElementNS (its qname is always None from expat's reader, so
        # givenprefix is None and UndeclaredNamespace is never raised):
        namespace, localname = pair
        lowernamespace = str(namespace or "").lower()
        if lowernamespace.find("backend.userland.com/rss") != -1:
            namespace = "http://backend.userland.com/rss"
            lowernamespace = namespace
        prefix = self.match.get(lowernamespace, None)
        localname = str(localname).lower()
        xmlns = None
        if localname == "math" and namespace == _MATHML:
            xmlns = namespace
        if localname == "svg" and namespace == _SVG:
            xmlns = namespace
        volatile = False
        if prefix:
            localname = prefix.lower() + ":" + localname
        elif namespace:
            volatile = True
            for key, value in self.handler.namespaces_in_use.items():
                if key and value == namespace:
                    localname = key + ":" + localname
                    break
        return str(localname).lower(), xmlns, volatile

    def start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self.handler
        known = self.starts.get(name)
        if known is None:
            known = self._start_name(name)
            if not known[2]:
                self.starts[name] = known
        tag, xmlns, _ = known
        attrs_d, handler.decls = handler.decls, {}
        if xmlns is not None:
            attrs_d["xmlns"] = xmlns
        if attrs:
            self._attributes(attrs, attrs_d)
        self.unknown_starttag(tag, list(attrs_d.items()))

    def _attributes(self, attrs: dict[str, str], attrs_d: dict[str, str]) -> None:
        # expatreader.start_element_ns: the (namespace, name) pairs and the qnames
        newattrs: dict[Any, str] = {}
        qnames: dict[Any, str] = {}
        for aname, value in attrs.items():
            parts = aname.split()
            length = len(parts)
            if length == 1:
                qname = aname
                apair: Any = (None, aname)
            elif length == 3:
                qname = f"{parts[2]}:{parts[1]}"
                apair = parts[0], parts[1]
            else:
                qname = parts[1]
                apair = tuple(parts)
            newattrs[apair] = value
            qnames[apair] = qname
        # startElementNS: attributes by local name (prefixed if feedparser knows the
        # namespace), then by qname, each value the first attribute's of that qname
        # (AttributesNSImpl.getValueByQName)
        match = self.match
        for (namespace, attrlocalname), attrvalue in newattrs.items():
            prefix = match.get((namespace or "").lower(), "")
            if prefix:
                attrlocalname = prefix + ":" + attrlocalname
            attrs_d[str(attrlocalname).lower()] = attrvalue
        first: dict[str, Any] = {}
        for apair, qname in qnames.items():
            first.setdefault(qname, apair)
        for qname in qnames.values():
            attrs_d[str(qname).lower()] = newattrs[first[qname]]

    def end(self, name: str) -> None:
        tag = self.ends.get(name)
        if tag is None:
            tag, volatile = self._end_name(name)
            if not volatile:
                self.ends[name] = tag
        self.unknown_endtag(tag)

    def _end_name(self, name: str) -> tuple[str, bool]:
        pair = _split_name(name)
        # feedparser's endElementNS (qname None: givenprefix is ''):
        namespace, localname = pair
        lowernamespace = str(namespace or "").lower()
        prefix = self.match.get(lowernamespace, "")
        volatile = False
        if prefix:
            localname = prefix + ":" + localname
        elif namespace:
            volatile = True
            for key, value in self.handler.namespaces_in_use.items():
                if key and value == namespace:
                    localname = key + ":" + localname
                    break
        return str(localname).lower(), volatile
