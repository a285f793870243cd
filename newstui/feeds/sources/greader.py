"""The Google Reader API (`/reader/api/0/...`) as a sync backend: FreshRSS, Miniflux, Inoreader
and others speak it. Tested against Miniflux's own implementation (tests/sync/).

The API has no "changed since": a sync lists the ids of every item and asks for the contents of
those the store lacks, then for the ids of every unread and every starred item, which the engine
compares with the store (`states`). A state change found that way carries no time of its own, so
it is dated at the previous sync: a mark made here since then wins over it, an older one loses.

Miniflux 2.2.6's `edit-tag` toggles what it is asked to set (adding "read" to an item already
read makes it unread; the same for "starred"), so items' current states are read first and only
those that differ are sent. Logging in is ClientLogin (`username` + `password_command`); the
token goes in the `Authorization: GoogleLogin auth=...` header of reads and the `T` field of
writes. No httpx here: requests go through `newstui.feeds.fetch.api.api_call`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newstui.core.errors import SyncError
from newstui.core.models import Enclosure
from newstui.core.remote import MarkField, PendingMark, RemoteEntry, RemoteFeed
from newstui.core.text import clean_line
from newstui.feeds.fetch import FetchFailed
from newstui.feeds.fetch.api import ApiAnswer, api_call
from newstui.feeds.sources.miniflux import PushResult

if TYPE_CHECKING:
    import httpx

    from newstui.feeds.sync import Credentials

API = "/reader/api/0"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
IDS_PAGE = 10_000
CONTENTS_PAGE = 250
"""Items whose contents one request asks for (FreshRSS and Miniflux accept a few hundred)."""
_LONG_PREFIX = "tag:google.com,2005:reader/item/"


def item_number(item_id: str) -> str:
    """Both spellings of an item id, as the decimal string the store keeps: `"500"` and
    `"tag:google.com,2005:reader/item/00000000000001f4"` are the same item."""
    if item_id.startswith(_LONG_PREFIX):
        return str(int(item_id[len(_LONG_PREFIX) :], 16))
    return str(int(item_id))


class GReaderBackend:
    name = "greader"

    def __init__(self, client: httpx.AsyncClient, credentials: Credentials) -> None:
        self._client = client
        self._credentials = credentials
        self._auth: str | None = None

    async def _call(self, method: str, path: str, **kwargs: Any) -> ApiAnswer:
        headers = {"Authorization": f"GoogleLogin auth={self._auth}"} if self._auth else {}
        answer = await api_call(self._client, method, path, headers=headers, **kwargs)
        if isinstance(answer, FetchFailed):
            raise SyncError("unreachable", f"cannot reach the sync server: {answer.message}")
        if answer.status in (401, 403):
            raise SyncError("auth", "the sync server rejected the credentials")
        if not 200 <= answer.status < 300:
            raise SyncError("server", f"the sync server answered HTTP {answer.status} to {path}")
        return answer

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self._call(method, path, **kwargs)
        try:
            return json.loads(answer.body)
        except ValueError:
            raise SyncError("protocol", f"the sync server sent no JSON for {path}") from None

    async def _post(self, path: str, form: list[tuple[str, str]]) -> ApiAnswer:
        return await self._call("POST", path, form=[*form, ("T", self._auth or "")])

    # -- the backend protocol (newstui/feeds/sync.py) ----------------------------------------

    async def check(self) -> str:
        if self._credentials.token:
            self._auth = self._credentials.token  # an auth token the user got elsewhere
        else:
            answer = await self._call(
                "POST", "/accounts/ClientLogin",
                form={"Email": self._credentials.username or "",
                      "Passwd": self._credentials.password or "", "output": "json"},
            )  # fmt: skip
            self._auth = _login_token(answer.body)
        info = await self._json("GET", f"{API}/user-info", params={"output": "json"})
        if not isinstance(info, dict):
            raise SyncError("protocol", "not a Google Reader API server (user-info)")
        return "api"

    async def subscriptions(self) -> list[RemoteFeed]:
        data = await self._json("GET", f"{API}/subscription/list", params={"output": "json"})
        out = []
        for sub in data.get("subscriptions") or []:
            labels = [c.get("label") for c in sub.get("categories") or [] if c.get("label")]
            url = sub.get("url") or str(sub["id"]).removeprefix("feed/")
            out.append(
                RemoteFeed(
                    remote_id=str(sub["id"]),
                    url=str(url),
                    title=clean_line(sub.get("title")) or str(url),
                    site_url=sub.get("htmlUrl") or None,
                    category=clean_line(labels[0]) if labels and labels[0] != "All" else None,
                )
            )
        return out

    async def entries(
        self, since: datetime | None, known: frozenset[str] = frozenset()
    ) -> AsyncIterator[list[RemoteEntry]]:
        """The contents of every item the store does not have yet. All ids are listed, not
        only those after `since`: `ot` compares publication dates, and a new item may carry
        an old one."""
        ids = [i for i in await self._ids([("s", READING_LIST)]) if i not in known]
        for start in range(0, len(ids), CONTENTS_PAGE):
            yield await self._contents(ids[start : start + CONTENTS_PAGE])

    async def states(self) -> tuple[set[str], set[str]]:
        """The ids of every unread item and of every starred item."""
        unread = await self._ids([("s", READING_LIST), ("xt", READ)])
        starred = await self._ids([("s", STARRED)])
        return set(unread), set(starred)

    async def push(self, marks: Sequence[PendingMark]) -> PushResult:
        ready = [m for m in marks if m.remote_id is not None]
        acknowledged: list[PendingMark] = []
        dropped: list[PendingMark] = []
        for start in range(0, len(ready), CONTENTS_PAGE):
            chunk = ready[start : start + CONTENTS_PAGE]
            current = {e.remote_id: e for e in await self._contents(
                list(dict.fromkeys(m.remote_id or "" for m in chunk)))}  # fmt: skip
            todo: dict[tuple[str, str], list[str]] = {}
            for mark in chunk:
                entry = current.get(mark.remote_id or "")
                if entry is None:
                    dropped.append(mark)  # gone from the server: nothing to push it to
                    continue
                state = entry.read if mark.field is MarkField.READ else entry.starred
                if state != mark.value:
                    tag = READ if mark.field is MarkField.READ else STARRED
                    todo.setdefault(("a" if mark.value else "r", tag), []).append(
                        mark.remote_id or ""
                    )
                acknowledged.append(mark)
            for (action, tag), ids in todo.items():
                await self._post(f"{API}/edit-tag", [*(("i", i) for i in ids), (action, tag)])
        return PushResult(acknowledged, dropped)

    async def subscribe(self, url: str, category: str | None = None) -> RemoteFeed:
        answer = await self._post(f"{API}/subscription/quickadd", [("quickadd", url)])
        data = json.loads(answer.body)
        stream = str(data.get("streamId") or "")
        if not stream:
            raise SyncError("server", "the sync server refused the feed")
        if category:
            await self._post(
                f"{API}/subscription/edit",
                [("ac", "edit"), ("s", stream), ("a", f"user/-/label/{category}")],
            )
        return RemoteFeed(stream, url, clean_line(data.get("streamName")) or url, None, category)

    async def unsubscribe(self, remote_id: str) -> None:
        answer = await self._post(
            f"{API}/subscription/edit", [("ac", "unsubscribe"), ("s", remote_id)]
        )
        if not 200 <= answer.status < 300:
            status = answer.status
            raise SyncError("server", f"the sync server answered HTTP {status} to unsubscribe")

    # -- plumbing -----------------------------------------------------------------------------

    async def _ids(self, params: list[tuple[str, str | int]]) -> list[str]:
        out: list[str] = []
        continuation: str | None = None
        while True:
            query = [*params, ("n", IDS_PAGE), ("output", "json")]
            if continuation:
                query.append(("c", continuation))
            data = await self._json("GET", f"{API}/stream/items/ids", params=query)
            refs = data.get("itemRefs") or []
            out += [item_number(str(ref["id"])) for ref in refs]
            continuation = str(data.get("continuation") or "") or None
            if not refs or not continuation:
                return out

    async def _contents(self, ids: list[str]) -> list[RemoteEntry]:
        if not ids:
            return []
        data = await self._json(
            "POST", f"{API}/stream/items/contents", params={"output": "json"},
            form=[*(("i", i) for i in ids), ("T", self._auth or "")],
        )  # fmt: skip
        return [_entry(item) for item in data.get("items") or []]


def _login_token(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("Auth"):
            return str(data["Auth"])
    except ValueError:
        pass
    for line in text.splitlines():  # the classic answer: SID=...\nLSID=...\nAuth=...
        if line.startswith("Auth="):
            return line[5:].strip()
    raise SyncError("protocol", "the sync server sent no login token")


def _entry(item: dict[str, Any]) -> RemoteEntry:
    categories = [str(c) for c in item.get("categories") or []]
    link = next((h.get("href") for h in item.get("canonical") or [] if h.get("href")), None)
    link = link or next((h.get("href") for h in item.get("alternate") or [] if h.get("href")),
                        None)  # fmt: skip
    content = (item.get("content") or {}).get("content") or (item.get("summary") or {}).get(
        "content"
    )
    updated = item.get("updated") or 0
    published = item.get("published") or 0
    return RemoteEntry(
        remote_id=item_number(str(item["id"])),
        feed_remote_id=str((item.get("origin") or {}).get("streamId") or ""),
        title=clean_line(item.get("title")) or "(untitled)",
        guid_hash=None,  # the API does not expose the feed's GUID: entries match by link
        link=link or None,
        author=clean_line(item.get("author")) or None,
        content_html=content or None,
        published_at=datetime.fromtimestamp(int(published), UTC) if published else None,
        changed_at=datetime.fromtimestamp(int(updated or published), UTC),
        read=any(c.endswith("/state/com.google/read") for c in categories),
        starred=any(c.endswith("/state/com.google/starred") for c in categories),
        enclosures=tuple(
            Enclosure(str(e["url"]), e.get("type") or None)
            for e in (item.get("enclosure") or [])[:20]
            if e.get("url")
        ),
    )
