"""The one-call-per-tag SAX path (`newstui.feeds.speedups_sax`) gives feedparser exactly the
calls the standard reader + feedparser's `startElementNS` gave it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import feedparser
import pytest

from newstui.feeds import parse_worker, speedups_sax
from tests.test_parse_speedups import _parsed

parse_worker.prepare()  # installs the speed-ups, as a parse worker does

# Namespaces feedparser knows and does not know, with and without prefixes, in upper case, on
# elements and attributes; xml:base/xml:lang; inline XHTML with MathML and SVG; the userland
# namespace; xlink; a default namespace switched inside the document, then given a prefix (the
# same tag's name changes: not remembered); an undeclared prefix; a document cut short.
_DOCS = [
    b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:DC="http://purl.org/dc/elements/1.1/"
  xmlns:media="http://search.yahoo.com/mrss/" xmlns:x="urn:Unknown:NS"
  xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>T</title><link>http://example.com/</link>
<atom:link href="http://example.com/f" rel="SELF" Type="application/RSS+xml"/>
<item><Title>One</Title><DC:Creator>A</DC:Creator><guid isPermaLink="false">g1</guid>
<media:content url="http://example.com/a.mp3" duration="12" x:Extra="1" FileSize="3"/>
<x:thing a="b">unknown <x:inner>ns</x:inner></x:thing>
<unprefixed xmlns="urn:other:ns" Attr="v">default ns</unprefixed>
<later xmlns:late="urn:other:ns"/><unprefixed xmlns="urn:other:ns">now late:unprefixed</unprefixed>
<content:encoded><![CDATA[<p>c</p>]]></content:encoded>
<enclosure url="http://example.com/e.mp3" length="5" type="audio/mpeg"/>
</item></channel></rss>""",
    b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en_GB" xml:base="http://example.org/base/"
  xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:m="http://www.w3.org/1998/Math/MathML">
<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X <b>y</b></div></title>
<link href="rel/alt" rel="alternate"/><id>urn:f</id><updated>2025-01-01T00:00:00Z</updated>
<entry xml:base="sub/" xml:lang=""><id>urn:e1</id><title>E</title>
<updated>2025-01-02T03:04:05+02:00</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p xml:lang="fr">a</p>
<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math><m:math><m:mi>y</m:mi></m:math>
<svg xmlns="http://www.w3.org/2000/svg" width="1"><circle r="1"/></svg>
<a xlink:href="#x" href="h">l</a></div></content>
<author><name>N</name><email>n@example.com</email><uri>/me</uri></author>
<link rel="enclosure" href="a.mp3" length="7" type="AUDIO/mpeg"/></entry>
<entry><id>urn:e2</id><title type="html">&lt;b&gt;H&lt;/b&gt;</title>
<summary type="text">s &amp; t</summary><category term="c" scheme="s" label="L"/></entry>
</feed>""",
    b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:u="http://backend.userland.com/RSS2">
<channel rdf:about="http://example.com/"><title>R</title><u:cloud a="1"/></channel>
<item rdf:about="http://example.com/1"><title>I</title><link>http://example.com/1</link>
<u:Extra>e</u:Extra></item></rdf:RDF>""",
    b"""<rss version="2.0"><channel><item><title>t</title><undeclared:x>v</undeclared:x>
</item></channel></rss>""",
    b"""<rss version="2.0"><channel><item><title>t</title></item><broken></channel></rss>""",
]


@contextlib.contextmanager
def _standard_reader() -> Iterator[None]:
    """The SAX path of the standard expat reader (only `buffer_text` kept)."""
    saved = speedups_sax.BufferedExpatParser.strict_class
    speedups_sax.BufferedExpatParser.strict_class = None
    try:
        yield
    finally:
        speedups_sax.BufferedExpatParser.strict_class = saved


def _result(body: bytes, base: str | None) -> str:
    headers = {"content-location": base} if base else {}
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    exc = parsed.get("bozo_exception")
    return repr((parsed.feed, parsed.entries, parsed.version, parsed.bozo, str(exc)))


@pytest.mark.parametrize("body", _DOCS, ids=range(len(_DOCS)))
@pytest.mark.parametrize("base", [None, "http://example.net/feed.xml"])
def test_tags_reach_feedparser_as_through_the_standard_reader(body: bytes, base: str) -> None:
    fast = _result(body, base)
    with _standard_reader():
        standard = _result(body, base)
    assert fast == standard


def test_the_one_call_path_is_taken() -> None:
    """A feedparser upgrade that changes the strict parser's SAX methods turns it off."""
    seen = []
    original = speedups_sax._TagHandlers.start

    def spy(self: speedups_sax._TagHandlers, name: str, attrs: dict[str, str]) -> None:
        seen.append(name)
        original(self, name, attrs)

    speedups_sax._TagHandlers.start = spy  # type: ignore[method-assign]
    try:
        feedparser.parse(_DOCS[0])
    finally:
        speedups_sax._TagHandlers.start = original  # type: ignore[method-assign]
    assert "http://purl.org/dc/elements/1.1/ Creator DC" in seen


def test_tricky_documents_parse_as_with_plain_feedparser(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """All the speed-ups at once (the recompiled tag methods' content-type lookups too)
    against feedparser without any, in fresh interpreters."""
    paths = []
    for number, body in enumerate(_DOCS):
        path = tmp_path / f"{number}.xml"
        path.write_bytes(body)
        paths.append(str(path))
    assert _parsed(paths, "fast") == _parsed(paths, "plain")
