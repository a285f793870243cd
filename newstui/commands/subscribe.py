"""`newstui add URL` and `newstui remove FEED`: subscribing without opening an editor.

Both edit feeds.toml through `newstui.core.config_writer` (only the feed's lines change) and
then bring the store in line: an added feed is fetched at once and its entry count reported; a
removed one is hidden by the store, its read state kept for the day it is added again.
Questions are asked only on a terminal; scripts answer with `--pick N`, `--all` or `--yes`.
Every failure is one line on stderr: exit 1, or 2 for a usage mistake.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from newstui.core.config import Config
from newstui.core.config_writer import FeedsFile
from newstui.core.errors import SyncError
from newstui.core.models import FeedSpec, FeedUpdate, UpdateStatus
from newstui.core.remote import Origin
from newstui.core.subscriptions import already_subscribed, match_feeds, web_address
from newstui.core.text import clean_line
from newstui.core.timefmt import utc_now
from newstui.feeds.discover import Candidate, discover
from newstui.feeds.fetch import make_client
from newstui.feeds.refresh import Refresher
from newstui.feeds.sync import unsubscribe
from newstui.store import Store

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


@dataclass
class Terminal:
    """Where a command talks: streams, and whether a person can answer questions."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    ask: Callable[[str], str] | None = None
    """Asks a question and returns the answer; None when nobody can answer (not a terminal)."""

    @classmethod
    def default(cls) -> Terminal:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        return cls(ask=_ask if interactive else None)

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def fail(self, line: str, code: int = EXIT_FAILURE) -> int:
        print(f"newstui: {line}", file=self.err, flush=True)
        return code


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        return ""


async def add_command(
    config: Config,
    db_path: Path,
    address: str,
    *,
    title: str | None = None,
    tags: Sequence[str] = (),
    full_text: bool = False,
    pick: int | None = None,
    take_all: bool = False,
    terminal: Terminal | None = None,
    local: bool = False,
) -> int:
    """Subscribe to the feed at (or behind) `address`: on the sync server when feeds.toml has
    a `[sync]` table (unless `local`), else in feeds.toml."""
    term = terminal or Terminal.default()
    url = web_address(address)
    if url is None:
        return term.fail(f"not a web address: {address!r}", EXIT_USAGE)
    feeds_file = FeedsFile.open(config.path)
    moved = _moved(db_path)
    known = already_subscribed(feeds_file.feeds, [url], moved)
    if known is not None:
        term.say(f"Already subscribed: {_name(known)} ({known.url}); nothing changed.")
        return EXIT_OK
    settings = config.settings
    async with make_client(
        max_redirects=settings.max_redirects, user_agent=settings.user_agent
    ) as client:
        found = await discover(
            client, url, timeout=settings.timeout, max_bytes=settings.max_feed_size
        )
    if found.error is not None:
        return term.fail(found.error)
    chosen = _choose(list(found.feeds), found.how, pick, take_all, term)
    if isinstance(chosen, int):
        return chosen
    if config.sync is not None and not local:
        from newstui.commands.sync import add_on_server

        return await add_on_server(config, db_path, [c.url for c in chosen], tags, term)
    specs: list[FeedSpec] = []
    for candidate in chosen:
        known = already_subscribed(feeds_file.feeds, [candidate.url, candidate.final_url], moved)
        if known is not None:
            term.say(f"Already subscribed: {_name(known)} ({known.url}); nothing changed.")
            continue
        spec = FeedSpec(
            candidate.url,
            title=clean_line(title) or None if len(chosen) == 1 else None,
            tags=tuple(dict.fromkeys(clean_line(t) for t in tags if clean_line(t))),
            full_text=full_text,
        )
        feeds_file.add(spec)
        specs.append(spec)
    if not specs:
        return EXIT_OK
    copied = feeds_file.starter
    written = feeds_file.save()
    if copied:
        term.say(f"Copied the starter feed list to {written} (your own copy, edited from now on).")
    for spec, count, update in await fetch_new(feeds_file, db_path, config, specs):
        name = _name(spec, update.title if update else None)
        line = f"Added {name} ({spec.url}) to {written}: {_entries(count)}"
        if update is not None and update.status is UpdateStatus.ERROR:
            line += f"; the first fetch failed: {update.error}"
        term.say(line + ".")
    return EXIT_OK


async def fetch_new(
    feeds_file: FeedsFile, db_path: Path, config: Config, specs: Sequence[FeedSpec]
) -> list[tuple[FeedSpec, int, FeedUpdate | None]]:
    """Store the new feed list, fetch `specs` now; (spec, entries stored, update) for each."""
    with Store(db_path) as store:
        store.sync_feeds(feeds_file.feeds, now=utc_now())
    updates: dict[str, FeedUpdate] = {}
    # A feed or two: parsed on a thread, not worth starting a pool of processes for.
    settings = dataclasses.replace(config.settings, parse_workers=1)
    async with Refresher(db_path, settings) as refresher:
        async for update in refresher.run(specs, force=True):
            updates[update.url] = update
    with Store(db_path) as store:
        totals = {feed.url: feed.total for feed in store.feeds()}
    return [(spec, totals.get(spec.url, 0), updates.get(spec.url)) for spec in specs]


def _choose(
    candidates: list[Candidate], how: str, pick: int | None, take_all: bool, term: Terminal
) -> list[Candidate] | int:
    """The candidates to subscribe to, or an exit code."""
    if pick is not None and not 1 <= pick <= len(candidates):
        term.say(_listing(candidates, how))
        return term.fail(f"--pick {pick}: there are {len(candidates)} feeds", EXIT_USAGE)
    if pick is not None:
        return [candidates[pick - 1]]
    if take_all or len(candidates) == 1:
        return candidates
    term.say(_listing(candidates, how))
    if term.ask is None:
        return term.fail("several feeds found: choose one with --pick N, or --all")
    answer = term.ask(f"Subscribe to which (1-{len(candidates)}, a for all, Enter for none)? ")
    answer = answer.strip().lower()
    if answer in ("a", "all"):
        return candidates
    if answer.isdigit() and 1 <= int(answer) <= len(candidates):
        return [candidates[int(answer) - 1]]
    term.say("Nothing changed.")
    return EXIT_OK


def _listing(candidates: Sequence[Candidate], how: str) -> str:
    lines = [f"{len(candidates)} feeds {how}:"]
    for number, c in enumerate(candidates, 1):
        lines.append(f"  {number}. {c.title or '(untitled)'}  {c.url}  ({_entries(c.entries)})")
    return "\n".join(lines)


def remove_command(
    config: Config,
    db_path: Path,
    name: str,
    *,
    yes: bool = False,
    local: bool = False,
    terminal: Terminal | None = None,
) -> int:
    """Unsubscribe from the feed `name` means (URL, title or unique prefix). A sync server's
    feed is unsubscribed on the server first (`local`: only feeds.toml's line goes); when the
    server cannot do it, nothing changes anywhere and the one line says why."""
    term = terminal or Terminal.default()
    feeds_file = FeedsFile.open(config.path)
    with Store(db_path) as store:
        titles = {feed.url: feed.title for feed in store.feeds(include_hidden=True)}
        server = server_feeds(store) if config.sync else {}
    listed = {spec.url for spec in feeds_file.feeds}
    candidates = [*feeds_file.feeds, *(FeedSpec(url) for url in server if url not in listed)]
    matches = match_feeds(candidates, name, titles)
    if not matches:
        return term.fail(f"no feed matches {name!r}")
    if len(matches) > 1:
        listed = "; ".join(f"{_name(s, titles.get(s.url))} ({s.url})" for s in matches[:5])
        more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
        return term.fail(f"{name!r} matches {len(matches)} feeds: {listed}{more}; say which")
    spec = matches[0]
    label = f"{_name(spec, titles.get(spec.url))} ({spec.url})"
    on_server = spec.url in server and not local
    if local and spec.url not in listed:
        return term.fail(
            f"not removed: {label} is not in feeds.toml, it comes from the sync server (it would"
            " come back with the next sync); without --local it is unsubscribed there",
            EXIT_USAGE,
        )
    where = " (and unsubscribe on the sync server)" if on_server else ""
    if not yes:
        if term.ask is None:
            return term.fail(f"not removed: {label}; confirm with --yes")
        if term.ask(f"Remove {label}{where}? [y/N] ").strip().lower() not in ("y", "yes"):
            term.say("Nothing changed.")
            return EXIT_OK
    if on_server:
        assert config.sync is not None
        try:
            asyncio.run(unsubscribe(config.sync, server[spec.url]))
        except SyncError as error:
            also = " (--local removes it from feeds.toml only)" if spec.url in listed else ""
            return term.fail(
                f"not removed: {label}: {error.message}; nothing changed, try again when the"
                f" server answers{also}"
            )
    written = None
    if spec.url in listed:
        feeds_file.remove(spec.url)
        copied = feeds_file.starter
        written = feeds_file.save()
        if copied:
            term.say(f"Copied the starter feed list to {written} (your own copy, edited now).")
    with Store(db_path) as store:
        if on_server:
            store.leave_server(spec.url)
        store.sync_feeds(feeds_file.feeds, now=utc_now())
    if on_server:
        assert config.sync is not None
        done = f"Unsubscribed from {label} on the sync server ({config.sync.url})"
        done += f" and removed it from {written}" if written else ""
    else:
        done = f"Removed {label} from {written}"
    term.say(f"{done}. Its entries and read state are kept, and come back if you add it again.")
    return EXIT_OK


def server_feeds(store: Store) -> dict[str, str]:
    """The sync server's feeds: their server ids, by URL."""
    return {
        url: remote_id
        for url, (origin, remote_id) in store.feed_origins().items()
        if origin is Origin.SERVER and remote_id
    }


def _moved(db_path: Path) -> dict[str, str]:
    with Store(db_path) as store:
        return {feed.url: feed.moved_to for feed in store.feeds() if feed.moved_to}


def _name(spec: FeedSpec, fallback: str | None = None) -> str:
    return clean_line(spec.title or fallback or spec.url, limit=200)


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"
