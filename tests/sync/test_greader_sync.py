"""The Google Reader API backend (`server = "greader"`) against Miniflux's own `/reader/api/0`:
first sync, marks both ways (2.2.6's edit-tag toggles: states are read first), subscribing."""

from __future__ import annotations

from pathlib import Path

from newstui.core.config import SyncSettings
from newstui.core.timefmt import utc_now
from newstui.feeds.sync import SyncReport
from newstui.store import Store
from tests.support.miniflux import MinifluxServer, User
from tests.sync.conftest import Site, server_entries, subscribe, sync_store


def greader_sync(db: Path, server: MinifluxServer, login: tuple[str, str]) -> SyncReport:
    script = db.parent / "password"
    script.write_text(login[1])
    settings = SyncSettings("greader", server.url, username=login[0],
                            password_command=f"cat {script}")

    return sync_store(db, settings)


def titles(db: Path) -> dict:
    with Store(db) as store:
        return {e.title: e for e in store.entries()}


def test_greader_first_sync_and_marks_both_ways(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    login = mf_server.enable_greader(mf_user)
    url = site.feed([(f"g{i}", f"Item {i}") for i in range(4)], title="Via Google Reader")
    subscribe(mf_server, mf_user, url, category="Reading")
    db = tmp_path / "newstui.db"

    first = greader_sync(db, mf_server, login)

    assert first.error is None, first.error
    assert (first.pulled, first.new, first.feeds) == (4, 4, 1)
    with Store(db) as store:
        feed = next(f for f in store.feeds() if f.url == url)
        assert (feed.title, feed.tags) == ("Via Google Reader", ("Reading",))
    here = titles(db)
    # Item 1 is already read on the server and is marked read here too: a blind edit-tag
    # would toggle it back to unread on 2.2.6.
    there = server_entries(mf_server, mf_user)
    mf_server.api("PUT", "/v1/entries", {"entry_ids": [there["Item 1"]["id"]],
                                         "status": "read"}, user=mf_user)
    with Store(db) as store:
        store.set_read([here["Item 0"].id, here["Item 1"].id], True, now=utc_now())
        store.set_bookmarked([here["Item 2"].id], True, now=utc_now())

    pushed = greader_sync(db, mf_server, login)

    assert pushed.error is None and pushed.pending == 0
    there = server_entries(mf_server, mf_user)
    assert [there[f"Item {i}"]["status"] for i in range(4)] == ["read", "read", "unread", "unread"]
    assert there["Item 2"]["starred"] and not there["Item 3"]["starred"]

    # Changes made on the server arrive through the unread and starred id lists.
    mf_server.api("PUT", "/v1/entries", {"entry_ids": [there["Item 3"]["id"]],
                                         "status": "read"}, user=mf_user)
    mf_server.api("PUT", f"/v1/entries/{there['Item 2']['id']}/bookmark", user=mf_user)
    pulled = greader_sync(db, mf_server, login)
    assert pulled.error is None
    here = titles(db)
    assert here["Item 3"].read and not here["Item 2"].bookmarked


def test_greader_wrong_password(
    mf_server: MinifluxServer, mf_user: User, tmp_path: Path
) -> None:
    login, _ = mf_server.enable_greader(mf_user)
    report = greader_sync(tmp_path / "newstui.db", mf_server, (login, "not-it"))
    assert report.error_kind == "auth"
    assert report.error == "the sync server rejected the credentials"


def test_greader_unsubscribe(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    """`newstui remove` of a server feed through the Google Reader API."""
    import asyncio

    from newstui.feeds.sync import unsubscribe

    login = mf_server.enable_greader(mf_user)
    url = site.feed([("g", "Item")])
    subscribe(mf_server, mf_user, url)
    db = tmp_path / "newstui.db"
    assert greader_sync(db, mf_server, login).error is None
    with Store(db) as store:
        remote_id = store.feed_origins()[url][1]
    assert remote_id is not None
    script = tmp_path / "password"
    settings = SyncSettings("greader", mf_server.url, username=login[0],
                            password_command=f"cat {script}")
    asyncio.run(unsubscribe(settings, remote_id, trust_env=False))
    assert mf_server.api("GET", "/v1/feeds", user=mf_user) == []
