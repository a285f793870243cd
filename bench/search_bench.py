"""Search speed on the benchmark store (100,000 entries, 2,000 feeds; `make_store.py`).

For 20 queries (single words, phrases, prefixes, field and state filters, CJK) it times
`Store.search` (compile, FTS5 match, bm25 ranking, the first 50 ids) plus the headlines of those
results (what the reader's list shows), and the same query done as a `LIKE` scan over titles and
bodies (newsboat's way) on the same store in the same run. Also: the index's size, the unread
counts of 10 saved views (what a list reload during a refresh adds), and, with `--migrate`, how
long the schema v9 upgrade takes to index an existing store again.

    .venv/bin/python bench/search_bench.py [--runs 5] [--migrate]

Targets (issue 13): p95 < 50 ms; each query >= 10x faster than its LIKE scan; view counts for
10 saved views < 50 ms. Results: `bench/results/search-<time>.json`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_store import DB_NAME, RESULTS, StoreParams, build_store

from newstui.core.config_search import SavedView
from newstui.core.models import ParsedEntry, ParsedFeed
from newstui.core.query import Node, parse_query
from newstui.store import Store
from newstui.store.search import compile_query, search_ids
from newstui.store.view_queries import ViewQueries

# (query, LIKE form: SQL over `entries e` with ? for each LIKE pattern, patterns)
_TEXT = "(e.title LIKE ? OR e.content_html LIKE ?)"
QUERIES: list[tuple[str, str, list[str]]] = [
    ("climate", _TEXT, ["climate"] * 2),
    ("kernel", _TEXT, ["kernel"] * 2),
    ("vaccine trial", f"{_TEXT} AND {_TEXT}", ["vaccine"] * 2 + ["trial"] * 2),
    ("zurich", _TEXT, ["zurich"] * 2),
    ("Reykjavík mayor", f"{_TEXT} AND {_TEXT}", ["Reykjavík"] * 2 + ["mayor"] * 2),
    ('"open source project"', _TEXT, ["open source project"] * 2),
    ('"memory leak"', _TEXT, ["memory leak"] * 2),
    ('"solar wind nuclear"', _TEXT, ["solar wind nuclear"] * 2),
    ("satell*", _TEXT, ["satell"] * 2),
    ("vulnerab* patch", f"{_TEXT} AND {_TEXT}", ["vulnerab"] * 2 + ["patch"] * 2),
    ("title:rust", "e.title LIKE ?", ["rust"]),
    ('title:"election court"', "e.title LIKE ?", ["election court"]),
    (
        "tag:python compiler",
        f"{_TEXT} AND e.feed_url IN (SELECT f.url FROM feeds f, json_each(f.tags) t"
        " WHERE t.value = 'python')",
        ["compiler"] * 2,
    ),
    ("budget is:unread", f"{_TEXT} AND e.read = 0", ["budget"] * 2),
    (
        "rocket OR satellite -moon",
        f"({_TEXT} OR {_TEXT}) AND NOT {_TEXT}",
        ["rocket"] * 2 + ["satellite"] * 2 + ["moon"] * 2,
    ),
    ("东京", _TEXT, ["东京"] * 2),
    ("金融政策", _TEXT, ["金融政策"] * 2),
    ("서울", _TEXT, ["서울"] * 2),
    ("量子通信 突破", f"{_TEXT} AND {_TEXT}", ["量子通信"] * 2 + ["突破"] * 2),
    ("脆弱性", _TEXT, ["脆弱性"] * 2),
]
VIEWS = [
    "rust", "tag:python", "is:bookmarked", "climate newer:30d", '"open source"', "东京",
    "title:election", "feed:science", "has:enclosure", "security OR vulnerability",
]  # fmt: skip


def like_scan(db: sqlite3.Connection, where: str, patterns: list[str]) -> list[int]:
    """Every matching entry, newest first: a LIKE search must see them all to rank them (or
    to say how many there are); stopping at the first 50 rows found is not the same query."""
    sql = (
        f"SELECT e.id FROM entries e WHERE {where} AND e.hidden = 0"
        " AND e.feed_url NOT IN (SELECT url FROM feeds WHERE hidden = 1)"
        " ORDER BY e.sort_at DESC"
    )
    return [row[0] for row in db.execute(sql, [f"%{p}%" for p in patterns])]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def index_size(path: Path) -> dict[str, float]:
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search%'"
            " OR name = 'entries_facts' GROUP BY name"
        ).fetchall()
    finally:
        raw.close()
    sizes = {name: round(size / 1e6, 1) for name, size in rows}
    sizes["total MB"] = round(sum(size for _, size in rows) / 1e6, 1)
    sizes["database MB"] = round(path.stat().st_size / 1e6, 1)
    return sizes


def measure(
    db_path: Path, runs: int, limit: int, cache_kib: int | None = None
) -> dict[str, object]:
    now = datetime.now(UTC)
    rows = []
    with Store(db_path, cache_kib=cache_kib) as store:
        raw = sqlite3.connect(db_path)
        for query, where, patterns in QUERIES:
            node = parse_query(query)
            # The first call warms the page cache and counts the query's phrases if it may
            # skip bm25 (newstui/store/_search_rank.py): reported on its own.
            started = time.perf_counter()
            store.headlines(store.search(node, now=now, limit=limit))
            first = time.perf_counter() - started
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                ids = store.search(node, now=now, limit=limit)
                store.headlines(ids)
                times.append(time.perf_counter() - started)
            same = _same_as_bm25(store, node, now)
            started = time.perf_counter()
            like_ids = like_scan(raw, where, patterns)
            like = time.perf_counter() - started
            median = statistics.median(times)
            rows.append({
                "query": query, "fts_median_ms": _ms(median), "fts_max_ms": _ms(max(times)),
                "fts_first_ms": _ms(first), "same_order_as_bm25": same,
                "like_ms": _ms(like), "ratio": round(like / median, 1),
                "fts_results": len(ids), "like_results": len(like_ids),
                "fts_all_ms": [_ms(t) for t in times],
            })  # fmt: skip
            print(f"  {query:<28} fts {_ms(median):>7} ms  like {_ms(like):>8} ms  "
                  f"x{like / median:>6.1f}  ({len(ids)} / {len(like_ids)} results)"
                  f"  first {_ms(first):>6} ms{'' if same else '  ORDER DIFFERS'}",
                  file=sys.stderr)  # fmt: skip
        raw.close()
        views = [SavedView(v, v, parse_query(v)) for v in VIEWS]
        queries = ViewQueries(store, show_read=True, views=views)
        started = time.perf_counter()
        queries.saved_counts()  # the first count of a session: every view's matches in full
        first_count = time.perf_counter() - started
        counts = []
        for run in range(runs):
            # What a reload during a refresh sees: a feed's worth of new entries, indexed.
            _add_entries(store, run, now)
            started = time.perf_counter()
            queries.saved_counts()
            counts.append(time.perf_counter() - started)
        marked = []
        unread = sorted(store.visible_unread_ids())
        for run in range(runs):
            # A reload after the user marked an entry read: the unread entries are read again.
            store.set_read([unread[run]], True, now=now)
            started = time.perf_counter()
            queries.saved_counts()
            marked.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.feeds()
        feeds_ms = _ms(time.perf_counter() - started)
    every = [t for row in rows for t in row["fts_all_ms"]]  # type: ignore[union-attr]
    return {
        "queries": rows,
        "fts_p50_ms": statistics.median(every),
        "fts_p95_ms": _p95(every),
        "min_ratio": min(row["ratio"] for row in rows),  # type: ignore[type-var]
        "views_first_count_ms": _ms(first_count),
        "views_counts_median_ms": _ms(statistics.median(counts)),
        "views_counts_max_ms": _ms(max(counts)),
        "views_counts_after_a_mark_median_ms": _ms(statistics.median(marked)),
        "feed_list_query_ms": feeds_ms,
    }


def _same_as_bm25(store: Store, node: Node, now: datetime) -> bool:
    """Whether search ranks the query's candidates (all of them, in order) exactly as bm25
    run on every one of them does (no phrase counts: bm25 is never skipped)."""
    plan = compile_query(node, now=now)
    with store._read() as db:  # the store's own SQL, checked by a benchmark
        counted = search_ids(db, plan, limit=-1, counts=store._phrase_counts)
        always = search_ids(db, plan, limit=-1)
    return counted == always


def _add_entries(store: Store, run: int, now: datetime) -> None:
    feed = store.feeds()[0]
    entries = tuple(
        ParsedEntry(f"bench-{run}-{i}", f"Rust climate kernel news {run} {i}",
                    content_html="<p>open source project memory leak</p>", published_at=now)
        for i in range(50)
    )  # fmt: skip
    store.save_fetch(feed.url, ParsedFeed("rss20", feed.title, entries=entries), now=now,
                     etag=None, last_modified=None, body_hash=None, next_due_at=now)  # fmt: skip
    store.index_pending()


def migrate_time(source: Path, work: Path) -> dict[str, float]:
    """Time the v9 upgrade (which indexes every entry again) of a copy of `source` taken back
    to schema 8 (v8's index table, left empty: v9 drops it anyway)."""
    copy = work / "v8.db"
    shutil.copy(source, copy)
    raw = sqlite3.connect(copy, isolation_level=None)
    triggers = [row[0] for row in raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")]  # fmt: skip
    for statement in (
        *(f"DROP TRIGGER {name}" for name in triggers),
        "DROP TABLE search", "DROP VIEW search_source", "DROP INDEX entries_facts",
        "DROP TABLE feed_tags", "DROP INDEX feeds_hidden",
        "ALTER TABLE search_state DROP COLUMN state_changes",
        "ALTER TABLE search_state DROP COLUMN inserted",
        "CREATE VIRTUAL TABLE search USING fts5 (title, author, feed, body, page, cjk_title,"
        " cjk_body, cjk_page, tokenize = 'unicode61 remove_diacritics 2')",
        "CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN"
        " DELETE FROM search WHERE rowid = old.id; END",
        "PRAGMA user_version = 8", "VACUUM",
    ):  # fmt: skip
        raw.execute(statement)
    raw.close()
    started = time.perf_counter()
    with Store(copy):
        pass
    return {"upgrade_s": round(time.perf_counter() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--migrate", action="store_true", help="also time the v9 upgrade")
    parser.add_argument(
        "--cache-kib",
        type=int,
        help="SQLite's page cache of the searching connection (the reader's background"
        " connection has READER_CACHE_KIB; default: SQLite's 2 MB)",
    )
    args = parser.parse_args()
    source = build_store(StoreParams()) / "data" / DB_NAME
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        db_path = Path(tmp) / DB_NAME
        shutil.copy(source, db_path)  # the cache is never opened by newstui itself
        result: dict[str, object] = {"index": index_size(db_path)}
        print(f"index: {result['index']}", file=sys.stderr)
        result.update(measure(db_path, args.runs, args.limit, args.cache_kib))
        if args.migrate:
            result["migration"] = migrate_time(source, Path(tmp))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    summary = {k: v for k, v in result.items() if k != "queries"}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
