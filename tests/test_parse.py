"""Golden tests for `newstui.feeds.parse.parse_feed`, plus no-crash runs over the shared corpus.

Each fixture in `tests/data/feeds/` exercises one quirk:

* `NAME.xml` / `NAME.json` / `NAME.html` / `NAME.bin`: the response body, byte for byte;
* `NAME.headers.json` (optional): the response headers, as a JSON object;
* `NAME.expected.json`: what a reader should get, either the `ParsedFeed` as JSON
  (`dataclasses.asdict`; datetimes as ISO-8601 UTC strings ending in `Z`; `ttl` as an ISO-8601
  duration in seconds, e.g. `PT5400S`; tuples as lists), or for a failure
  `{"error": {"kind": ..., "message": ...}}`.

Every fixture is parsed as if fetched from `https://example.org/feeds/NAME` at `NOW`.

To regenerate the expected files after an intended change of behaviour:

    NEWSTUI_REGEN=1 .venv/bin/pytest tests/test_parse.py

then read every changed `*.expected.json` by hand (`git diff tests/data/feeds`): a golden file is
only worth something if each value in it is what a user should see.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newstui.core.errors import ParseError
from newstui.core.models import ParsedFeed
from newstui.feeds.parse import parse_feed

FEEDS = Path(__file__).parent / "data" / "feeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BODY_SUFFIXES = (".xml", ".json", ".html", ".bin")
REGEN = os.environ.get("NEWSTUI_REGEN") == "1"

# --- the golden files ------------------------------------------------------------------------


def _body_files() -> list[Path]:
    return sorted(
        path
        for path in FEEDS.iterdir()
        if path.suffix in BODY_SUFFIXES
        and not path.name.endswith((".expected.json", ".headers.json"))
    )


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        assert value.utcoffset() == timedelta(0), f"datetime not in UTC: {value!r}"
        fraction = f".{value.microsecond:06d}" if value.microsecond else ""
        return value.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        assert seconds == int(seconds), f"not a whole number of seconds: {value!r}"
        return f"PT{int(seconds)}S"
    raise TypeError(f"cannot encode {value!r}")


def as_json(result: ParsedFeed | ParseError) -> Any:
    """The JSON form stored in `NAME.expected.json` (round-tripped, so tuples become lists)."""
    if isinstance(result, ParseError):
        data: Any = {"error": {"kind": result.kind, "message": result.message}}
    else:
        data = dataclasses.asdict(result)
    return json.loads(json.dumps(data, default=_encode))


def parse_fixture(path: Path, body: bytes | None = None) -> ParsedFeed | ParseError:
    headers_file = path.with_name(path.stem + ".headers.json")
    headers = json.loads(headers_file.read_text("utf-8")) if headers_file.exists() else None
    try:
        return parse_feed(
            f"https://example.org/feeds/{path.stem}",
            path.read_bytes() if body is None else body,
            headers,
            now=NOW,
        )
    except ParseError as exc:
        return exc


def _differences(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Dotted paths (`entries.0.title`) of the values that differ; lists of unequal length
    differ as a whole."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(expected.keys() | actual.keys()):
            yield from _differences(
                expected.get(key, ...), actual.get(key, ...), f"{path}.{key}".lstrip(".")
            )
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            yield from _differences(a, b, f"{path}.{index}")
    elif expected != actual:
        yield path


@pytest.mark.parametrize("path", _body_files(), ids=lambda path: path.stem)
def test_golden(path: Path) -> None:
    name = path.stem
    expected_file = path.with_name(name + ".expected.json")
    actual = as_json(parse_fixture(path))
    if REGEN:
        text = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
        if not expected_file.exists() or expected_file.read_text("utf-8") != text:
            expected_file.write_text(text, "utf-8")
            pytest.skip(f"regenerated {expected_file.name}: review it by hand")
    assert expected_file.exists(), f"no {expected_file.name}: run with NEWSTUI_REGEN=1, review"
    expected = json.loads(expected_file.read_text("utf-8"))

    differences = list(_differences(expected, actual))
    assert actual == expected, f"{name}: unexpected values at {differences}"


def test_fixture_files_are_complete() -> None:
    names = [path.stem for path in _body_files()]
    assert len(names) == len(set(names)), "two bodies share a name"
    for path in FEEDS.iterdir():
        for suffix in (".expected.json", ".headers.json"):
            if path.name.endswith(suffix):
                assert path.name.removesuffix(suffix) in names, f"orphan {path.name}"


def test_hash_identity_is_stable_and_follows_the_title() -> None:
    """Items without guid or link get a sha1 id that survives refreshes but not a new title."""
    path = FEEDS / "no_guid_no_link.xml"
    body = path.read_bytes()
    first, second = parse_fixture(path), parse_fixture(path, body)
    assert isinstance(first, ParsedFeed)
    assert isinstance(second, ParsedFeed)
    ids = [entry.guid for entry in first.entries]
    assert len(ids) == 2
    assert all(entry_id.startswith("sha1:") for entry_id in ids)
    assert len(set(ids)) == 2
    assert ids == [entry.guid for entry in second.entries]

    renamed = parse_fixture(path, body.replace(b"Water off on Elm", b"Water off on Oak"))
    assert isinstance(renamed, ParsedFeed)
    assert renamed.entries[0].title == "Water off on Oak Street"
    assert renamed.entries[0].guid.startswith("sha1:")
    assert renamed.entries[0].guid != ids[0]
    assert renamed.entries[1].guid == ids[1]


# --- minimal reproductions of the known bugs ---------------------------------------------------


def _rss_item(item: str, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{channel}<item>{item}</item></channel></rss>"
    ).encode()


def _atom(entry: str, feed: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>T</title><id>f</id><updated>2026-02-01T00:00:00Z</updated>{feed}"
        f"<entry><title>E</title><id>e</id><updated>2026-02-01T00:00:00Z</updated>{entry}</entry>"
        "</feed>"
    ).encode()


def _parse(body: bytes) -> ParsedFeed:
    return parse_feed("https://example.org/feed", body, now=NOW)


def test_rss_item_with_only_pubdate_has_no_updated_at() -> None:
    feed = _parse(_rss_item("<guid>g</guid><pubDate>Fri, 27 Feb 2026 08:00:00 GMT</pubDate>"))
    assert feed.entries[0].published_at == datetime(2026, 2, 27, 8, tzinfo=UTC)
    assert feed.entries[0].updated_at is None


def test_content_is_not_copied_into_summary() -> None:
    text = _parse(_atom('<content type="text">a &lt;b&gt;bold&lt;/b&gt;</content>'))
    assert text.entries[0].content_html == "<p>a &lt;b&gt;bold&lt;/b&gt;</p>"
    assert text.entries[0].summary_html is None
    content = '<content type="html" xml:base="https://cdn.example/x/">&lt;a href="y"&gt;y&lt;/a&gt;'
    based = _parse(_atom(content + "</content>"))
    assert based.entries[0].content_html == '<a href="https://cdn.example/x/y">y</a>'
    assert based.entries[0].summary_html is None


def test_author_is_the_name_not_the_email() -> None:
    atom = _parse(_atom("<author><name>Ines</name><email>ines@example.org</email></author>"))
    assert atom.entries[0].author == "Ines"
    rss = _parse(_rss_item("<guid>g</guid><author>mara@example.org (Mara Lind)</author>"))
    assert rss.entries[0].author == "Mara Lind"


def test_entries_inherit_the_feed_author() -> None:
    atom = _parse(_atom("", feed="<author><name>Feed Author</name></author>"))
    assert atom.entries[0].author == "Feed Author"
    json_feed = _parse(
        b'{"version": "https://jsonfeed.org/version/1.1", "authors": [{"name": "Feed Author"}],'
        b' "items": [{"id": "1", "content_text": "x"}]}'
    )
    assert json_feed.entries[0].author == "Feed Author"


def test_relative_enclosure_is_resolved() -> None:
    feed = _parse(_rss_item('<guid>g</guid><enclosure url="/ep1.mp3" type="audio/mpeg"/>'))
    assert [e.url for e in feed.entries[0].enclosures] == ["https://example.org/ep1.mp3"]


def test_autodiscovered_feed_link_is_absolute() -> None:
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head>'
    with pytest.raises(ParseError) as caught:
        _parse(page)
    assert caught.value.kind == "not-a-feed"
    assert "https://example.org/rss" in caught.value.message


def test_no_control_sequences_in_entry_html() -> None:
    feed = _parse(
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "t",'
        b' "content_html": "<p>a\\u001b[2Jb\\u009b31mc\\u0007</p>",'
        b' "summary": "s\\u001b]0;x\\u0007"}]}'
    )
    for html in (feed.entries[0].content_html, feed.entries[0].summary_html):
        assert html is not None
        assert not any(ch in html for ch in "\x1b\x9b\x07"), repr(html)


# --- the shared corpus (beside the checkout in CI, absent from a bare clone) ------------------


def _corpus(relative: str) -> Path:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def test_conformance_corpus_never_raises() -> None:
    """feedparser's 2,242 test-suite documents: a feed or a ParseError, never anything else."""
    index = _corpus("feeds/conformance/INDEX.tsv")
    with index.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) > 2000
    crashes = []
    for row in rows:
        body = (CORPUS / row["path"]).read_bytes()
        headers = json.loads(row["headers"]) if row["headers"] else None
        try:
            parse_feed(f"http://127.0.0.1:8097/tests/{row['path']}", body, headers, now=NOW)
        except ParseError:
            pass
        except Exception as exc:
            crashes.append(f"{row['path']}: {type(exc).__name__}: {exc}")
    assert crashes == []


REAL_EXPECTED_FAILURES = {
    "edge_allthis_truncated_invalid.json",
    "edge_scriptingnews_rss_in_json.json",
}


def test_real_feeds_parse_or_fail_cleanly() -> None:
    """74 captured feeds: each yields entries, except exactly the two broken JSON files."""
    files = sorted(_corpus("feeds/real").iterdir())
    assert len(files) == 74
    failed: dict[str, str] = {}
    empty = []
    for path in files:
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        try:
            feed = parse_feed(f"https://example.org/feeds/{path.name}", body, now=NOW)
        except ParseError as exc:
            failed[path.name] = f"{exc.kind}: {exc}"
            continue
        if not feed.entries:
            empty.append(path.name)
    assert empty == []
    assert set(failed) == REAL_EXPECTED_FAILURES, failed


def test_json_feed_error_does_not_end_mid_sentence() -> None:
    from newstui.core.errors import ParseError

    body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "a\x01b", "items": []}'
    with pytest.raises(ParseError) as caught:
        parse_feed("https://x.example/feed.json", body, {"content-type": "application/feed+json"},
                   now=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    message = str(caught.value)
    assert message.endswith("invalid control character"), message
    assert "line 1, column" in message
