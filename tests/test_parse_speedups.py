"""The feedparser speed-ups change how fast feeds parse, never what comes out."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import xml.sax
from pathlib import Path

import feedparser
import feedparser.api
import feedparser.mixin
import feedparser.urls
import feedparser.util

from newstui.feeds import parse_worker, speedups

parse_worker.prepare()  # installs the speed-ups, as a parse worker does

FEEDS = Path(__file__).parent / "data" / "feeds"

_DUMP = """
import json, sys
if sys.argv[1] == "fast":
    from newstui.feeds import parse_worker, speedups
    parse_worker.prepare()  # installs the speed-ups
import feedparser
out = {}
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        result = feedparser.parse(
            f.read(),
            response_headers={"content-location": "https://example.org/f.xml"},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    out[path] = repr((result.get("feed"), result.get("entries"), result.get("version")))
json.dump(out, sys.stdout)
"""


def _parsed(paths: list[str], mode: str) -> dict[str, str]:
    """Each file's parse, as text, from a fresh interpreter with ("fast") or without ("plain")
    the speed-ups."""
    done = subprocess.run(
        [sys.executable, "-c", _DUMP, mode, *paths], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def _xml_fixtures() -> list[str]:
    paths = sorted(str(p) for p in FEEDS.glob("*.xml"))
    extra = Path(__file__).parent / "data" / "speedups_cp1252_and_entities.xml"
    return [*paths, str(extra)]


def test_speedups_are_active() -> None:
    """A feedparser upgrade that renames a hook would silently make refreshes slower."""
    parser = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    parser.reset()
    assert parser._parser.buffer_text  # type: ignore[attr-defined]
    assert hasattr(feedparser.mixin.make_safe_absolute_uri, "__newstui_speedup__")
    assert hasattr(feedparser.mixin._FeedParserMixin.pop, "__newstui_speedup__")
    assert "_newstui_copy_params" in feedparser.mixin._FeedParserMixin.pop.__code__.co_names
    assert hasattr(feedparser.util.FeedParserDict.__getitem__, "__newstui_speedup__")
    assert hasattr(feedparser.mixin._urljoin, "__newstui_speedup__")
    names = feedparser.mixin._FeedParserMixin.pop.__code__.co_names
    assert "_newstui_latin1_as_utf8" in names
    assert "KeyError" not in names  # no KeyError raised and caught per element
    assert hasattr(feedparser.api.convert_to_utf8, "__newstui_speedup__")
    mixin = feedparser.mixin._FeedParserMixin
    for method in (mixin.pop, mixin.unknown_starttag, mixin.unknown_endtag, mixin.handle_data):
        assert "_newstui_dict_get" in method.__code__.co_names, method


_URLS = [
    "https://example.com/feed1/articles/1-2.html",
    "http://example.com",
    "http://example.com/",
    "http://example.com:8080/a//b/../c/./d",
    "https://a.b-c.example/%7Euser/x,y;z=1",
    "https://example.com/a?b=1&c=2",
    "https://example.com/a#frag",
    "https://example.com/a?",
    "https://example.com/a#",
    "HTTP://EXAMPLE.COM/A",
    "Https://example.com/",
    "https:///example.com/x",
    "https:////example.com/x",
    "https://user:pw@example.com/x",
    "https://[::1]/x",
    "https://[::1/x",
    "https://exa mple.com/x",
    " https://example.com/x",
    "https://example.com/x ",
    "https://example.com/\tx",
    "https://example.com/x\ny",
    "https://ex\u00e4mple.com/x",
    "https://example.com/\u00e4",
    "https://example.com:99999999/x",
    "https://example.com:/x",
    "https://-example.com/x",
    "https://example.com/x\\y",
    "https:example.com/x",
    "//example.com/x",
    "/absolute/path",
    "relative/path",
    "../up",
    "?q",
    "#f",
    "",
    "mailto:a@example.com",
    "ftp://example.com/x",
    "javascript:alert(1)",
    "https://example.com/\uff0e\uff0e/x",
    "https://example.com\uff03/x",
]
_BASES = [
    "",
    "https://example.org/dir/feed.xml",
    "http://127.0.0.1:8765/gen/1.xml",
    "https://example.com/base/",
    "http://[::1",
    "https://example.org/a?b#c",
    "feed://example.org/x",
    "HTTPS://Example.org/",
]


def test_plain_absolute_urls_join_as_before() -> None:
    """The urljoin shortcut answers exactly as feedparser's own `_urljoin` for every pair."""
    fast = feedparser.mixin._urljoin
    for base, uri in itertools.product(_BASES, _URLS):
        assert fast(base, uri) == feedparser.urls._urljoin(base, uri), (base, uri)


def test_feedparser_dicts_behave_as_before() -> None:
    """The fast lookups keep feedparser's aliases and computed keys, and the copied content
    parameters are still FeedParserDicts (attribute access works on them)."""
    body = b"""<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>
    <entry><id>urn:1</id><title>T</title><published>2025-01-01T00:00:00Z</published>
    <summary type='html'>&lt;p&gt;s&lt;/p&gt;</summary>
    <content type='html' xml:lang='en'>&lt;b&gt;c&lt;/b&gt;</content><category term='x'/>
    <link rel='enclosure' href='http://e.example/a.mp3' type='audio/mpeg' length='3'/>
    </entry></feed>"""

    entry = feedparser.parse(body).entries[0]

    content = entry.content[0]
    assert type(content) is feedparser.FeedParserDict
    assert (content.value, content.type, content.language) == ("<b>c</b>", "text/html", "en")
    assert entry.summary_detail.value == "<p>s</p>"
    assert entry["guid"] == entry.guid == entry.id == "urn:1"
    assert "guid" in entry and "description" in entry and "nothing" not in entry
    assert entry.get("description") == entry.summary == "<p>s</p>"
    assert entry.category == "x"
    assert entry.enclosures[0].href == "http://e.example/a.mp3"
    assert "updated" not in entry and entry.get("nothing", 7) == 7
    copied = feedparser.FeedParserDict()
    copied["description"] = "d"  # an alias is stored under its real name
    assert dict(copied) == {"summary": "d"}
    assert copied.setdefault("description", "x") == "d"  # through the alias
    assert copied.setdefault("tagline", "t") == "t" and dict(copied)["subtitle"] == "t"
    assert copied.setdefault("title", "T") == "T" and copied.setdefault("title", "U") == "T"
    assert type(copied).setdefault is not dict.setdefault  # the shortcut is in place


def test_results_identical_to_plain_feedparser() -> None:
    """Every fixture parses to the same entries with and without the speed-ups."""
    paths = _xml_fixtures()
    assert _parsed(paths, "fast") == _parsed(paths, "plain")


def test_cp1252_characters_still_mapped() -> None:
    """Windows-1252 quotes smuggled into UTF-8 text still come out as the right characters."""
    body = "<rss version='2.0'><channel><item><title>\u0093Hi\u0094 \u0080 ö 漢</title>"
    body += "</item></channel></rss>"
    result = feedparser.parse(body.encode("utf-8"))
    assert result.entries[0].title == "\u201cHi\u201d \u20ac ö 漢"
    latin1_only = body.replace(" 漢", "")  # the Latin-1 shortcut's path
    result = feedparser.parse(latin1_only.encode("utf-8"))
    assert result.entries[0].title == "\u201cHi\u201d \u20ac ö"


def test_utf8_documents_come_out_as_feedparser_builds_them() -> None:
    """The declaration swap on the raw bytes gives the bytes feedparser's re-encoding gives."""
    import feedparser.encodings

    pattern = feedparser.encodings.RE_XML_DECLARATION
    new = "<?xml version='1.0' encoding='utf-8'?>"
    for text in [
        "<?xml version='1.0' encoding='UTF-8'?>\n<rss>caf\u00e9 \u2013 \U0001f600</rss>",
        '<?xml version="1.0" encoding="utf8" standalone="yes" ?><feed/>',
        "\ufeff<?xml version='1.0'?><rss/>",
        "<rss>no declaration \u00e9</rss>",
        "  <?xml version='1.0'?><rss/>",
        "",
    ]:
        for encoding in ("utf-8", "UTF-8", "utf8", "windows-1252", "iso-8859-2", "utf-16"):
            try:
                raw = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            decoded = raw.decode(encoding)
            match = pattern.search(decoded)
            expected = (pattern.sub(new, decoded) if match else new + "\n" + decoded).encode()
            assert speedups._utf8_document(raw, decoded, encoding, new, pattern) == expected


def test_parse_reads_only_ordinary_keys_with_dict_get() -> None:
    """`newstui.feeds.parse` reads feedparser's results with `dict.get` only for keys that
    FeedParserDict's own `get` would give the same answer for (no alias, no computed key)."""
    import re

    from newstui.feeds import parse

    source = Path(parse.__file__).read_text()
    keys = set(re.findall(r"_get\(\w+, f?\"([^\"]+)\"\)", source))
    computed = {"category", "enclosures", "license", "updated", "updated_parsed"}
    assert keys and not keys & (set(feedparser.FeedParserDict.keymap) | computed)


def test_content_parameters_copy_as_deepcopy_copies_them() -> None:
    """The copier `pop()` uses gives what `copy.deepcopy` gives: same class, keys (aliases
    stored under their real names), values and order; anything unusual is deep-copied."""
    import copy

    from newstui.feeds import speedups_dicts

    fpd = feedparser.FeedParserDict
    copier = speedups_dicts.params_copier(fpd)
    ordinary = fpd({"type": "text/html", "language": None, "base": "http://e.example/"})
    aliased = fpd()
    dict.update(aliased, {"type": "text/plain", "description": "d", "url": "u"})
    nested = fpd({"type": "text/html", "list": ["x"]})
    for params in (ordinary, aliased, nested, fpd()):
        copied, expected = copier(params), copy.deepcopy(params)
        assert type(copied) is type(expected) is fpd
        assert list(dict.items(copied)) == list(dict.items(expected))
        assert copied is not params
    assert copier(nested)["list"] is not nested["list"]


def test_plain_text_is_told_from_html_as_before() -> None:
    """The quick "no < and no &" answer of `looks_like_html` is feedparser's answer."""
    import random

    quick = feedparser.mixin._FeedParserMixin.looks_like_html
    original = quick.__wrapped__
    rng = random.Random(7)
    alphabet = ["a", " ", "<", "/", ">", "&", "#", ";", "b", "p", "amp", "x1", "\u00e9"]
    texts = ["", "plain", "a < b", "x &amp; y", "</p>", "&#8217;", "<b>bold</b>", "&bogus;"]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(3000)]
    assert hasattr(quick, "__newstui_speedup__")
    for text in texts:
        assert quick(text) == original(text), text
