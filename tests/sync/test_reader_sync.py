"""The reader and sync: a sync on start and on R, in the background; the status line says how
it went and how many marks wait; keys never wait for the server (a hanging one included)."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from newstui.core.config import Config, Settings, SyncSettings
from newstui.store import Store
from newstui.ui.app import NewsApp
from newstui.ui.screens.main import MainScreen
from tests.support.httpserver import HTTPServer, hang
from tests.support.miniflux import MinifluxServer, User
from tests.support.wait import until
from tests.sync.conftest import Site, server_entries, subscribe


def app_for(tmp_path: Path, sync: SyncSettings) -> tuple[NewsApp, Store]:
    config = Config(
        path=tmp_path / "feeds.toml",
        feeds=(),
        settings=Settings(refresh_on_start=False, auto_refresh=False, parse_workers=1),
        keymap=MappingProxyType({}),
        sync=sync,
    )
    db = tmp_path / "newstui.db"
    store = Store(db)
    return NewsApp(config, store, db), store


async def test_reader_syncs_on_start_and_on_R(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    subscribe(mf_server, mf_user, site.feed([(f"g{i}", f"Story {i}") for i in range(3)]))
    app, store = app_for(tmp_path, SyncSettings("miniflux", mf_server.url, token=mf_user.token))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: screen.status.sync.startswith("Synced"))
        await until(pilot, lambda: len(screen.entry_list.ids) == 3)
        screen.entry_list.focus()
        await pilot.press("m")  # toggle read: recorded here at once, pushed later
        await until(pilot, lambda: "1 waiting" in screen.status.sync)
        await pilot.press("R")
        await until(pilot, lambda: screen.status.sync.startswith("Synced") and
                    "waiting" not in screen.status.sync)
        read = [e for e in server_entries(mf_server, mf_user).values() if e["status"] == "read"]
        assert len(read) == 1
    store.close()


async def test_r_on_a_feed_only_the_server_has_syncs_with_the_server(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    """feeds.toml lists no feed: r on the server's feed used to do nothing at all. It syncs
    (what the server has since arrives) and says so."""
    subscribe(mf_server, mf_user, site.feed([("s1", "First on the server")], title="Remote"))
    app, store = app_for(tmp_path, SyncSettings("miniflux", mf_server.url, token=mf_user.token))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: screen.status.sync.startswith("Synced"))
        [view] = [v for v in screen.feed_list.views if v.kind == "feed"]
        screen.select_view(view)
        screen.feed_list.focus()
        subscribe(mf_server, mf_user, site.feed([("s2", "Later on the server")], title="Later"))
        await pilot.press("r")
        said = "Only the sync server has this feed"
        await until(pilot, lambda: any(said in n.message for n in app._notifications))
        await until(
            pilot, lambda: len([v for v in screen.feed_list.views if v.kind == "feed"]) == 2
        )
    store.close()


async def test_keys_do_not_wait_for_a_hanging_server(tmp_path: Path) -> None:
    server = HTTPServer()
    server.route("/v1/me", hang())
    app, store = app_for(tmp_path, SyncSettings("miniflux", server.url(""), token="t"))
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await until(pilot, lambda: screen.status.sync.startswith("Syncing"))
            # The help screen opens while the sync waits for a server that never answers (it
            # would give up only after two minutes): the key did not wait for it.
            await pilot.press("question_mark")
            await until(pilot, lambda: not isinstance(app.screen, MainScreen), seconds=10)
            assert screen.syncer is not None and screen.syncer.running
            await pilot.press("escape")
    finally:
        store.close()
        server.close()
