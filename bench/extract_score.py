"""Score article extractors against Readability.js's expected output (40 real pages).

Reader mode must pick an extraction library by measurement (issue "Reader mode"). For each page
of the corpus (`--corpus`, default: the shared corpus's copy of Mozilla Readability's test
pages; not in this repository) `<name>/` this extracts `source.html` with every
candidate, turns both the result and `expected.html` into text the same way (our own renderer,
`plain_text(html_to_rich(...))`, links as `[n]` marks but no link list), splits it into
lower-case words (each CJK character counts as a word: Chinese and Japanese have no spaces) and
compares the two as multisets: precision = shared / extracted, recall = shared / expected.

Columns:
  readability     readability-lxml `Document.summary()` as it comes
  trafilatura     `trafilatura.extract(..., output_format="html")` with links, images, tables
  newstui         `newstui.article.extract.extract_article` (readability + boilerplate filter)
  pipeline        what `newstui read URL --full-text` prints when piped: header (title, site,
                  date, reading time, URL) + body + numbered link list, via `render_entry` at
                  80 columns, scored against the same expected text (header and link URLs count
                  as extra words, so this is stricter than extraction alone)
  pipeline/links  the same output, but the expected side rendered the same way too (its own
                  link list appended): how close the whole printout is to printing the ideal
                  extraction

Candidates that are not installed are skipped (trafilatura is a bench-only install:
`.venv/bin/pip install trafilatura`).

    .venv/bin/python bench/extract_score.py [--pages NAME ...] [--quiet] [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from newstui.article.extract import extract_article
from newstui.article.render import html_to_rich, plain_text
from newstui.commands.read import page_entry, piped_text
from newstui.core.errors import ParseError

CORPUS = Path("/work/shared/corpus/articles/readability")
"""Where the shared corpus keeps the pages on the benchmark machine; `--corpus` overrides it."""
URL = "http://fakehost/test/page.html"
"""Readability's test suite extracts every page as if fetched from here (expected links use it)."""
PIPE_WIDTH = 80
"""`newstui read` wraps at 80 columns when its output is not a terminal."""

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|(?:(?![{_CJK}])\\w)+")

Extractor = Callable[[bytes], str]


_URL = re.compile(r"https?://\S+")


def words(text: str, *, whole_urls: bool = False) -> Counter[str]:
    """Lower-cased words; with `whole_urls`, a URL counts as one word instead of ~6."""
    text = text.casefold()
    urls = _URL.findall(text) if whole_urls else []
    if whole_urls:
        text = _URL.sub(" ", text)
    return Counter(urls + _WORD.findall(text))


def score(got: str, expected: str, *, whole_urls: bool = False) -> tuple[float, float, float]:
    """Word-level (precision, recall, F1) of `got` against `expected`, as multisets."""
    g, e = words(got, whole_urls=whole_urls), words(expected, whole_urls=whole_urls)
    shared = sum((g & e).values())
    precision = shared / sum(g.values()) if g else 0.0
    recall = shared / sum(e.values()) if e else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def to_text(html: str, *, with_links: bool = False) -> str:
    """The one conversion used for both sides."""
    if not html.strip():
        return ""
    return plain_text(html_to_rich(html, base_url=URL), width=10_000, with_links=with_links)


def candidates() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {}
    try:
        from readability import Document
    except ImportError:
        pass
    else:
        found["readability"] = lambda page: Document(page, url=URL).summary(html_partial=True)
    try:
        import trafilatura
    except ImportError:
        pass
    else:

        def traf(page: bytes) -> str:
            out = trafilatura.extract(
                page,
                url=URL,
                output_format="html",
                include_links=True,
                include_images=True,
                include_tables=True,
                include_comments=False,
            )
            return out or ""

        found["trafilatura"] = traf

    def ours(page: bytes) -> str:
        try:
            return extract_article(page, URL).html
        except ParseError:
            return ""

    found["newstui"] = ours
    return found


def pipeline(page: bytes) -> str:
    """What `newstui read URL --full-text` prints when piped: the command's own formatter."""
    try:
        extracted = extract_article(page, URL)
    except ParseError:
        return ""
    return piped_text(page_entry(URL, extracted.html, extracted.title))


def timed(function: Extractor, page: bytes, repeat: int) -> tuple[str, float]:
    """The result and the fastest of `repeat` runs (this machine is shared; noise only adds)."""
    best = float("inf")
    result = ""
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = function(page)
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help="only these page directories")
    parser.add_argument("--quiet", action="store_true", help="summary only")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=CORPUS,
        help="folder of <name>/source.html + expected.html pages (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each call N times, keep the fastest"
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"{args.corpus}: no such folder; pass --corpus DIR")
    pages = sorted(p for p in args.corpus.iterdir() if (p / "source.html").exists())
    if args.pages:
        pages = [p for p in pages if p.name in args.pages]
    extractors = candidates()
    columns = [*extractors, "pipeline", "pipeline/url=1", "pipeline/links"]
    f1s: dict[str, list[float]] = {c: [] for c in columns}
    times: dict[str, list[float]] = {c: [] for c in [*extractors, "pipeline"]}
    rows: list[str] = []
    for page in pages:
        source = (page / "source.html").read_bytes()
        expected_html = (page / "expected.html").read_text(encoding="utf-8")
        expected = to_text(expected_html)
        cells = [page.name]
        for name, extract in extractors.items():
            html, seconds = timed(extract, source, args.repeat)
            times[name].append(seconds)
            p, r, f = score(to_text(html), expected)
            f1s[name].append(f)
            cells.append(f"{p:.2f} / {r:.2f} / **{f:.3f}**")
        printed, seconds = timed(pipeline, source, args.repeat)
        times["pipeline"].append(seconds)
        p, r, f = score(printed, expected)
        f1s["pipeline"].append(f)
        cells.append(f"{p:.2f} / {r:.2f} / **{f:.3f}**")
        p, r, f = score(printed, expected, whole_urls=True)
        f1s["pipeline/url=1"].append(f)
        cells.append(f"{p:.2f} / {r:.2f} / **{f:.3f}**")
        p, r, f = score(printed, to_text(expected_html, with_links=True))
        f1s["pipeline/links"].append(f)
        cells.append(f"{p:.2f} / {r:.2f} / **{f:.3f}**")
        cells.append(f"{times['newstui'][-1] * 1000:.0f}")
        rows.append("| " + " | ".join(cells) + " |")

    if not args.quiet:
        print("Precision / recall / **F1** per page (word multisets); time of newstui in ms.\n")
        print("| page | " + " | ".join(columns) + " | ms |")
        print("|---" * (len(columns) + 2) + "|")
        print("\n".join(rows))
        print()
    print("| | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for label, fn in (("median F1", statistics.median), ("mean F1", statistics.mean)):
        print(f"| {label} | " + " | ".join(f"{fn(f1s[c]):.3f}" for c in columns) + " |")
    print("| min F1 | " + " | ".join(f"{min(f1s[c]):.3f}" for c in columns) + " |")
    print(
        "| pages < 0.5 | " + " | ".join(str(sum(f < 0.5 for f in f1s[c])) for c in columns) + " |"
    )
    print()
    print("| time per page | " + " | ".join(times) + " |")
    print("|---" * (len(times) + 1) + "|")
    for label, fn in (("median", statistics.median), ("max", max)):
        print(f"| {label} | " + " | ".join(f"{fn(times[c]) * 1000:.0f} ms" for c in times) + " |")
    if "readability" in f1s:
        changed = [
            f"{page.name} {before:.3f} → {after:.3f}"
            for page, before, after in zip(pages, f1s["readability"], f1s["newstui"], strict=True)
            if abs(after - before) >= 0.005
        ]
        print("\nnewstui vs. plain readability (|ΔF1| ≥ 0.005): " + ("; ".join(changed) or "none"))
    low = [(page.name, f) for page, f in zip(pages, f1s["pipeline"], strict=True) if f < 0.5]
    if low:
        print("\nPipeline below 0.5: " + ", ".join(f"{n} ({f:.3f})" for n, f in low))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
