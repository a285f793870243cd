"""What the headless commands print: `newstui refresh` progress and summary, `newstui status`.

On a terminal: a progress bar and coloured tables (rich). Otherwise (cron, pipes): plain lines
that are easy to grep, and `status --json`, a stable document for scripts. Feed-supplied text is
always passed to rich as `Text`, never as markup.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from newstui.core.config import Config
from newstui.core.models import Feed, FeedSpec, FeedUpdate, UpdateStatus
from newstui.core.timefmt import utc_now
from newstui.feeds.refresh import Refresher, summarise
from newstui.feeds.sources import EntrySource, RefreshContext
from newstui.store import Store

if TYPE_CHECKING:
    from rich.text import Text

JSON_FORMAT_VERSION = 1
_STATUS_STYLE = {
    UpdateStatus.NEW: "bold green",
    UpdateStatus.UPDATED: "green",
    UpdateStatus.UNCHANGED: "dim",
    UpdateStatus.NOT_MODIFIED: "dim",
    UpdateStatus.ERROR: "bold red",
}


async def run_refresh(
    config: Config,
    db_path: Path,
    specs: list[FeedSpec],
    *,
    force: bool,
    sources: Sequence[Callable[[RefreshContext], EntrySource]] = (),
) -> int:
    """Refresh `specs`; print one line per feed and a summary. Exit 0 once the run completed.

    rich is imported only for a terminal (the progress bar): cron and pipes get the same lines
    as plain text, without rich's ~50 ms of imports before the first request.
    """
    with Store(db_path) as store:
        store.sync_feeds(config.feeds, now=utc_now())
        # Known titles; a feed never fetched before is named by what its fetch finds.
        titles = store.display_titles()
    started = time.monotonic()
    updates: list[FeedUpdate] = []
    async with Refresher(
        db_path, config.settings, filters=config.filters, sources=sources
    ) as refresher:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            todo = len(specs) if force else None
            with Progress(
                TextColumn("Refreshing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True, highlight=False),
                transient=True,
            ) as progress:
                task = progress.add_task("refresh", total=todo)
                async for update in refresher.run(specs, force=force):
                    updates.append(update)
                    progress.advance(task)
                    if update.status is not UpdateStatus.NOT_MODIFIED:
                        progress.console.print(_update_line(update, titles))
        else:
            async for update in refresher.run(specs, force=force):
                updates.append(update)
                print("".join(text for text, _ in _line_parts(update, titles)))
    totals = summarise(updates)
    elapsed = time.monotonic() - started
    if not updates:
        print("Nothing to refresh: every feed is up to date (use --all to force).")
    else:
        print(
            f"Refreshed {_count(totals['feeds'], 'feed')} in {elapsed:.1f} s: "
            f"{totals['new']} new, {totals['updated']} updated, "
            f"{totals['not-modified']} not modified, {_count(totals['errors'], 'error')}."
        )
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _line_parts(update: FeedUpdate, titles: dict[str, str]) -> list[tuple[str, str]]:
    """One feed's line as (text, rich style) pieces."""
    parts = [
        (f"{update.status.value:<13}", _STATUS_STYLE[update.status]),
        (titles.get(update.url) or update.title or update.url, ""),
    ]
    if update.status is UpdateStatus.ERROR:
        parts.append((f": {update.error}", "red"))
    elif update.new or update.updated:
        parts.append((f": {update.new} new, {update.updated} updated", ""))
    if update.warning:
        parts.append((f" (warning: {update.warning})", "yellow"))
    return parts


def _update_line(update: FeedUpdate, titles: dict[str, str]) -> Text:
    from rich.text import Text

    return Text.assemble(*_line_parts(update, titles))


def print_status(
    config: Config,
    db_path: Path,
    *,
    as_json: bool,
    file: TextIO | None = None,
    width: int | None = None,
) -> int:
    """`newstui status`: one row per feed of feeds.toml."""
    with Store(db_path) as store:
        store.sync_feeds(config.feeds, now=utc_now())
        feeds = store.feeds()
        sync = sync_status(config, store)
        hits = store.filter_hits() if config.filters else {}
    filters = [
        {"query": f.query, "action": f.action, "tag": f.tag, "caught": hits.get(f.key, 0)}
        for f in config.filters
    ]
    spec_of = {spec.url: spec for spec in config.feeds}
    stream = file or sys.stdout
    if as_json:
        document = {
            "format": JSON_FORMAT_VERSION,
            "generated_at": _iso(utc_now()),
            "config": str(config.path),
            "database": str(db_path),
            "sync": sync,
            "feeds": [_feed_json(feed, spec_of.get(feed.url)) for feed in feeds],
            "filters": filters,
        }
        json.dump(document, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
        return 0
    from rich.console import Console

    from newstui.commands.status_view import status_lines

    console = Console(file=stream, highlight=False, width=status_width(stream, width))
    lines = status_lines(
        feeds,
        config_path=config.path,
        sync=sync,
        filters=[(f.key, row["caught"]) for f, row in zip(config.filters, filters, strict=True)],
        width=console.width,
        now=utc_now(),
    )
    for line in lines:
        console.print(line, no_wrap=True, crop=False, overflow="ignore")
    return 0


def status_width(stream: TextIO, asked: int | None = None) -> int:
    """`--width`, else `$COLUMNS`, else the terminal's width; 80 when `stream` is not a
    terminal (a pipe or a file), whatever terminal the command was started from."""
    if asked:
        return asked
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    with contextlib.suppress(AttributeError, ValueError, OSError):
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or 80
    return 80


def _feed_json(feed: Feed, spec: FeedSpec | None) -> dict[str, Any]:
    return {
        "title": feed.title,
        "url": feed.url,
        "site_url": feed.site_url,
        "tags": list(feed.tags),
        "total": feed.total,
        "unread": feed.unread,
        "bookmarks": feed.bookmarks,
        "last_fetched_at": _iso(feed.last_fetched_at),
        "last_success_at": _iso(feed.last_ok_at),
        "last_error": feed.last_error,
        "error_kind": feed.error_kind,
        "warning": feed.warning,
        "consecutive_failures": feed.failures,
        "next_due_at": _iso(feed.next_due_at),
        "moved_to": feed.moved_to,
        "origin": feed.origin,
        "refresh_interval_minutes": (
            int(spec.refresh_interval.total_seconds() // 60)
            if spec and spec.refresh_interval
            else None
        ),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def sync_status(config: Config, store: Store) -> dict[str, Any] | None:
    """The `[sync]` server and how the last sync went; None without a `[sync]` table."""
    if config.sync is None:
        return None
    warning = None
    if config.sync.token is not None:
        with contextlib.suppress(OSError):
            if config.path.stat().st_mode & 0o004:
                line = f":{config.sync.line}" if config.sync.line else ""
                warning = (
                    f"{config.path}{line}: sync.token: the file is readable by every user"
                    " of this machine; use token_command, or chmod o-r it"
                )
    return {
        "server": config.sync.server,
        "url": config.sync.url,
        "version": store.sync_value("server_version"),
        "last_sync_at": store.sync_value("last_sync_at"),
        "last_attempt_at": store.sync_value("last_attempt_at"),
        "last_error": store.sync_value("last_error"),
        "changes_waiting": store.pending_count(),
        "warning": warning,
    }
