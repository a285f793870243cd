"""The sync is a source of the refresh: `newstui refresh` polls the local feeds and syncs the
server's in one pass (when the sync is due, or always with `--all`), `newstui sync` runs the
server's source alone, and `newstui refresh NAME` of a local feed leaves the server alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.cli import main
from newstui.core.timefmt import utc_now
from newstui.store import Store
from tests.support.miniflux import MinifluxServer, User
from tests.sync.conftest import Site, server_entries, subscribe


def setup(tmp_path: Path, server: MinifluxServer, user: User, local: str) -> list[str]:
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[sync]\nserver = "miniflux"\nurl = "{server.url}"\ntoken = "{user.token}"\n\n'
        f'[[feeds]]\nurl = "{local}"\ntitle = "Here"\n'
    )
    config.chmod(0o600)
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def titles(tmp_path: Path) -> dict:
    with Store(tmp_path / "data" / "newstui.db") as store:
        return {entry.title: entry for entry in store.entries()}


def test_refresh_polls_local_feeds_and_syncs_the_server_in_one_pass(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    subscribe(mf_server, mf_user, site.feed([("s1", "From the server")], title="Remote"))
    local = site.feed([("l1", "Polled here")], title="Here")
    args = setup(tmp_path, mf_server, mf_user, local)

    assert main([*args, "refresh"]) == 0

    out = capsys.readouterr().out
    assert set(titles(tmp_path)) == {"From the server", "Polled here"}
    assert "Synced with miniflux 2.2.6" in out
    assert "Refreshed 2 feeds" in out  # the local one and the server's, in one summary

    # A mark made here; the next plain refresh comes before `[sync] interval`: no sync yet.
    with Store(tmp_path / "data" / "newstui.db") as store:
        store.set_read([titles(tmp_path)["From the server"].id], True, now=utc_now())
    assert main([*args, "refresh"]) == 0
    assert "Synced" not in capsys.readouterr().out
    assert server_entries(mf_server, mf_user)["From the server"]["status"] == "unread"

    # `--all` is an explicit refresh of everything: the sync runs, the mark is pushed.
    assert main([*args, "refresh", "--all"]) == 0
    assert "pushed 1 mark" in capsys.readouterr().out
    assert server_entries(mf_server, mf_user)["From the server"]["status"] == "read"


def test_sync_runs_the_server_source_alone_and_refresh_name_the_local_feed_alone(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    subscribe(mf_server, mf_user, site.feed([("s1", "From the server")]))
    local = site.feed([("l1", "Polled here")])
    path = "/" + local.rsplit("/", 1)[1]
    args = setup(tmp_path, mf_server, mf_user, local)

    assert main([*args, "sync"]) == 0
    assert site.server.requests_to(path) == []  # the local feed was not polled
    assert set(titles(tmp_path)) == {"From the server"}

    subscribe(mf_server, mf_user, site.feed([("s2", "Later on the server")]))
    capsys.readouterr()
    assert main([*args, "refresh", "Here"]) == 0
    assert len(site.server.requests_to(path)) == 1
    assert "Synced" not in capsys.readouterr().out
    assert set(titles(tmp_path)) == {"From the server", "Polled here"}
