"""The feedparser speed-ups give the same result as plain feedparser on the shared corpus
(`bench/parse_equivalence.py` does the same by hand over every file, with hashes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feeds"
SAMPLE_EVERY = 6  # of feedparser's test-suite documents (sorted): all 74 real feeds are parsed

# Each file's parse with and without the feed's URL as base (a real feed's with it only), in a
# fresh interpreter with ("fast") or without ("plain") the speed-ups, as text (the bozo
# exception's type and message are part of the result). Files are read from stdin, one path a line.
_DUMP = """
import json, sys
if sys.argv[1] == "fast":
    from newstui.feeds import parse_worker
    parse_worker.prepare()
import feedparser
out = {}
for path in sys.stdin.read().splitlines():
    with open(path, "rb") as f:
        body = f.read()
    # the real feeds (13 MB) with a base only: both ways would take twice the time
    for base in ("https://example.org/feeds/f.xml", None)[: 1 if "/real/" in path else 2]:
        result = feedparser.parse(
            body,
            response_headers={"content-location": base} if base else {},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        exc = result.get("bozo_exception")
        out[f"{path} {base}"] = repr((
            result.get("feed"), result.get("entries"), result.get("version"),
            result.get("bozo"), result.get("encoding"), type(exc).__name__, str(exc),
        ))
json.dump(out, sys.stdout)
"""


def _sample() -> list[str]:
    if not (CORPUS / "real").is_dir() or not (CORPUS / "conformance").is_dir():
        pytest.skip(f"{CORPUS} not present")
    real = sorted(p for p in (CORPUS / "real").iterdir() if p.is_file())
    conformance = sorted(
        p for p in (CORPUS / "conformance").rglob("*") if p.is_file() and p.suffix != ".tsv"
    )
    return [str(p) for p in real + conformance[::SAMPLE_EVERY]]


def test_corpus_parses_as_with_plain_feedparser() -> None:
    paths = _sample()
    assert len(paths) > 74 + 300
    runs = {
        mode: subprocess.Popen(
            [sys.executable, "-c", _DUMP, mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("fast", "plain")  # side by side: one core each
    }
    out = {mode: run.communicate("\n".join(paths), timeout=120)[0] for mode, run in runs.items()}
    assert all(run.returncode == 0 for run in runs.values())
    fast, plain = json.loads(out["fast"]), json.loads(out["plain"])
    assert len(fast) == 2 * len(paths) - 74
    differ = sorted(key for key in plain if fast.get(key) != plain[key])
    assert differ == []
