"""`newstui add` with `[sync]` subscribes on the server (not in feeds.toml); `--local` keeps
the feed here."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.cli import main
from newstui.store import Store
from tests.support.miniflux import MinifluxServer, User
from tests.sync.conftest import Site, server_entries


def test_add_subscribes_on_the_server(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = site.feed([("a", "Alpha"), ("b", "Beta")], title="Added here")
    config = tmp_path / "feeds.toml"
    text = f'[sync]\nserver = "miniflux"\nurl = "{mf_server.url}"\ntoken = "{mf_user.token}"\n'
    config.write_text(text)
    config.chmod(0o600)
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data")]

    assert main([*args, "add", url, "--tag", "Blogs"]) == 0

    out = capsys.readouterr().out
    assert f"Subscribed on the sync server ({mf_server.url}): Added here ({url}): 2 entries." in out
    assert config.read_text() == text  # the server has it now, not feeds.toml
    assert set(server_entries(mf_server, mf_user)) == {"Alpha", "Beta"}
    feeds = mf_server.api("GET", "/v1/feeds", user=mf_user)
    assert [f["category"]["title"] for f in feeds] == ["Blogs"]  # type: ignore[index]
    with Store(tmp_path / "data" / "newstui.db") as store:
        feed = next(f for f in store.feeds() if f.url == url)
        assert (feed.origin, feed.tags, feed.total) == ("server", ("Blogs",), 2)

    local = site.feed([("l", "Local one")])
    assert main([*args, "add", "--local", local]) == 0
    assert local in config.read_text()
    assert "Added" in capsys.readouterr().out
