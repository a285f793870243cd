"""`newstui search` and `newstui filter`: what they print. No Textual here.

`search` prints ranked results: title, feed, date, unread (●) and bookmark (★) marks, a snippet
with the matched words marked, and the link. On a terminal matches are shown in bold reverse
video; piped, they are wrapped in «guillemets» so they survive `grep` and `less`. `--json` is a
stable document for scripts (`"format": 1`). Feed text reaches rich as `Text`, never as markup.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from newstui.core.config import Config
from newstui.core.highlight import Highlighter, Span
from newstui.core.query import QueryError, parse_query
from newstui.core.timefmt import utc_now
from newstui.store import Store

JSON_FORMAT_VERSION = 1
MATCH_STYLE = "bold reverse"


class UsageError(Exception):
    """A bad command line (such as a query that does not parse): exit 2, one line."""


def open_store(db_path: Path, *, busy_timeout: float | None = None) -> Store:
    """The store, upgraded first if needed, with a progress bar on a terminal: building the
    search index of a big store takes a while (about 10 s per 100,000 entries)."""
    if not Store.needs_upgrade(db_path):
        return Store(db_path, busy_timeout=busy_timeout)
    console = Console(stderr=True)
    if not console.is_terminal:
        return Store(db_path, busy_timeout=busy_timeout)
    columns = (TextColumn("Building the search index"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("index", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return Store(db_path, progress=report, busy_timeout=busy_timeout)


def run_search(
    config: Config,
    db_path: Path,
    query: str,
    *,
    limit: int,
    as_json: bool,
    file: TextIO | None = None,
) -> int:
    """`newstui search QUERY`: ranked results, best first."""
    try:
        node = parse_query(query)
    except QueryError as error:
        raise UsageError(_query_problem(query, error)) from None
    now = utc_now()
    with open_store(db_path) as store:
        store.sync_feeds(config.feeds, now=now)
        try:
            ids = store.search(node, now=now, limit=limit)
        except QueryError as error:
            raise UsageError(_query_problem(query, error)) from None
        entries = store.entries_by_id(ids)
        texts = store.search_texts(ids)
    marks = Highlighter(node)
    stream = file or sys.stdout
    results = []
    for rank, entry in enumerate(entries, 1):
        snippet, snippet_spans = marks.snippet(texts.get(entry.id, ""))
        results.append(
            {
                "rank": rank,
                "id": entry.id,
                "title": entry.title,
                "title_matches": [list(s) for s in marks.spans(entry.title, field="title")],
                "feed": entry.feed_title,
                "feed_url": entry.feed_url,
                "date": _iso(entry.published_at),
                "unread": not entry.read,
                "bookmarked": entry.bookmarked,
                "link": entry.link,
                "enclosures": [
                    {
                        "url": enclosure.url,
                        "type": enclosure.type,
                        "size_bytes": enclosure.length,
                        "duration_seconds": enclosure.duration,
                    }
                    for enclosure in entry.enclosures
                ],
                "snippet": snippet,
                "snippet_matches": [list(s) for s in snippet_spans],
            }
        )
    if as_json:
        document = {
            "format": JSON_FORMAT_VERSION,
            "query": query,
            "generated_at": _iso(now),
            "results": results,
        }
        json.dump(document, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
        return 0
    _print_results(results, Console(file=stream, highlight=False, soft_wrap=True))
    return 0


def _print_results(results: list[dict[str, Any]], console: Console) -> None:
    if not results:
        console.print("No entries match.")
        return
    plain = not console.is_terminal
    for result in results:
        line = Text(f"{result['rank']:>3}. ")
        line.append("●" if result["unread"] else " ", style="bold")
        line.append("★ " if result["bookmarked"] else "  ", style="yellow")
        line.append_text(_marked(result["title"], result["title_matches"], plain, "bold"))
        line.append(f"  {result['feed']} · {result['date'][:10]}", style="dim")
        console.print(line)
        if result["snippet"]:
            snippet = _marked(result["snippet"], result["snippet_matches"], plain, "")
            console.print(Text("       ").append_text(snippet))
        if result["link"]:
            console.print(Text("       " + result["link"], style="blue"))


def _marked(text: str, spans: list[list[int]] | list[Span], plain: bool, style: str) -> Text:
    if plain:
        out, last = "", 0
        for start, end in spans:
            out += text[last:start] + "«" + text[start:end] + "»"
            last = end
        return Text(out + text[last:], style=style)
    marked = Text(text, style=style)
    for start, end in spans:
        marked.stylize(MATCH_STYLE, start, end)
    return marked


def _query_problem(query: str, error: QueryError) -> str:
    """One line: what is wrong, where (the column), and the query from there on."""
    rest = query[error.position : error.position + 30]
    near = f" (at: {rest})" if rest.strip() else ""
    return f"bad query: {error}{near}"


def run_filters(
    config: Config, db_path: Path, *, apply: bool, dry_run: bool, file: TextIO | None = None
) -> int:
    """`newstui filter`: the filters of feeds.toml with what each has caught; `--apply` runs
    them over every stored entry once (`--dry-run`: only say what they would change)."""
    console = Console(file=file or sys.stdout, highlight=False, soft_wrap=True)
    if not config.filters:
        console.print(f"No [[filters]] in {config.path}.")
        return 0
    now = utc_now()
    with open_store(db_path) as store:
        store.sync_feeds(config.feeds, now=now)
        hits = store.filter_hits()
        results = store.apply_filters(config.filters, now=now, dry_run=dry_run) if apply else None
    for index, item in enumerate(config.filters):
        line = Text(f"{index + 1:>3}. {item.key}: ")
        line.append(f"caught {hits.get(item.key, 0)} new entries")
        if results is not None:
            matched, changed = results[index]
            verb = "would change" if dry_run else "changed"
            line.append(f"; in the store: {matched} match, {verb} {changed}", style="bold")
        console.print(line)
    return 0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
