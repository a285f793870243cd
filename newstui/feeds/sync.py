"""Syncing with a feed server: pull what changed there, push what changed here. No Textual.

Offline-first, the way a good mobile client syncs: the store stays the source of truth for the
screen and the network is never waited on by a key. One `Syncer.run()`:
1. checks the server and the login (`backend.check`: its version decides which calls to use);
2. pulls the subscriptions: the server's feeds become server feeds (categories become tags),
   except feeds.toml's feeds marked `sync = false`, which stay local;
3. pulls the entries changed since the cursor (all of them the first time), page by page, each
   page stored in one transaction, so memory stays flat and a sync cut short keeps what it got;
   a pulled state replaces the local one unless a pending local change is newer;
4. pushes the pending marks (store/_sync.py) in batches, clearing each batch once the server
   has acknowledged it, so a sync cut short pushes the rest next time;
5. moves the cursor and records when it synced, or the error that stopped it.

Credentials (an API key or a password) are read when a sync starts, from `token`,
`token_command` or `password_command`, and go only into request headers: no message, log line,
`repr` or traceback of newstui's names them.
"""

from __future__ import annotations

import asyncio
import shlex
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

from newstui.core.errors import SyncError
from newstui.core.remote import Origin, PendingMark, RemoteEntry, RemoteFeed
from newstui.core.timefmt import utc_now

if TYPE_CHECKING:
    from newstui.core.config import SyncSettings
    from newstui.feeds.sources.miniflux import PushResult
    from newstui.store import Store

T = TypeVar("T")
DbCall = Callable[[Callable[["Store"], T]], Awaitable[T]]
"""Runs `call(store)` on the thread that owns the store: `RefreshContext.db`, the refresh's one
writer thread (`newstui.feeds.sources.server` runs every sync as a source of a refresh)."""

CURSOR_OVERLAP = timedelta(seconds=2)
"""Servers compare `changed_after` in whole seconds: ask a little further back than the last
change seen, so nothing changed in that same second is missed (a state pulled twice is
harmless)."""
PUSH_CHUNK = 500
COMMAND_TIMEOUT = 30.0


class Backend(Protocol):
    """One server API: `newstui.feeds.sources.miniflux`, `newstui.feeds.sources.greader`."""

    name: str

    async def check(self) -> str: ...

    async def subscriptions(self) -> list[RemoteFeed]: ...

    def entries(
        self, since: datetime | None, known: frozenset[str] = frozenset()
    ) -> AsyncIterator[list[RemoteEntry]]:
        """Pages of entries: all of them when `since` is None, else those changed since.
        `known`: the remote ids the store has (a backend that lists ids skips those)."""
        ...

    async def push(self, marks: Sequence[PendingMark]) -> PushResult: ...

    async def subscribe(self, url: str, category: str | None = None) -> RemoteFeed: ...

    async def unsubscribe(self, remote_id: str) -> None:
        """Unsubscribe from the server's feed `remote_id` (already gone: done too)."""
        ...


@dataclass(slots=True)
class SyncReport:
    """What one sync did, for `newstui sync` and the reader's status line."""

    server: str = ""
    """`miniflux 2.2.6`."""
    pushed: int = 0
    dropped: int = 0
    """Marks of entries the server no longer has: nothing to push them to."""
    pulled: int = 0
    """Entries received from the server."""
    new: int = 0
    marks_applied: int = 0
    """Read/starred states taken from the server."""
    conflicts_kept: int = 0
    """Local changes newer than the server's, which won."""
    feeds: int = 0
    feeds_added: int = 0
    feeds_removed: int = 0
    pending: int = 0
    """Marks still waiting for the server after this sync."""
    error: str | None = None
    error_kind: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    seconds: float = 0.0
    by_feed: dict[str, tuple[int, int]] = field(default_factory=dict)
    """(new, updated) entries per server feed URL, for the refresh's per-feed lines."""
    feed_urls: list[str] = field(default_factory=list)
    """The server's feeds (those kept local excepted), as this sync found them."""

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            value = data[key]
            data[key] = value.isoformat(timespec="seconds") if value else None
        data.pop("by_feed")
        data.pop("feed_urls")
        return data


@dataclass(frozen=True, slots=True)
class Credentials:
    """Secrets kept out of every repr."""

    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def read_credentials(settings: SyncSettings) -> Credentials:
    """The API key or password, from the file or its command (run without a shell, its stdout
    stripped). Raises SyncError("credentials") with a message that holds no secret."""
    if settings.token:
        return Credentials(token=settings.token)
    if settings.token_command:
        return Credentials(token=_run_secret(settings.token_command, "token_command"))
    if settings.username and settings.password_command:
        password = _run_secret(settings.password_command, "password_command")
        return Credentials(username=settings.username, password=password)
    raise SyncError("credentials", "[sync] has no credentials")


def _run_secret(command: str, key: str) -> str:
    try:
        run = subprocess.run(
            shlex.split(command), capture_output=True, timeout=COMMAND_TIMEOUT, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, ValueError) as error:
        problem = getattr(error, "strerror", None) or "cannot run it"
        raise SyncError("credentials", f"[sync] {key}: {problem}") from None
    except subprocess.TimeoutExpired:
        problem = f"no answer in {COMMAND_TIMEOUT:g} s"
        raise SyncError("credentials", f"[sync] {key}: {problem}") from None
    if run.returncode != 0:
        # Its stderr is not shown: a password manager may echo what it was asked for.
        raise SyncError("credentials", f"[sync] {key}: exited with status {run.returncode}")
    secret = run.stdout.decode("utf-8", "replace").strip().splitlines()
    if not secret or not secret[0].strip():
        raise SyncError("credentials", f"[sync] {key}: printed nothing")
    return secret[0].strip()  # `pass` prints the secret on its first line


def server_key(settings: SyncSettings) -> str:
    """Which server (and account) the stored remote ids belong to."""
    return f"{settings.server} {settings.url.rstrip('/')} {settings.username or ''}".strip()


class Syncer:
    """One sync of one store with one server; `run()` may be called again for the next one."""

    def __init__(
        self,
        db: DbCall,
        backend: Backend,
        *,
        key: str,
        local_urls: Sequence[str] = (),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._db = db
        self._backend = backend
        self._key = key
        self._local_urls = list(local_urls)
        self._clock = clock

    async def run(self) -> SyncReport:
        report = SyncReport(started_at=self._clock())
        start = asyncio.get_running_loop().time()
        try:
            await self._sync(report)
        except SyncError as error:
            report.error, report.error_kind = error.message, error.kind
        report.finished_at = self._clock()
        report.seconds = asyncio.get_running_loop().time() - start
        report.pending = await self._db(lambda store: store.pending_count())
        await self._db(lambda store: _record(store, report))
        return report

    async def _sync(self, report: SyncReport) -> None:
        version = await self._backend.check()
        report.server = f"{self._backend.name} {version}"
        if await self._db(lambda store: store.sync_value("server")) != self._key:
            # Another server (or the first sync): its ids, and the cursor, start over.
            await self._db(lambda store: store.forget_server())
            await self._db(lambda store: store.set_sync_values({"server": self._key}))
        before = await self._db(lambda store: store.feed_origins())
        feeds = await self._backend.subscriptions()
        now = self._clock()
        gone = await self._db(
            lambda store: store.save_server_feeds(feeds, local_urls=self._local_urls, now=now)
        )
        urls = {feed.remote_id: feed.url for feed in feeds if feed.url not in self._local_urls}
        report.feeds = len(urls)
        report.feed_urls = list(urls.values())
        report.feeds_added = sum(
            1 for url in urls.values() if before.get(url, (Origin.LOCAL,))[0] is not Origin.SERVER
        )
        report.feeds_removed = len(gone)

        cursor_text = await self._db(lambda store: store.sync_value("cursor"))
        cursor = datetime.fromisoformat(cursor_text) if cursor_text else None
        newest = cursor
        known = frozenset(await self._db(lambda store: store.remote_entry_ids()))
        since = cursor - CURSOR_OVERLAP if cursor else None
        async for page in self._backend.entries(since, known):
            report.pulled += len(page)
            by_feed: dict[str, list[RemoteEntry]] = {}
            for entry in page:
                url = urls.get(entry.feed_remote_id)
                if url is not None:  # else a feed kept local on purpose
                    by_feed.setdefault(url, []).append(entry)
                if newest is None or entry.changed_at > newest:
                    newest = entry.changed_at
            now = self._clock()
            for url, entries in by_feed.items():
                result = await self._db(
                    lambda store, u=url, e=entries, n=now: store.save_server_entries(
                        u, e, now=n, seen_until=cursor
                    )
                )
                report.new += result.new
                new, updated = report.by_feed.get(url, (0, 0))
                report.by_feed[url] = (new + result.new, updated + result.updated)
                report.marks_applied += result.marks_applied
                report.conflicts_kept += result.marks_kept
        # Moved only once every page is stored: pages come in id order, not change order, so
        # a sync cut short must ask again for everything since the old cursor.
        if newest is not None:
            await self._db(lambda store, n=newest: _set_cursor(store, n))

        states = getattr(self._backend, "states", None)
        if states is not None and known:
            await self._apply_states(states, report)

        marks = await self._db(lambda store: store.pending_marks())
        for start in range(0, len(marks), PUSH_CHUNK):
            result = await self._backend.push(marks[start : start + PUSH_CHUNK])
            done = [*result.acknowledged, *result.dropped]
            await self._db(lambda store, d=done: store.clear_pending(d))
            report.pushed += len(result.acknowledged)
            report.dropped += len(result.dropped)


    async def _apply_states(
        self, states: Callable[[], Awaitable[tuple[set[str], set[str]]]], report: SyncReport
    ) -> None:
        """For servers that list unread and starred ids instead of changes (Google Reader): a
        difference found is dated at the last sync, so a mark made here since then wins."""
        unread, starred = await states()
        last = await self._db(lambda store: store.sync_value("last_sync_at"))
        dated = datetime.fromisoformat(last) if last else self._clock()
        known = await self._db(lambda store: store.remote_entry_ids())
        changes = [(rid, rid not in unread, rid in starred, dated) for rid in known]
        result = await self._db(lambda store: store.apply_server_state(changes))
        report.marks_applied += result.marks_applied
        report.conflicts_kept += result.marks_kept


def _set_cursor(store: Store, moment: datetime) -> None:
    store.set_sync_values({"cursor": moment.isoformat()})


def _record(store: Store, report: SyncReport) -> None:
    values: dict[str, str | None] = {
        "last_attempt_at": report.finished_at.isoformat() if report.finished_at else None,
        "last_error": report.error,
    }
    if report.error is None and report.finished_at is not None:
        values["last_sync_at"] = report.finished_at.isoformat()
        values["server_version"] = report.server
    store.set_sync_values(values)


def make_backend(
    settings: SyncSettings, credentials: Credentials, *, trust_env: bool = True
) -> tuple[AsyncClosable, Backend]:
    """The API client (close it) and the backend for `settings.server`."""
    from newstui.feeds.fetch.api import make_api_client

    if settings.server == "greader":
        from newstui.feeds.sources.greader import GReaderBackend

        client = make_api_client(settings.url, trust_env=trust_env)
        return client, GReaderBackend(client, credentials)
    from newstui.feeds.sources.miniflux import MinifluxBackend

    if credentials.token:
        client = make_api_client(
            settings.url, headers={"X-Auth-Token": credentials.token}, trust_env=trust_env
        )
    else:
        client = make_api_client(
            settings.url,
            basic_auth=(credentials.username or "", credentials.password or ""),
            trust_env=trust_env,
        )
    return client, MinifluxBackend(client)


class AsyncClosable(Protocol):
    async def aclose(self) -> None: ...


async def sync_once(
    db: DbCall,
    settings: SyncSettings,
    *,
    local_urls: Sequence[str] = (),
    trust_env: bool = True,
    clock: Callable[[], datetime] = utc_now,
) -> SyncReport:
    """One whole sync; every failure is the report's `error`, never an exception (a store
    that cannot be used still raises StoreError)."""
    try:
        credentials = await asyncio.to_thread(read_credentials, settings)
    except SyncError as error:
        report = SyncReport(error=error.message, error_kind=error.kind)
        report.started_at = report.finished_at = clock()
        report.pending = await db(lambda store: store.pending_count())
        await db(lambda store: _record(store, report))
        return report
    client, backend = make_backend(settings, credentials, trust_env=trust_env)
    try:
        return await Syncer(
            db, backend, key=server_key(settings), local_urls=local_urls, clock=clock
        ).run()
    finally:
        await client.aclose()


async def unsubscribe(
    settings: SyncSettings, remote_id: str, *, trust_env: bool = True
) -> str:
    """Unsubscribe on the server from its feed `remote_id`; returns the server's name
    (`miniflux 2.2.6`). Raises SyncError when it cannot be done: then nothing changed there."""
    credentials = await asyncio.to_thread(read_credentials, settings)
    client, backend = make_backend(settings, credentials, trust_env=trust_env)
    try:
        version = await backend.check()
        await backend.unsubscribe(remote_id)
    finally:
        await client.aclose()
    return f"{backend.name} {version}"
