"""A feedparser speed-up is installed only over the source it was written for: a function whose
source is not the known one keeps feedparser's own code, and every result stays the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import feedparser.util

from newstui.feeds import parse_worker, speedups_sources

parse_worker.prepare()  # installs the speed-ups, as a parse worker does

DATA = Path(__file__).parent / "data"

# In a fresh interpreter: install the speed-ups with the names in argv[1] (a JSON list; "*" for
# all) missing from the table of known sources, then report which speed-ups are in place and
# how each file in argv[2:] parses.
_PROBE = """
import json, sys
from newstui.feeds import speedups_sources
unknown = json.loads(sys.argv[1])
if unknown != ["plain"]:
    if unknown == ["*"]:
        speedups_sources.KNOWN_SOURCES = {}
    else:
        speedups_sources.KNOWN_SOURCES = {
            name: digests for name, digests in speedups_sources.KNOWN_SOURCES.items()
            if name not in unknown
        }
    from newstui.feeds import parse_worker, speedups_sax
    parse_worker.prepare()
import feedparser, feedparser.api, feedparser.datetimes, feedparser.mixin, feedparser.util
from newstui.feeds import speedups_sax
mixin = feedparser.mixin._FeedParserMixin
functions = {
    "dict": feedparser.util.FeedParserDict.__getitem__,
    "join": feedparser.mixin.make_safe_absolute_uri,
    "urljoin": feedparser.mixin._urljoin,
    "utf8": feedparser.api.convert_to_utf8,
    "dates": feedparser.datetimes._parse_date,
    "pop": mixin.pop,
    "starttag": mixin.unknown_starttag,
    "endtag": mixin.unknown_endtag,
    "data": mixin.handle_data,
    "html": mixin.looks_like_html,
}
patched = sorted(name for name, f in functions.items() if hasattr(f, "__newstui_speedup__"))
if speedups_sax.BufferedExpatParser.strict_class is not None:
    patched.append("sax")
results = {}
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        result = feedparser.parse(
            f.read(), response_headers={"content-location": "https://example.org/f.xml"}
        )
    results[path] = repr((result.get("feed"), result.get("entries"), result.get("version")))
json.dump({"patched": sorted(patched), "results": results}, sys.stdout)
"""

_ALL = ["data", "dates", "dict", "endtag", "html", "join", "pop", "sax", "starttag", "urljoin"]
_ALL += ["utf8"]


def _probe(unknown: list[str]) -> dict[str, object]:
    paths = sorted(str(p) for p in (DATA / "feeds").glob("*.xml"))
    paths.append(str(DATA / "speedups_cp1252_and_entities.xml"))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(unknown), *paths],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def test_a_source_not_in_the_table_is_not_trusted() -> None:
    fpd = feedparser.util.FeedParserDict
    original = fpd.__getitem__.__wrapped__  # the speed-ups are installed by other tests' import
    name = speedups_sources.qualified_name(original)
    assert name == "feedparser.util.FeedParserDict.__getitem__"
    assert speedups_sources.unchanged(original)
    wrong = {name: frozenset({"0" * 64})}
    assert not speedups_sources.unchanged(original, known=wrong)
    assert not speedups_sources.unchanged(original, known={})
    assert not speedups_sources.unchanged(lambda: None)  # not one of feedparser's


def test_every_speedup_is_skipped_when_no_source_is_known() -> None:
    """Another feedparser: nothing is patched, and feeds parse exactly as before."""
    plain, fast, unknown = _probe(["plain"]), _probe([]), _probe(["*"])
    assert fast["patched"] == sorted(_ALL)  # the probe sees every speed-up when all is known
    assert plain["patched"] == unknown["patched"] == []
    assert unknown["results"] == plain["results"] == fast["results"]


def test_one_changed_function_turns_off_only_the_speedups_built_on_it() -> None:
    changed = [
        "feedparser.util.FeedParserDict.setdefault",  # with_fast_lookups replicates it
        "feedparser.parsers.strict._StrictFeedParser.characters",  # the SAX fusion
        "xml.sax.expatreader.ExpatParser.end_element_ns",  # the SAX fusion
        "feedparser.mixin._FeedParserMixin.looks_like_html",
        "feedparser.mixin._FeedParserMixin.unknown_endtag",
    ]
    assert set(changed) <= speedups_sources.KNOWN_SOURCES.keys()
    probe = _probe(changed)
    assert probe["patched"] == sorted(set(_ALL) - {"dict", "sax", "html", "endtag"})
    assert probe["results"] == _probe(["plain"])["results"]
