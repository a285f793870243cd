"""`newstui remove` and the reader's `d` on a sync server's feed unsubscribe it on the server
(`--local`: feeds.toml only); with the server away nothing changes anywhere and one line says
so, so here and the server never silently disagree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.commands.sync import sync_pass
from newstui.core.config import load_config
from newstui.store import Store
from newstui.ui.app import NewsApp
from newstui.ui.screens.main import MainScreen
from newstui.ui.screens.subscriptions import ConfirmRemoveDialog
from tests.support.miniflux import MinifluxServer, User
from tests.support.wait import until
from tests.sync.conftest import Site, subscribe


def setup(tmp_path: Path, server: MinifluxServer, user: User, feeds: str = "") -> list[str]:
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[sync]\nserver = "miniflux"\nurl = "{server.url}"\ntoken = "{user.token}"\n' + feeds
    )
    config.chmod(0o600)
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def server_urls(server: MinifluxServer, user: User) -> set[str]:
    return {feed["feed_url"] for feed in server.api("GET", "/v1/feeds", user=user)}  # type: ignore[union-attr]


def shown(tmp_path: Path) -> dict:
    with Store(tmp_path / "data" / "newstui.db") as store:
        return {feed.url: feed for feed in store.feeds()}


def two_synced_feeds(
    server: MinifluxServer, user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> tuple[str, str, list[str]]:
    """Two feeds on the server, one also in feeds.toml, synced once: (only there, listed, args)."""
    only_there = site.feed([("a", "Alpha")], title="Only there")
    listed = site.feed([("b", "Beta")], title="Listed too")
    subscribe(server, user, only_there)
    subscribe(server, user, listed)
    args = setup(tmp_path, server, user, f'\n[[feeds]]\nurl = "{listed}"\n')
    assert main([*args, "sync"]) == 0
    capsys.readouterr()
    return only_there, listed, args


def test_remove_unsubscribes_on_the_server_and_keeps_the_entries(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_there, listed, args = two_synced_feeds(mf_server, mf_user, site, tmp_path, capsys)

    assert main([*args, "remove", "Only there", "--yes"]) == 0
    assert capsys.readouterr().out.startswith(
        f"Unsubscribed from Only there ({only_there}) on the sync server ({mf_server.url})."
    )
    assert server_urls(mf_server, mf_user) == {listed}
    assert set(shown(tmp_path)) == {listed}

    assert main([*args, "remove", listed, "--yes"]) == 0
    assert server_urls(mf_server, mf_user) == set()
    assert listed not in (tmp_path / "feeds.toml").read_text()
    assert shown(tmp_path) == {}
    # Nothing comes back with the next sync; the entries (and their read state) stay stored.
    assert main([*args, "sync"]) == 0
    assert shown(tmp_path) == {}
    with sqlite3.connect(tmp_path / "data" / "newstui.db") as db:
        assert {row[0] for row in db.execute("SELECT title FROM entries")} == {"Alpha", "Beta"}


def test_remove_local_keeps_the_server_subscription(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only_there, listed, args = two_synced_feeds(mf_server, mf_user, site, tmp_path, capsys)

    # Removing a feed only the server has from here alone would undo itself at the next sync.
    assert main([*args, "remove", "--local", "Only there", "--yes"]) == 2
    assert "it comes from the sync server" in capsys.readouterr().err
    assert main([*args, "remove", "--local", listed, "--yes"]) == 0
    assert listed not in (tmp_path / "feeds.toml").read_text()
    assert server_urls(mf_server, mf_user) == {only_there, listed}
    assert set(shown(tmp_path)) == {only_there, listed}  # still the server's, still here


def test_remove_with_the_server_away_changes_nothing_and_says_so(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listed = site.feed([("b", "Beta")], title="Listed too")
    subscribe(mf_server, mf_user, listed)
    args = setup(tmp_path, mf_server, mf_user, f'\n[[feeds]]\nurl = "{listed}"\n')
    assert main([*args, "sync"]) == 0
    capsys.readouterr()
    before = (tmp_path / "feeds.toml").read_text()

    mf_server.stop_miniflux()
    assert main([*args, "remove", listed, "--yes"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"newstui: not removed: Listed too ({listed}): cannot reach the sync")
    assert "nothing changed" in err and err.count("\n") == 1
    assert (tmp_path / "feeds.toml").read_text() == before
    assert set(shown(tmp_path)) == {listed}
    mf_server.start_miniflux()
    assert server_urls(mf_server, mf_user) == {listed}


async def test_d_in_the_reader_unsubscribes_on_the_server(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    only_there = site.feed([("a", "Alpha")], title="Only there")
    subscribe(mf_server, mf_user, only_there)
    setup(tmp_path, mf_server, mf_user)
    config = load_config(tmp_path / "feeds.toml")
    db = tmp_path / "data" / "newstui.db"
    db.parent.mkdir()
    assert config.sync is not None
    await sync_pass(db, config.sync, config.settings, trust_env=False)
    store = Store(db)
    app = NewsApp(config, store, db)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await until(pilot, lambda: only_there in screen.feeds)
            screen.select_view(next(v for v in screen.feed_list.views if v.key == only_there))
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmRemoveDialog))
            await pilot.press("y")
            await until(pilot, lambda: only_there not in screen.feeds)
        assert server_urls(mf_server, mf_user) == set()
    finally:
        store.close()
