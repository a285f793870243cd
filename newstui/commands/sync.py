"""`newstui sync [--json]`: one sync with the `[sync]` server, and what it did.

Exit 0 when the sync ran (every mark pushed that could be, every change pulled); 1 with one line
on stderr when the server cannot be reached, refuses the credentials, or the sync was cut short
(whatever it had stored stays, and the marks not pushed wait for the next sync); 2 when
feeds.toml has no `[sync]` table. The JSON document is stable (`"format": 1`).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from newstui.core.config import Config, Settings, SyncSettings
from newstui.core.config_search import Filter
from newstui.core.errors import ConfigError, SyncError
from newstui.core.timefmt import utc_now
from newstui.feeds.refresh import Refresher
from newstui.feeds.sources.server import ServerSource
from newstui.feeds.sync import SyncReport, make_backend, read_credentials
from newstui.store import Store

if TYPE_CHECKING:
    from newstui.commands.subscribe import Terminal

JSON_FORMAT_VERSION = 1


def local_urls(config: Config) -> list[str]:
    """feeds.toml's feeds that stay local on purpose (`sync = false`)."""
    return [spec.url for spec in config.feeds if not spec.sync]


def server_source(config: Config, **options: Any) -> ServerSource | None:
    """The `[sync]` server as a source of a refresh (None without `[sync]`)."""
    if config.sync is None:
        return None
    return ServerSource(config.sync, local_urls=local_urls(config), **options)


async def run_sync(config: Config, db_path: Path) -> SyncReport:
    if config.sync is None:
        raise ConfigError(config.path, None, "", "no [sync] table: nothing to sync with")
    with Store(db_path) as store:
        store.sync_feeds(config.feeds, now=utc_now())
    return await sync_pass(
        db_path, config.sync, config.settings, local_urls=local_urls(config),
        filters=config.filters,
    )  # fmt: skip


async def sync_pass(
    db_path: Path,
    sync: SyncSettings,
    settings: Settings,
    *,
    local_urls: Sequence[str] = (),
    filters: Sequence[Filter] = (),
    trust_env: bool = True,
) -> SyncReport:
    """A refresh with the server's source alone: the whole account synced, no feed polled."""
    source = ServerSource(sync, local_urls=local_urls, trust_env=trust_env)
    async with Refresher(db_path, settings, sources=[source], filters=filters) as refresher:
        async for _ in refresher.run([], force=True):
            pass
    assert source.report is not None  # a forced refresh always runs its account sources
    return source.report


def sync_command(
    config: Config, db_path: Path, *, as_json: bool, out: TextIO | None = None
) -> int:
    report = asyncio.run(run_sync(config, db_path))
    stream = out or sys.stdout
    if as_json:
        json.dump({"format": JSON_FORMAT_VERSION, **report.as_dict()}, stream, indent=2)
        stream.write("\n")
        if report.error is not None:
            print(f"newstui: sync: {report.error}", file=sys.stderr)
    else:
        print_outcome(report, stream)
    return 0 if report.error is None else 1


def print_outcome(report: SyncReport, out: TextIO | None = None) -> None:
    """The summary line on stdout, or the error's one line on stderr."""
    if report.error is None:
        print(summary(report), file=out or sys.stdout)
    else:
        print(f"newstui: sync: {report.error}", file=sys.stderr)


def summary(report: SyncReport) -> str:
    """`Synced with miniflux 2.2.6 in 0.4 s: pushed 3 marks, pulled 12 entries (5 new), ...`"""
    parts = [
        f"pushed {_count(report.pushed, 'mark')}",
        f"pulled {_count(report.pulled, 'entry', 'entries')} ({report.new} new)",
        f"{report.marks_applied} marks from the server",
        f"{_count(report.feeds, 'server feed')}"
        + (f" ({report.feeds_added} new)" if report.feeds_added else ""),
    ]
    if report.conflicts_kept:
        parts.append(f"{report.conflicts_kept} newer here kept")
    if report.dropped:
        parts.append(f"{report.dropped} marks for entries the server no longer has dropped")
    if report.feeds_removed:
        parts.append(f"{report.feeds_removed} feeds no longer on the server")
    parts.append(f"{report.pending} waiting")
    return f"Synced with {report.server} in {report.seconds:.1f} s: " + ", ".join(parts) + "."


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


async def add_on_server(
    config: Config, db_path: Path, urls: Sequence[str], tags: Sequence[str], term: Terminal
) -> int:
    """`newstui add` with `[sync]`: subscribe on the server (the first tag as its category),
    then sync, so the feed and its entries are here at once. feeds.toml is not changed."""
    assert config.sync is not None
    try:
        credentials = await asyncio.to_thread(read_credentials, config.sync)
        client, backend = make_backend(config.sync, credentials)
        try:
            await backend.check()
            feeds = [await backend.subscribe(url, tags[0] if tags else None) for url in urls]
        finally:
            await client.aclose()
    except SyncError as error:
        return term.fail(f"sync server: {error.message}")
    report = await run_sync(config, db_path)
    with Store(db_path) as store:
        counts = {feed.url: feed.total for feed in store.feeds()}
    for feed in feeds:
        entries = counts.get(feed.url, 0)
        term.say(
            f"Subscribed on the sync server ({config.sync.url}): {feed.title} ({feed.url}):"
            f" {entries} {'entry' if entries == 1 else 'entries'}."
        )
    if report.error is not None:
        return term.fail(f"sync: {report.error}")
    return 0
