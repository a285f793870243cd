"""`newstui import` of newsboat's cache.db onto the sync server's feeds: the read marks and
bookmarks it brings are queued like marks made here, so the next sync shows them on the server,
and the entries newstui already had from the server are not duplicated."""

from __future__ import annotations

from pathlib import Path

from newstui.cli import main
from newstui.store import Store
from tests.support.miniflux import MinifluxServer, User
from tests.sync.conftest import Site, server_entries, subscribe
from tests.test_import import build_cache


def test_imported_marks_on_server_feeds_reach_the_server(
    mf_server: MinifluxServer, mf_user: User, site: Site, tmp_path: Path
) -> None:
    url = site.feed([("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")])
    subscribe(mf_server, mf_user, url)
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[sync]\nserver = "miniflux"\nurl = "{mf_server.url}"\ntoken = "{mf_user.token}"\n'
    )
    config.chmod(0o600)
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert main([*args, "sync"]) == 0  # the server's entries are here, all unread

    # newsboat had the same feed: Alpha read, Beta flagged, Gamma unread.
    cache = tmp_path / "cache.db"
    build_cache(cache, [
        (url, "a", "https://example.org/a", 0, "", 0),
        (url, "b", "https://example.org/b", 1, "s", 0),
        (url, "c", "https://example.org/c", 1, "", 0),
    ])  # fmt: skip
    assert main([*args, "import", str(cache)]) == 0
    with Store(tmp_path / "data" / "newstui.db") as store:
        entries = store.entries()
        assert len(entries) == 3  # matched to the server's, not stored a second time
        assert store.pending_count() == 2

    assert main([*args, "sync"]) == 0

    there = server_entries(mf_server, mf_user)
    assert [there[t]["status"] for t in ("Alpha", "Beta", "Gamma")] == ["read", "unread", "unread"]
    assert [there[t]["starred"] for t in ("Alpha", "Beta", "Gamma")] == [False, True, False]
    with Store(tmp_path / "data" / "newstui.db") as store:
        assert store.pending_count() == 0
