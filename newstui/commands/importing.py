"""`newstui import FILE...` and `newstui export`: moving in from another reader, and out.

Import recognises each file by its content (OPML, newsboat's `urls`, newsboat's `cache.db`),
adds the feeds to feeds.toml through `newstui.core.config_writer` (only their lines are added;
a feed already there only gains the tags it lacked), then stores the cache's entries with their
read marks and bookmarks. Every broken entry is reported and skipped; `--dry-run` reports the
same and changes nothing; a second import of the same files changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newstui.commands.subscribe import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Terminal
from newstui.core.config import TOP_LEVEL_KEYS, Config
from newstui.core.config_search import Filter
from newstui.core.config_writer import FeedsFile
from newstui.core.errors import ConfigWriteError, StoreError
from newstui.core.models import FeedSpec
from newstui.core.subscriptions import url_key
from newstui.core.timefmt import utc_now
from newstui.feeds.imports import MAX_LIST_BYTES, ImportedFeed, file_kind, read_list
from newstui.feeds.newsboat import cache_entries, cache_feeds, newsboat_files
from newstui.feeds.newsboat_query import translate
from newstui.feeds.opml import ExportFeed, to_opml
from newstui.store import ImportedEntry, Store, read_newsboat_cache


@dataclass
class _Plan:
    feeds: dict[str, ImportedFeed] = field(default_factory=dict)
    entries: dict[str, list[ImportedEntry]] = field(default_factory=dict)
    views: list[tuple[str, str]] = field(default_factory=list)
    """Saved views to add: (name, newstui query)."""
    own: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """The feeds' own titles and site URLs from newsboat's cache."""
    failed_files: int = 0

    def take(self, feed: ImportedFeed) -> None:
        known = self.feeds.get(feed.url)
        if known is None:
            self.feeds[feed.url] = feed
        else:
            tags = tuple(dict.fromkeys(known.tags + feed.tags))
            self.feeds[feed.url] = ImportedFeed(
                feed.url, known.title or feed.title, tags, known.note or feed.note
            )


def import_command(
    config: Config,
    db_path: Path,
    files: Sequence[str],
    *,
    newsboat: bool = False,
    dry_run: bool = False,
    terminal: Terminal | None = None,
) -> int:
    term = terminal or Terminal.default()
    paths = [Path(name).expanduser() for name in files]
    if newsboat:
        found = newsboat_files(os.environ)
        if not found:
            return term.fail(
                "no newsboat files found (looked in ~/.newsboat/ and the XDG config and data "
                "directories)"
            )
        paths += [path for path in found if path not in paths]
    if not paths:
        return term.fail("name the files to import, or use --newsboat", EXIT_USAGE)
    plan = _Plan()
    for path in paths:
        _read(path, plan, term)
    if plan.failed_files == len(paths):
        return EXIT_FAILURE
    feeds_file = FeedsFile.open(config.path)
    added, tagged, known_urls = _apply_feeds(feeds_file, plan, term)
    views = _apply_views(feeds_file, plan, term, dry_run)
    prefix = "Would add" if dry_run else "Added"
    term.say(
        f"{prefix} {_count(added, 'feed')}; {_count(known_urls, 'feed')} already subscribed"
        + (f" ({tagged} gaining tags)" if tagged else "")
        + (f"; {views} saved view{'s' if views != 1 else ''}" if views else "")
        + "."
    )
    if feeds_file.changed and not dry_run:
        copied = feeds_file.starter
        written = feeds_file.save()
        if copied:
            term.say(f"Copied the starter feed list to {written} (your own copy, edited now).")
        else:
            term.say(f"Updated {written}.")
    if not dry_run:
        with Store(db_path) as store:
            store.sync_feeds(feeds_file.feeds, now=utc_now())
    if plan.entries:
        _import_entries(plan, db_path, dry_run, term, config.filters)
    if dry_run:
        term.say("Dry run: nothing changed.")
    return EXIT_OK


def _read(path: Path, plan: _Plan, term: Terminal) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
            kind = file_kind(head)
            data = head if kind == "cache" else head + handle.read(MAX_LIST_BYTES)
    except OSError as error:
        plan.failed_files += 1
        term.fail(f"{path}: cannot read: {error.strerror or error}")
        return
    if kind == "cache":
        try:
            cache = read_newsboat_cache(path)
        except StoreError as error:
            plan.failed_files += 1
            term.fail(str(error))
            return
        entries = cache_entries(cache)
        plan.own.update(cache_feeds(cache))
        for url in entries:
            plan.take(ImportedFeed(url))
        for url, items in entries.items():
            plan.entries.setdefault(url, []).extend(items)
        term.say(
            f"{path}: newsboat cache, {_count(len(entries), 'feed')} with "
            f"{_count(sum(len(v) for v in entries.values()), 'entry', 'entries')}"
            + (f" ({cache.deleted} deleted in newsboat, skipped)" if cache.deleted else "")
        )
        return
    listed = read_list(path, data)
    term.say(f"{path}: {listed.kind}, {_count(len(listed.feeds), 'feed')}")
    for feed in listed.feeds:
        plan.take(feed)
        if feed.note:
            term.say(f"  {feed.url}: {feed.note}")
    for line in listed.problems:
        term.say(f"  problem: {line}")
    for line in listed.skipped:
        term.say(f"  skipped: {line}")
    for where, name, expression in listed.views:
        query = translate(expression)
        if query is None:
            term.say(f"  skipped: {where}: query feed {name!r}: no newstui query says the same")
        elif "views" not in TOP_LEVEL_KEYS:
            term.say(f"  skipped: {where}: query feed {name!r} (no saved views in this newstui)")
        else:
            plan.views.append((name, query))


def _apply_feeds(feeds_file: FeedsFile, plan: _Plan, term: Terminal) -> tuple[int, int, int]:
    """Add the new feeds, give known ones their missing tags; (added, tagged, known). All in
    two edits of the file, however many feeds (an OPML file of 2,000 is one insertion)."""
    index = {url_key(spec.url): spec for spec in feeds_file.feeds}
    before = {spec.url for spec in feeds_file.feeds}
    new_specs: list[FeedSpec] = []
    retag: dict[str, dict[str, object]] = {}
    known_count = 0
    for feed in plan.feeds.values():
        key = url_key(feed.url)
        known = index.get(key)
        if known is None:
            spec = FeedSpec(feed.url, title=feed.title, tags=feed.tags)
            new_specs.append(spec)
            index[key] = spec
            continue
        if known.url not in before:
            term.say(f"  duplicate: {feed.url} is {known.url} (http/https or www), merged")
        else:
            known_count += 1
        if known.url != feed.url and feed.url in plan.entries:
            # The same feed under another spelling (http/https): its entries go to ours.
            plan.entries.setdefault(known.url, []).extend(plan.entries.pop(feed.url))
            if feed.url in plan.own:
                plan.own[known.url] = plan.own.pop(feed.url)
        if known.url in before:
            current = tuple(retag.get(known.url, {}).get("tags", known.tags))  # type: ignore[arg-type]
            tags = tuple(dict.fromkeys(current + feed.tags))
            if tags != known.tags:
                retag[known.url] = {"tags": tags}
    feeds_file.add(*new_specs)
    feeds_file.edit_all(retag)
    return len(new_specs), len(retag), known_count


def _apply_views(feeds_file: FeedsFile, plan: _Plan, term: Terminal, dry_run: bool) -> int:
    """newsboat's query feeds as `[[views]]`; one whose name is taken is left alone."""
    taken = {view.name.casefold() for view in getattr(feeds_file.config, "views", ())}
    added = 0
    for name, query in plan.views:
        if name.casefold() in taken:
            continue
        taken.add(name.casefold())
        try:
            feeds_file.add_view(name, query)
        except ConfigWriteError as error:  # e.g. only exclusions: not a query on its own
            term.say(f"  skipped: query feed {name!r} as {query!r}: {error}")
            continue
        term.say(f"  {'would add' if dry_run else 'added'} saved view {name!r}: {query}")
        added += 1
    return added


def _import_entries(
    plan: _Plan, db_path: Path, dry_run: bool, term: Terminal, filters: Sequence[Filter]
) -> None:
    now = utc_now()
    added = marked = unchanged = read = bookmarked = 0
    with Store(db_path) as store:
        store.filters = tuple(filters)  # a killfile applies to imported entries too
        for url, items in plan.entries.items():
            title, site = plan.own.get(url, ("", None))
            counts = store.import_entries(
                url, items, now=now, dry_run=dry_run, title=title, site_url=site
            )
            added, marked = added + counts.added, marked + counts.marked
            unchanged += counts.unchanged
            read += sum(item.read for item in items)
            bookmarked += sum(item.bookmarked for item in items)
    verb = "Would store" if dry_run else "Stored"
    term.say(
        f"{verb} {_count(added, 'new entry', 'new entries')} from newsboat's cache (which has "
        f"{read} read, {bookmarked} flagged); {marked} already stored gained a read mark or "
        f"bookmark, {unchanged} unchanged."
    )


def export_command(config: Config, db_path: Path, *, terminal: Terminal | None = None) -> int:
    """`newstui export`: OPML 2.0 on stdout, tags as folders."""
    term = terminal or Terminal.default()
    with Store(db_path) as store:
        store.sync_feeds(config.feeds, now=utc_now())
        known = {feed.url: feed for feed in store.feeds()}
    feeds = []
    for spec in config.feeds:
        stored = known.get(spec.url)
        title = spec.title or (stored.title if stored else None) or spec.url
        site = stored.site_url if stored else None
        feeds.append(ExportFeed(spec.url, title, spec.tags, site))
    term.out.write(to_opml(feeds, title="newstui feeds", now=utc_now()))
    return EXIT_OK


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"
