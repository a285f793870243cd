"""The Miniflux REST API (`/v1/...`) as a sync backend: subscriptions, changed entries, marks.

Versions differ, and `/v1/version` says which one this is:
- `changed_after` (entries changed since the cursor) exists from 2.0.49; older servers are
  asked for entries *published* after the cursor, so marks made elsewhere on old entries arrive
  only with the next full pull.
- "starred" can be set in a batch (`PUT /v1/entries` with `starred`) from 2.2.16. Before that,
  `PUT /v1/entries/{id}/bookmark` TOGGLES, so the entry's current state is read first and the
  toggle sent only when it differs: a mark pushed twice must not undo itself.
- 2.2.6 answers 500 to `PUT /v1/entries` when no id in the batch exists (deleted on the
  server): the batch is retried one entry at a time, and an entry the server no longer has is
  dropped from the queue instead of blocking it forever.
No httpx here: requests go through `newstui.feeds.fetch.api.api_call`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newstui.core.errors import SyncError
from newstui.core.models import Enclosure
from newstui.core.remote import MarkField, PendingMark, RemoteEntry, RemoteFeed
from newstui.core.text import clean_line
from newstui.feeds.fetch import FetchFailed
from newstui.feeds.fetch.api import ApiAnswer, api_call

if TYPE_CHECKING:
    import httpx

PAGE = 500
"""Entries per page of a pull; also the most ids pushed in one request."""
CHANGED_AFTER = (2, 0, 49)
BATCH_STARRED = (2, 2, 16)


def parse_version(text: str) -> tuple[int, ...]:
    """`"2.2.6"` -> (2, 2, 6); a development build ("dev", "HEAD") counts as the newest."""
    parts = []
    for part in text.strip().lstrip("v").split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) if parts else (999,)


@dataclass(frozen=True, slots=True)
class PushResult:
    acknowledged: list[PendingMark]
    """The server has these: clear them."""
    dropped: list[PendingMark]
    """The server no longer has these entries: clear them too, nothing can be pushed."""


class MinifluxBackend:
    """One Miniflux account, over the API client `make_api_client` built for it."""

    name = "miniflux"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self.version: tuple[int, ...] = ()
        self.version_text = ""

    # -- plumbing ---------------------------------------------------------------------------

    async def _call(self, method: str, path: str, **kwargs: Any) -> ApiAnswer:
        answer = await api_call(self._client, method, path, **kwargs)
        if isinstance(answer, FetchFailed):
            raise SyncError("unreachable", f"cannot reach the sync server: {answer.message}")
        if answer.status in (401, 403):
            raise SyncError("auth", "the sync server rejected the credentials")
        return answer

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self._call(method, path, **kwargs)
        if not 200 <= answer.status < 300:
            raise SyncError("server", f"the sync server answered HTTP {answer.status} to {path}")
        try:
            return json.loads(answer.body) if answer.body.strip() else None
        except ValueError:
            raise SyncError("protocol", f"the sync server sent no JSON for {path}") from None

    # -- the backend protocol (newstui/feeds/sync.py) ----------------------------------------

    async def check(self) -> str:
        """The server's version; raises SyncError when unreachable or the login is refused."""
        me = await self._json("GET", "/v1/me")
        if not isinstance(me, dict):
            raise SyncError("protocol", "not a Miniflux server (GET /v1/me)")
        answer = await self._call("GET", "/v1/version")
        version = "2.0"  # /v1/version came with 2.0.x; older servers are too old to matter
        if answer.status == 200:
            with contextlib.suppress(ValueError, AttributeError):
                version = str(json.loads(answer.body).get("version", version))
        self.version_text = version
        self.version = parse_version(version)
        return version

    async def subscriptions(self) -> list[RemoteFeed]:
        feeds = await self._json("GET", "/v1/feeds")
        out = []
        for feed in feeds or []:
            category = (feed.get("category") or {}).get("title")
            out.append(
                RemoteFeed(
                    remote_id=str(feed["id"]),
                    url=str(feed["feed_url"]),
                    title=clean_line(feed.get("title")) or str(feed["feed_url"]),
                    site_url=feed.get("site_url") or None,
                    # "All" is Miniflux's default category, not one the user made.
                    category=clean_line(category) if category and category != "All" else None,
                )
            )
        return out

    async def entries(
        self, since: datetime | None, known: frozenset[str] = frozenset()
    ) -> AsyncIterator[list[RemoteEntry]]:
        """Pages of entries (oldest id first): all of them when `since` is None, else those
        changed (or, before 2.0.49, published) after it."""
        # Both statuses named: without a status filter Miniflux also lists "removed" entries.
        params: list[tuple[str, str | int]] = [
            ("order", "id"), ("direction", "asc"), ("limit", PAGE),
            ("status", "read"), ("status", "unread"),
        ]  # fmt: skip
        if since is not None:
            key = "changed_after" if self.version >= CHANGED_AFTER else "published_after"
            params.append((key, int(since.timestamp())))
        after = 0
        while True:
            answer = await self._call(
                "GET", "/v1/entries", params=[*params, ("after_entry_id", after)]
            )
            if answer.status != 200:
                raise SyncError("server", f"the sync server answered HTTP {answer.status}")
            # A page is megabytes of JSON: decoded on a thread, so the reader's event loop
            # (keys, drawing) gets the interpreter between the decoder's turns.
            entries, count, last = await asyncio.to_thread(_page, answer.body)
            if not count:
                return
            yield entries
            after = last
            if count < PAGE:
                return

    async def push(self, marks: Sequence[PendingMark]) -> PushResult:
        acknowledged: list[PendingMark] = []
        dropped: list[PendingMark] = []
        ready = [mark for mark in marks if mark.remote_id is not None]
        for field, value in ((MarkField.READ, True), (MarkField.READ, False),
                             (MarkField.BOOKMARKED, True), (MarkField.BOOKMARKED, False)):
            group = [m for m in ready if m.field is field and m.value is value]
            for start in range(0, len(group), PAGE):
                batch = group[start : start + PAGE]
                if field is MarkField.READ:
                    done, gone = await self._set_status(batch, "read" if value else "unread")
                elif self.version >= BATCH_STARRED:
                    done, gone = await self._set_starred_batch(batch, value)
                else:
                    done, gone = await self._set_starred_one_by_one(batch, value)
                acknowledged += done
                dropped += gone
        return PushResult(acknowledged, dropped)

    async def subscribe(self, url: str, category: str | None = None) -> RemoteFeed:
        body: dict[str, object] = {"feed_url": url}
        if category:
            body["category_id"] = await self._category_id(category)
        answer = await self._call("POST", "/v1/feeds", json_body=body)
        if answer.status not in (200, 201):
            raise SyncError("server", f"the sync server refused the feed: {_message(answer)}")
        feed_id = json.loads(answer.body)["feed_id"]
        feed = await self._json("GET", f"/v1/feeds/{int(feed_id)}")
        return RemoteFeed(str(feed["id"]), str(feed["feed_url"]),
                          clean_line(feed.get("title")) or url, feed.get("site_url") or None,
                          category)  # fmt: skip

    async def unsubscribe(self, remote_id: str) -> None:
        answer = await self._call("DELETE", f"/v1/feeds/{int(remote_id)}")
        if not (200 <= answer.status < 300 or answer.status == 404):  # 404: gone already
            raise SyncError("server", f"the sync server refused to unsubscribe: {_message(answer)}")

    # -- marks --------------------------------------------------------------------------------

    async def _set_status(
        self, batch: list[PendingMark], status: str
    ) -> tuple[list[PendingMark], list[PendingMark]]:
        ids = [int(m.remote_id or 0) for m in batch]
        answer = await self._call(
            "PUT", "/v1/entries", json_body={"entry_ids": ids, "status": status}
        )
        if 200 <= answer.status < 300:
            return batch, []
        if answer.status != 500 and answer.status != 400:
            raise SyncError("server", f"the sync server answered HTTP {answer.status} to marks")
        if len(batch) == 1:
            if await self._exists(ids[0]):
                raise SyncError("server", f"the sync server refused a mark (HTTP {answer.status})")
            return [], batch
        # 2.2.6 answers 500 when no id in the batch exists: one at a time tells which.
        done: list[PendingMark] = []
        gone: list[PendingMark] = []
        for mark in batch:
            one_done, one_gone = await self._set_status([mark], status)
            done += one_done
            gone += one_gone
        return done, gone

    async def _set_starred_batch(
        self, batch: list[PendingMark], value: bool
    ) -> tuple[list[PendingMark], list[PendingMark]]:
        ids = [int(m.remote_id or 0) for m in batch]
        answer = await self._call(
            "PUT", "/v1/entries", json_body={"entry_ids": ids, "starred": value}
        )
        if 200 <= answer.status < 300:
            return batch, []
        return await self._set_starred_one_by_one(batch, value)

    async def _set_starred_one_by_one(
        self, batch: list[PendingMark], value: bool
    ) -> tuple[list[PendingMark], list[PendingMark]]:
        done: list[PendingMark] = []
        gone: list[PendingMark] = []
        for mark in batch:
            entry_id = int(mark.remote_id or 0)
            answer = await self._call("GET", f"/v1/entries/{entry_id}")
            if answer.status == 404:
                gone.append(mark)
                continue
            if answer.status != 200:
                raise SyncError("server", f"the sync server answered HTTP {answer.status}")
            if bool(json.loads(answer.body).get("starred")) != value:
                # Toggles: sent only when the state differs, so a retry cannot undo it.
                toggled = await self._call("PUT", f"/v1/entries/{entry_id}/bookmark")
                if not 200 <= toggled.status < 300:
                    raise SyncError("server", f"the sync server answered HTTP {toggled.status}")
            done.append(mark)
        return done, gone

    async def _exists(self, entry_id: int) -> bool:
        answer = await self._call("GET", f"/v1/entries/{entry_id}")
        return answer.status == 200

    async def _category_id(self, title: str) -> int:
        for category in await self._json("GET", "/v1/categories") or []:
            if category.get("title") == title:
                return int(category["id"])
        created = await self._json("POST", "/v1/categories", json_body={"title": title})
        return int(created["id"])


def _page(body: bytes) -> tuple[list[RemoteEntry], int, int]:
    """A page of `/v1/entries`: its entries, how many there were, the highest id."""
    try:
        page = json.loads(body)
    except ValueError:
        raise SyncError("protocol", "the sync server sent no JSON for /v1/entries") from None
    items = (page.get("entries") or []) if isinstance(page, dict) else []
    if not items:
        return [], 0, 0
    return [_entry(item) for item in items], len(items), max(int(i["id"]) for i in items)


def _message(answer: ApiAnswer) -> str:
    try:
        text = json.loads(answer.body).get("error_message")
    except (ValueError, AttributeError):
        text = None
    return clean_line(text, limit=200) or f"HTTP {answer.status}"


def _entry(item: dict[str, Any]) -> RemoteEntry:
    enclosures = tuple(
        Enclosure(str(e["url"]), e.get("mime_type") or None, e.get("size") or None)
        for e in (item.get("enclosures") or [])[:20]
        if e.get("url")
    )
    return RemoteEntry(
        remote_id=str(item["id"]),
        feed_remote_id=str(item["feed_id"]),
        title=clean_line(item.get("title")) or "(untitled)",
        guid_hash=item.get("hash") or None,
        link=item.get("url") or None,
        author=clean_line(item.get("author")) or None,
        content_html=item.get("content") or None,
        published_at=_time(item.get("published_at")),
        changed_at=_time(item.get("changed_at")) or _time(item.get("created_at")) or _EPOCH,
        read=item.get("status") == "read",
        starred=bool(item.get("starred")),
        enclosures=enclosures,
    )


_EPOCH = datetime.fromtimestamp(0).astimezone()


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment.year < 1971:
        return None
    return moment
