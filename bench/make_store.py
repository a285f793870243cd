"""Build (and cache) a big, realistic newstui data dir for the TUI benchmark.

2,000 feeds x 50 entries = 100,000 entries by default, written through the real `Store` API:
`sync_feeds` with tagged `FeedSpec`s, one `save_fetch` per feed (as a refresh would), then
`set_read` (~70 % read, older entries more likely) and `set_bookmarked` (a few). Titles vary in
length, some are CJK; bodies are 1-5 KB of HTML; dates are spread over the year before the
store was built. Feed titles are the ones `feedserver.py` serves for the same URLs (what a
refresh finds; `served_title`).

Every entry body starts with a unique marker, `Ref E0001234`, that appears only in the article
pane (never in a headline), so a benchmark can tell exactly when the pane shows a given entry.

Feed URLs are `http://127.0.0.1:PORT/gen/<i>.xml`, so the shared tools' `feedserver.py --port
PORT` serves the first N of them for the refresh scenario. The result is cached under
`bench/results/` in a directory named after the parameters; `build_store()` returns it at once
when it exists.

    .venv/bin/python bench/make_store.py [--feeds 2000] [--entries 50] [--port 18765]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store

RESULTS = Path(__file__).resolve().parent / "results"
GENERATOR_VERSION = 2
"""Bump when the generated content changes, so stale caches are not reused (2: the feeds'
titles and site links are the ones `feedserver.py` serves)."""
DB_NAME = "newstui.db"  # newstui.core.paths.DB_FILENAME (imported lazily there; kept in sync here)
MARKER = re.compile(r"Ref (E\d{7})")


@dataclass(frozen=True)
class StoreParams:
    feeds: int = 2000
    entries_per_feed: int = 50
    tags: int = 20
    read_fraction: float = 0.7
    bookmarks: int = 150
    port: int = 18765
    seed: int = 42

    def key(self) -> str:
        from newstui.store.schema import LATEST  # a new schema gets a freshly built store

        raw = json.dumps({**asdict(self), "v": GENERATOR_VERSION, "schema": LATEST}, sort_keys=True)
        return (
            f"store-{self.feeds}x{self.entries_per_feed}-p{self.port}-s{LATEST}-"
            + hashlib.sha1(raw.encode()).hexdigest()[:8]
        )

    def feed_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.port}/gen/{index}.xml"


# -- content ----------------------------------------------------------------------------------


def _split(words: str) -> list[str]:
    return words.split()


_WORDS = _split(
    "government council budget election court ruling climate storm flood heatwave energy grid "
    "solar wind nuclear market shares inflation rates bank housing rent workers strike union "
    "startup funding layoffs chip supply chain kernel release browser update security flaw "
    "patch vulnerability open source project maintainers library framework database python "
    "rust compiler performance memory leak cloud outage network satellite rocket launch moon "
    "mission telescope galaxy planet vaccine trial hospital patients doctors study finds "
    "researchers scientists museum festival film album review season match league coach "
    "transfer injury final record river village mountain island city mayor minister "
    "parliament vote reform tax trade tariffs exports factory prices drought harvest farmers "
    "ocean coral species wildlife forest fires police investigation report agency data "
    "privacy regulators lawsuit merger deal quarterly earnings smartphone laptop battery "
    "electric car train airport strike delays school teachers students university exam"
)
_NAMES = _split(
    "Berlin Tokyo Lagos Lima Oslo Nairobi Seoul Madrid Ottawa Jakarta Kyiv Cairo Quito "
    "Linux Mozilla Debian SQLite Python NASA ESA WHO IMF Apple Google Microsoft Tesla Airbus "
    "Zürich São Paulo Kraków Malmö Reykjavík Montréal"
)
_PREFIXES = ("", "", "", "", "", "", "Update: ", "Analysis: ", "Opinion: ", "Live: ", "Q&A: ")
_CJK_TITLES = (
    "东京电力公司宣布新的可再生能源计划",
    "日本銀行、金融政策の据え置きを決定",
    "北京市发布最新空气质量报告",
    "新型スマートフォンの発売日が決定しました",
    "台风登陆华南沿海地区 多地停课",
    "大学入学共通テストの日程が発表",
    "中国科学家在量子通信领域取得突破",
    "서울시, 대중교통 요금 인상안 발표",
    "京都の紅葉、今年は例年より早く見頃に",
    "上海国际电影节开幕 多部新片首映",
    "オープンソースのデータベースに脆弱性",
    "深圳科技企业第三季度营收增长",
)
_SERVED_CATEGORIES = (
    "world", "technology", "science", "business", "sport", "culture", "politics", "health",
)  # fmt: skip
"""`feedserver.py`'s `_CATEGORIES`, which its feed titles end with."""
_TAG_NAMES = (
    "news",
    "tech",
    "science",
    "world",
    "python",
    "linux",
    "security",
    "business",
    "sport",
    "culture",
    "climate",
    "space",
    "health",
    "europe",
    "asia",
    "dev",
    "blogs",
    "podcasts",
    "comics",
    "local",
    "economy",
    "music",
    "film",
    "books",
    "games",
)


class _Text:
    """Deterministic headline and HTML generator (a pool of sentences keeps it quick)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(4000)]

    def _sentence(self) -> str:
        rng = self.rng
        words = rng.choices(_WORDS, k=rng.randint(8, 24))
        if rng.random() < 0.4:
            words.insert(rng.randrange(len(words)), rng.choice(_NAMES))
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words)), str(rng.randint(2, 2026)))
        sentence = " ".join(words)
        return sentence[0].upper() + sentence[1:] + rng.choice(".....?!")

    def title(self) -> str:
        rng = self.rng
        if rng.random() < 0.06:
            return rng.choice(_CJK_TITLES) + (
                "" if rng.random() < 0.5 else f"\uff08{rng.randint(2, 99)}\uff09"
            )
        words = rng.choices(_WORDS, k=rng.choice((3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 18, 22)))
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(_NAMES))
        title = " ".join(words)
        title = rng.choice(_PREFIXES) + title[0].upper() + title[1:]
        if rng.random() < 0.1:
            title += f' — "{rng.choice(_WORDS)}" & {rng.choice(_WORDS)}'
        return title

    def body(self, marker: str, link: str) -> str:
        rng = self.rng
        target = rng.randint(1000, 5000)
        parts = [f"<p><small>Ref {marker}</small></p>"]
        size = len(parts[0])
        while size < target:
            kind = rng.random()
            if kind < 0.65:
                sents = rng.sample(self.sentences, rng.randint(2, 6))
                if rng.random() < 0.5:
                    k = rng.randrange(len(sents))
                    sents[k] += f' See <a href="{link}#s{size}">{rng.choice(_WORDS)} coverage</a>.'
                if rng.random() < 0.3:
                    sents[0] = f"<strong>{sents[0]}</strong>"
                chunk = "<p>" + " ".join(sents) + "</p>"
            elif kind < 0.75:
                chunk = f"<h2>{rng.choice(self.sentences)[:60]}</h2>"
            elif kind < 0.85:
                items = "".join(f"<li>{s[:90]}</li>" for s in rng.sample(self.sentences, 3))
                chunk = f"<ul>{items}</ul>"
            elif kind < 0.93:
                chunk = f"<blockquote><p>{rng.choice(self.sentences)}</p></blockquote>"
            elif kind < 0.97:
                chunk = f'<p><img src="{link}/img{size}.jpg" alt="photo" width="640"></p>'
            else:
                chunk = f"<pre><code>$ {rng.choice(_WORDS)} --{rng.choice(_WORDS)}\nok</code></pre>"
            parts.append(chunk)
            size += len(chunk)
        return "\n".join(parts)


def served_title(index: int) -> str:
    """The title `feedserver.py` serves for `/gen/<index>.xml`, RSS and Atom alike.

    The store must hold the title a refresh will find, as a user's store does: a feed whose
    title changes takes all its stored entries out of the search index to index them again
    (the `search_feed_changed` trigger), so other titles here made every refreshed feed's 50
    old entries count in the refresh benchmarks (tests/test_bench_store.py)."""
    return f"Generated feed {index} \u2013 {_SERVED_CATEGORIES[index % len(_SERVED_CATEGORIES)]}"


def served_site(index: int) -> str:
    """The site link `feedserver.py` serves for `/gen/<index>.xml`."""
    return f"https://example.com/feed{index}/"


# -- building ---------------------------------------------------------------------------------


def cache_dir(params: StoreParams) -> Path:
    return RESULTS / params.key()


def build_store(params: StoreParams, *, quiet: bool = False) -> Path:
    """The cached data set for `params`, built first if missing. Returns its directory:

    - `data/newstui.db`: the store;
    - `feeds.toml`: every feed, `refresh_on_start = false`, `auto_refresh = false`;
    - `manifest.json`: parameters, counts, and the first unread entries (newest first) with
      their titles and markers, which the benchmark waits for.
    """
    target = cache_dir(params)
    if (target / "manifest.json").exists():
        return target
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="building-", dir=RESULTS))
    try:
        _build(params, work, quiet=quiet)
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def feeds_toml(specs: list[FeedSpec], *, refresh_on_start: bool = False) -> str:
    lines = [
        "# Generated by bench/make_store.py for bench/tui_bench.py",
        "[settings]",
        f"refresh_on_start = {'true' if refresh_on_start else 'false'}",
        "auto_refresh = false",
        "",
    ]
    for spec in specs:
        lines.append("[[feeds]]")
        lines.append(f"url = {json.dumps(spec.url)}")
        if spec.title:
            lines.append(f"title = {json.dumps(spec.title, ensure_ascii=False)}")
        lines.append(f"tags = {json.dumps(list(spec.tags), ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)


def make_specs(params: StoreParams, rng: random.Random) -> list[FeedSpec]:
    tags = list(_TAG_NAMES[: params.tags])
    specs = []
    for i in range(params.feeds):
        chosen = [tags[i % len(tags)]]
        if rng.random() < 0.1:
            chosen.append(rng.choice(tags))
        title = None
        if rng.random() < 0.05:
            title = f"My {rng.choice(_WORDS)} feed {i}"
        specs.append(
            FeedSpec(url=params.feed_url(i), title=title, tags=tuple(dict.fromkeys(chosen)))
        )
    return specs


def _build(params: StoreParams, work: Path, *, quiet: bool) -> None:
    started = time.perf_counter()
    rng = random.Random(params.seed)
    text = _Text(rng)
    now = datetime.now(UTC).replace(microsecond=0)
    year = 365 * 86_400
    specs = make_specs(params, rng)
    (work / "data").mkdir()
    (work / "feeds.toml").write_text(feeds_toml(specs), encoding="utf-8")
    db = work / "data" / DB_NAME
    read_ids: list[int] = []
    with Store(db) as store:
        store.sync_feeds(specs, now=now)
        for i, spec in enumerate(specs):
            site = f"https://site{i}.example.net"  # the entries' links (not the feed's)
            entries = []
            for j in range(params.entries_per_feed):
                marker = f"E{i * params.entries_per_feed + j:07d}"
                published = now - timedelta(seconds=rng.randrange(year))
                link = f"{site}/{published:%Y/%m/%d}/{marker.lower()}.html"
                entries.append(
                    ParsedEntry(
                        guid=link,
                        title=text.title(),
                        link=link,
                        author=rng.choice((None, "Staff", "A. Writer", "李明", "Émilie D.")),
                        published_at=published,
                        content_html=text.body(marker, link),
                        summary_html=None,
                    )
                )
            parsed = ParsedFeed(
                format="rss20",
                title=served_title(i),
                site_url=served_site(i),
                entries=tuple(entries),
            )
            store.save_fetch(
                spec.url,
                parsed,
                now=now,
                etag=None,
                last_modified=None,
                body_hash=None,
                next_due_at=now + timedelta(minutes=30),
            )
            if not quiet and i % 200 == 199:
                print(
                    f"  {i + 1}/{params.feeds} feeds stored"
                    f" ({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                )
        # Read state: older entries are more likely read (~read_fraction overall).
        rows = store.headlines(store.entry_ids())  # ids and dates only, to choose
        for row in rows:
            age = (now - row.published_at).total_seconds() / year  # 0 = today, 1 = a year ago
            if rng.random() < min(1.0, max(0.0, params.read_fraction + (age - 0.5) * 0.6)):
                read_ids.append(row.id)
        store.set_read(read_ids, True, now=now)
        bookmarks = rng.sample([r.id for r in rows], min(params.bookmarks, len(rows)))
        store.set_bookmarked(bookmarks, True, now=now)
        indexing = time.perf_counter()
        store.index_pending()  # the search index, as a refresh leaves it
        index_seconds = round(time.perf_counter() - indexing, 1)
        unread_ids = store.entry_ids(unread_only=True)
        top = store.entries_by_id(unread_ids[:80])
        total = len(rows)
    first = [
        {
            "id": e.id,
            "title": e.title,
            "marker": _marker(e.content_html or ""),
            "feed_url": e.feed_url,
        }
        for e in top
    ]
    manifest = {
        "params": asdict(params),
        "generator_version": GENERATOR_VERSION,
        "built_at": now.isoformat(),
        "build_seconds": round(time.perf_counter() - started, 1),
        "search_index_seconds": index_seconds,
        "entries": total,
        "read": len(read_ids),
        "unread": len(unread_ids),
        "bookmarks": params.bookmarks,
        "db_bytes": db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob("*-wal")),
        "first_unread": first,
    }
    (work / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    if not quiet:
        print(
            f"  built {total} entries, {len(unread_ids)} unread, in {manifest['build_seconds']} s",
            file=sys.stderr,
        )


def _marker(html: str) -> str:
    match = MARKER.search(html)
    if match is None:
        raise RuntimeError("generated entry without a marker")
    return match[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=StoreParams.feeds)
    parser.add_argument("--entries", type=int, default=StoreParams.entries_per_feed)
    parser.add_argument("--port", type=int, default=StoreParams.port)
    parser.add_argument("--seed", type=int, default=StoreParams.seed)
    args = parser.parse_args()
    params = StoreParams(
        feeds=args.feeds, entries_per_feed=args.entries, port=args.port, seed=args.seed
    )
    print(build_store(params))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
