"""Sync with a real Miniflux 2.2.6 (tests/support/miniflux.py): what a user of two machines
notices. Each test has a Miniflux user of its own and a fresh newstui database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

from newstui.core.models import FeedSpec
from newstui.core.remote import Origin
from newstui.core.timefmt import utc_now
from newstui.store import Store
from tests.support.miniflux import MinifluxServer, User
from tests.sync.conftest import Site, run_sync, server_entries, subscribe


def entries_by_title(db: Path) -> dict:
    with Store(db) as store:
        return {entry.title: entry for entry in store.entries()}


def test_first_sync_of_an_empty_store(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    news = site.feed([(f"n{i}", f"News {i}") for i in range(5)], title="News site")
    tech = site.feed([(f"t{i}", f"Tech {i}") for i in range(3)], title="Tech site")
    subscribe(mf_server, mf_user, news)
    subscribe(mf_server, mf_user, tech, category="Tech")
    db = tmp_path / "newstui.db"

    report = run_sync(db, mf_server, mf_user)

    assert report.error is None, report.error
    assert report.server == "miniflux 2.2.6"
    assert (report.pulled, report.new, report.feeds, report.feeds_added) == (8, 8, 2, 2)
    with Store(db) as store:
        feeds = {feed.url: feed for feed in store.feeds()}
        origins = store.feed_origins()
        assert set(feeds) == {news, tech}
        assert feeds[tech].tags == ("Tech",) and feeds[news].tags == ()
        assert feeds[news].title == "News site" and feeds[news].unread == 5
        assert {origins[url][0] for url in feeds} == {Origin.SERVER}
        assert store.sync_value("last_sync_at") is not None
    # A second sync asks only for what changed: nothing new, nothing pushed.
    again = run_sync(db, mf_server, mf_user)
    assert (again.error, again.new, again.pushed) == (None, 0, 0)


def test_marks_made_here_reach_the_server(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([(f"g{i}", f"Item {i}") for i in range(4)]))
    db = tmp_path / "newstui.db"
    run_sync(db, mf_server, mf_user)
    here = entries_by_title(db)
    # Starred on the server already, and starred here too: 2.2.6's bookmark call toggles, so a
    # blind push would un-star it.
    starred_there = server_entries(mf_server, mf_user)["Item 3"]["id"]
    mf_server.api("PUT", f"/v1/entries/{starred_there}/bookmark", user=mf_user)
    with Store(db) as store:
        store.set_read([here["Item 0"].id, here["Item 1"].id], True, now=utc_now())
        store.set_bookmarked([here["Item 2"].id, here["Item 3"].id], True, now=utc_now())
        assert store.pending_count() == 4

    report = run_sync(db, mf_server, mf_user)

    assert report.error is None and report.pending == 0
    there = server_entries(mf_server, mf_user)
    assert [there[f"Item {i}"]["status"] for i in range(4)] == ["read", "read", "unread", "unread"]
    assert [there[f"Item {i}"]["starred"] for i in range(4)] == [False, False, True, True]
    # Unread and un-bookmarked go back too.
    with Store(db) as store:
        store.set_read([here["Item 0"].id], False, now=utc_now())
        store.set_bookmarked([here["Item 2"].id], False, now=utc_now())
    run_sync(db, mf_server, mf_user)
    there = server_entries(mf_server, mf_user)
    assert there["Item 0"]["status"] == "unread" and not there["Item 2"]["starred"]


def test_marks_made_on_the_server_arrive(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([(f"g{i}", f"Item {i}") for i in range(3)]))
    db = tmp_path / "newstui.db"
    run_sync(db, mf_server, mf_user)
    there = server_entries(mf_server, mf_user)
    ids = [there[f"Item {i}"]["id"] for i in range(3)]
    mf_server.api("PUT", "/v1/entries", {"entry_ids": ids[:2], "status": "read"}, user=mf_user)
    mf_server.api("PUT", f"/v1/entries/{ids[2]}/bookmark", user=mf_user)

    report = run_sync(db, mf_server, mf_user)

    assert report.error is None
    assert report.marks_applied == 3
    # Only what changed was asked for (changed_after), not every entry again.
    assert report.pulled == 3
    here = entries_by_title(db)
    assert here["Item 0"].read and here["Item 1"].read and not here["Item 2"].read
    assert here["Item 2"].bookmarked


def test_marks_made_offline_are_pushed_when_the_server_returns(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([("a", "Alpha"), ("b", "Beta")]))
    db = tmp_path / "newstui.db"
    run_sync(db, mf_server, mf_user)
    mf_server.stop_miniflux()
    with Store(db) as store:
        store.set_read([entries_by_title(db)["Alpha"].id], True, now=utc_now())
    offline = run_sync(db, mf_server, mf_user)
    assert offline.error_kind == "unreachable"
    assert offline.error.startswith("cannot reach the sync server")
    assert offline.pending == 1
    assert entries_by_title(db)["Alpha"].read  # shown at once, whatever the server does

    mf_server.start_miniflux()
    back = run_sync(db, mf_server, mf_user)
    assert (back.error, back.pushed, back.pending) == (None, 1, 0)
    assert server_entries(mf_server, mf_user)["Alpha"]["status"] == "read"


def test_a_mark_survives_kill_9_before_its_push(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([("a", "Alpha"), ("b", "Beta")]))
    db = tmp_path / "newstui.db"
    run_sync(db, mf_server, mf_user)
    script = textwrap.dedent(f"""
        import os, signal
        from newstui.core.timefmt import utc_now
        from newstui.store import Store
        store = Store({str(db)!r})
        beta = [e.id for e in store.entries() if e.title == "Beta"]
        store.set_read(beta, True, now=utc_now())
        store.set_bookmarked(beta, True, now=utc_now())
        os.kill(os.getpid(), signal.SIGKILL)  # before any sync could push it
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                         check=False, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert run.returncode == -signal.SIGKILL

    report = run_sync(db, mf_server, mf_user)

    assert (report.error, report.pushed, report.pending) == (None, 2, 0)
    beta = server_entries(mf_server, mf_user)["Beta"]
    assert beta["status"] == "read" and beta["starred"]


def test_the_later_change_wins_a_conflict(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([("a", "Alpha"), ("b", "Beta")]))
    db = tmp_path / "newstui.db"
    run_sync(db, mf_server, mf_user)
    there = server_entries(mf_server, mf_user)
    here = entries_by_title(db)
    # Alpha: read here an hour ago (while offline), marked read then unread on the server
    # since: the server's change is later. Beta: read on the server, then unread here later.
    with Store(db) as store:
        store.set_read([here["Alpha"].id], True, now=utc_now() - timedelta(hours=1))
    mf_server.api("PUT", "/v1/entries", {"entry_ids": [there["Alpha"]["id"], there["Beta"]["id"]],
                                         "status": "read"}, user=mf_user)
    mf_server.api("PUT", "/v1/entries", {"entry_ids": [there["Alpha"]["id"]], "status": "unread"},
                  user=mf_user)
    run_sync(db, mf_server, mf_user)  # Beta arrives read
    assert entries_by_title(db)["Beta"].read
    with Store(db) as store:
        store.set_read([here["Beta"].id], False, now=utc_now() + timedelta(seconds=1))

    report = run_sync(db, mf_server, mf_user)

    assert report.error is None and report.pending == 0
    here, there = entries_by_title(db), server_entries(mf_server, mf_user)
    assert not here["Alpha"].read and there["Alpha"]["status"] == "unread"  # server's, later
    assert not here["Beta"].read and there["Beta"]["status"] == "unread"  # ours, later


def test_a_feed_subscribed_on_the_server_appears_here(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([("a", "Alpha")]))
    db = tmp_path / "newstui.db"
    run_sync(db, mf_server, mf_user)
    later = site.feed([("x", "Xylophone"), ("y", "Yak")], title="Subscribed elsewhere")
    subscribe(mf_server, mf_user, later, category="Music")

    report = run_sync(db, mf_server, mf_user)

    assert (report.feeds_added, report.new) == (1, 2)
    with Store(db) as store:
        feed = next(f for f in store.feeds() if f.url == later)
        assert (feed.title, feed.tags, feed.unread) == ("Subscribed elsewhere", ("Music",), 2)


def test_local_feeds_stay_local(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    on_server = site.feed([("a", "Alpha")])
    kept_here = site.feed([("k", "Kept")])  # on the server too, but `sync = false` here
    only_here = "https://only-here.example/feed.xml"
    subscribe(mf_server, mf_user, on_server)
    subscribe(mf_server, mf_user, kept_here)
    db = tmp_path / "newstui.db"
    with Store(db) as store:
        store.sync_feeds([FeedSpec(only_here), FeedSpec(kept_here, sync=False)], now=utc_now())

    report = run_sync(db, mf_server, mf_user, local_urls=(kept_here,))

    assert report.error is None and report.feeds == 1
    with Store(db) as store:
        origins = store.feed_origins()
        assert origins[only_here][0] is Origin.LOCAL
        assert origins[kept_here][0] is Origin.LOCAL
        assert origins[on_server][0] is Origin.SERVER
        # The kept-local feed's entries are newstui's own business: none came from the server.
        assert [e.title for e in store.entries()] == ["Alpha"]


def test_wrong_credentials_are_a_clear_error_that_names_no_secret(
    mf_server: MinifluxServer, mf_user: User, tmp_path: Path
) -> None:
    secret = "not-the-key-" + "x" * 20
    report = run_sync(tmp_path / "newstui.db", mf_server, mf_user, token=secret)
    assert report.error_kind == "auth"
    assert report.error == "the sync server rejected the credentials"
    with Store(tmp_path / "newstui.db") as store:
        assert store.sync_value("last_error") == report.error
        assert store.sync_value("last_sync_at") is None
    assert secret not in repr(report)


def test_the_server_going_away_mid_sync_loses_nothing(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path, monkeypatch
) -> None:
    from newstui.feeds.sources import miniflux

    subscribe(mf_server, mf_user, site.feed([(f"g{i}", f"Item {i}") for i in range(12)]))
    db = tmp_path / "newstui.db"
    monkeypatch.setattr(miniflux, "PAGE", 5)  # three pages
    pages = 0
    original = miniflux.MinifluxBackend.entries

    async def entries_then_die(self, since: datetime | None, known=frozenset()):
        nonlocal pages
        async for page in original(self, since, known):
            pages += 1
            yield page
            if pages == 1:
                mf_server.stop_miniflux()  # after the first page is stored

    monkeypatch.setattr(miniflux.MinifluxBackend, "entries", entries_then_die)
    cut = run_sync(db, mf_server, mf_user)
    assert cut.error_kind == "unreachable"
    assert len(entries_by_title(db)) == 5  # the first page was kept
    with Store(db) as store:
        assert store.sync_value("cursor") is None  # but the sync is not counted as done
        assert store.integrity_check() == ["ok"]

    mf_server.start_miniflux()
    monkeypatch.setattr(miniflux.MinifluxBackend, "entries", original)
    whole = run_sync(db, mf_server, mf_user)
    assert whole.error is None
    assert len(entries_by_title(db)) == 12  # no duplicates, nothing missing


def test_entries_newstui_had_from_the_site_are_not_duplicated(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    import asyncio

    from newstui.core.config import Settings
    from newstui.feeds.refresh import Refresher

    url = site.feed([("a", "Alpha"), ("b", "Beta")])
    db = tmp_path / "newstui.db"
    with Store(db) as store:
        store.sync_feeds([FeedSpec(url)], now=utc_now())

    async def refresh() -> None:
        async with Refresher(db, Settings()) as refresher:
            async for _ in refresher.run([FeedSpec(url)], force=True):
                pass

    asyncio.run(refresh())
    before = entries_by_title(db)
    with Store(db) as store:
        store.set_bookmarked([before["Alpha"].id], True, now=utc_now())
    subscribe(mf_server, mf_user, url)  # the feed moves to the server

    report = run_sync(db, mf_server, mf_user)

    after = entries_by_title(db)
    assert report.error is None and report.new == 0
    assert {e.id for e in after.values()} == {e.id for e in before.values()}
    assert after["Alpha"].bookmarked  # kept, and pushed: it is newer than the server's state
    assert server_entries(mf_server, mf_user)["Alpha"]["starred"]


def test_newstui_does_not_poll_a_feed_the_server_has(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    import asyncio

    from newstui.core.config import Settings
    from newstui.feeds.refresh import Refresher

    both = site.feed([("a", "Alpha")])  # in feeds.toml and on the server
    local = site.feed([("l", "Local")])  # only in feeds.toml
    subscribe(mf_server, mf_user, both)
    db = tmp_path / "newstui.db"
    specs = [FeedSpec(both), FeedSpec(local)]
    with Store(db) as store:
        store.sync_feeds(specs, now=utc_now())
    run_sync(db, mf_server, mf_user)
    path_of = {url: "/" + url.rsplit("/", 1)[1] for url in (both, local)}
    before = {url: len(site.server.requests_to(p)) for url, p in path_of.items()}

    async def refresh_all() -> list[str]:
        async with Refresher(db, Settings()) as refresher:
            return [update.url async for update in refresher.run(specs, force=True)]

    refreshed = asyncio.run(refresh_all())

    assert refreshed == [local]
    after = {url: len(site.server.requests_to(p)) for url, p in path_of.items()}
    assert after[both] == before[both]  # the server fetches it; newstui never does
    assert after[local] == before[local] + 1


def test_marks_of_entries_the_server_deleted_are_dropped_not_stuck(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")]))
    db = tmp_path / "newstui.db"
    there = server_entries(mf_server, mf_user)
    mf_server.api("PUT", "/v1/entries", {"entry_ids": [there["Alpha"]["id"]], "status": "read"},
                  user=mf_user)
    run_sync(db, mf_server, mf_user)
    here = entries_by_title(db)
    with Store(db) as store:
        # "unread" for Alpha alone: a batch whose every id is gone, which 2.2.6 answers with
        # 500; "read" for Beta beside Gamma, which still exists (the server ignores Beta);
        # a bookmark for Alpha, whose current state is read first (404).
        store.set_read([here["Alpha"].id], False, now=utc_now())
        store.set_read([here["Beta"].id, here["Gamma"].id], True, now=utc_now())
        store.set_bookmarked([here["Alpha"].id], True, now=utc_now())
    gone = [there["Alpha"]["id"], there["Beta"]["id"]]
    mf_server.sql(f"DELETE FROM entries WHERE id IN ({gone[0]}, {gone[1]})")

    report = run_sync(db, mf_server, mf_user)

    assert report.error is None, report.error
    assert (report.pushed, report.dropped, report.pending) == (2, 2, 0)
    assert server_entries(mf_server, mf_user)["Gamma"]["status"] == "read"
