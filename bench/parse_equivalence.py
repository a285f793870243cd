"""Hashes of every corpus file's parse, to show a parser speed-up changes no result.

For each file under the corpus (`../shared/corpus/feeds` by default) three results are hashed:
feedparser's output with the feed's URL as base, without any base, and the rows
`newstui.feeds.parse_worker.parse` builds (or its error). Run it once on the code before a
change and once after, then compare the two JSON files:

    PYTHONPATH=/tmp/before .venv/bin/python bench/parse_equivalence.py fast before.json
    .venv/bin/python bench/parse_equivalence.py fast after.json
    .venv/bin/python bench/parse_equivalence.py compare before.json after.json

`plain` instead of `fast` leaves feedparser without the speed-ups (the rows are then skipped:
they are always built with them, as a parse worker does).
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "feeds"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
BASE = "https://example.org/feeds/f.xml"


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _feedparser(body: bytes, base: bool) -> str:
    import feedparser

    headers = {"content-location": BASE} if base else {}
    result = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    exc = result.get("bozo_exception")
    return _digest(
        (
            result.get("feed"),
            result.get("entries"),
            result.get("version"),
            result.get("bozo"),
            result.get("encoding"),
            type(exc).__name__,
            str(exc),
        )
    )


def _rows(body: bytes) -> str:
    from newstui.feeds import parse_worker

    try:
        return _digest(parse_worker.parse(BASE, body, {}, now=NOW))
    except Exception as error:  # the error is part of the result
        return _digest((type(error).__name__, str(error)))


def dump(mode: str, out: str) -> None:
    if mode == "fast":
        from newstui.feeds import parse_worker

        parse_worker.prepare()
    import newstui

    results: dict[str, list[str]] = {}
    paths = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".tsv")
    for path in paths:
        body = path.read_bytes()
        row = [_feedparser(body, True), _feedparser(body, False)]
        if mode == "fast":
            row.append(_rows(body))
        results[str(path.relative_to(CORPUS))] = row
    Path(out).write_text(json.dumps({"code": newstui.__file__, "results": results}))
    print(f"{len(results)} files, code {newstui.__file__}")


def compare(first: str, second: str) -> int:
    a = json.loads(Path(first).read_text())["results"]
    b = json.loads(Path(second).read_text())["results"]
    differ = 0
    for name in sorted(set(a) | set(b)):
        left, right = a.get(name), b.get(name)
        if left is None or right is None:
            print(f"only in one: {name}")
            differ += 1
            continue
        for what, x, y in zip(("feedparser+base", "feedparser", "rows"), left, right, strict=False):
            if x != y:
                print(f"{what} differs: {name}")
                differ += 1
    print(f"{len(set(a) & set(b))} files in both, {differ} differences")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    dump(sys.argv[1], sys.argv[2])
