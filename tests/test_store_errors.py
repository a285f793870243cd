"""Database faults on real SQLite files: a locked, damaged, read-only or full database.

Each is what a user meets sooner or later (a second program holding the file, a disk that
filled up, a crash of the file system). The store must turn every one into a `StoreError`
naming the file and the problem, and the command must print that one line and exit 1.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import newstui.store._store
from newstui import cli
from newstui.core.errors import StoreError
from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store
from tests.support.dblock import write_lock
from tests.support.httpserver import HTTPServer, Response
from tests.test_cli import RSS_TYPE, Home, one_line, rss

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FEED = "https://example.org/feed.xml"
LOCKED = "database is locked by another program"
READ_ONLY = "database is read-only (check the permissions of the file and its folder)"
FULL = "disk is full (or the database reached its size limit)"
DAMAGED = (
    "database file is damaged (database disk image is malformed): "
    "run `newstui doctor` to rebuild it"
)


def fill(store: Store, url: str = FEED, count: int = 60) -> None:
    """A feed with `count` entries of a few KB each: a database of many pages."""
    entries = tuple(
        ParsedEntry(guid=f"g{n}", title=f"Entry {n}", content_html="<p>words</p>" * 300)
        for n in range(count)
    )
    store.sync_feeds([FeedSpec(url)], now=NOW)
    store.save_fetch(
        url,
        ParsedFeed(format="rss20", title="Example", entries=entries),
        now=NOW,
        etag=None,
        last_modified=None,
        body_hash=None,
        next_due_at=NOW,
    )


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give up on a lock after 0.1 s instead of the real 30 s wait."""
    monkeypatch.setattr(newstui.store._store, "BUSY_TIMEOUT_SECONDS", 0.1)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The CLI in this process (so the short busy timeout applies): exit code, stderr."""
    code = cli.main(list(args))
    return code, capsys.readouterr().err


# --- locked ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("short_busy_timeout")
def test_a_write_to_a_locked_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "newstui.db"
    with Store(path) as store:
        fill(store, count=2)
        with write_lock(path):
            assert {e.guid for e in store.entries()} == {"g0", "g1"}  # WAL: reading still works
            ids = store.entry_ids()
            with pytest.raises(StoreError) as caught:
                store.set_read(ids, True, now=NOW)
        assert caught.value.kind == "locked"
        assert str(caught.value) == f"{path}: {LOCKED}"
        # The lock gone, the same store works again and lost nothing.
        assert sorted(store.set_read(ids, True, now=NOW)) == sorted(ids)


@pytest.mark.usefixtures("short_busy_timeout")
def test_status_and_refresh_on_a_locked_database_print_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], http_server: HTTPServer
) -> None:
    home = Home(tmp_path)
    url = http_server.route("/feed.xml", Response(200, RSS_TYPE, rss("Alpha", "a1")))
    home.write_config([{"url": url}])
    common = ("--config", str(home.config), "--data-dir", str(home.data_dir))
    assert run_cli(capsys, *common, "status") == (0, "")  # creates the database
    home.write_config([{"url": url}, {"url": http_server.url("/other.xml")}])
    with write_lock(home.db):
        # status stores the edited feed list first: that write fails.
        assert run_cli(capsys, *common, "status") == (1, f"newstui: {home.db}: {LOCKED}\n")
        # Back to the stored list: refresh reads, fetches, and fails on storing the feed.
        home.write_config([{"url": url}])
        assert run_cli(capsys, *common, "refresh") == (1, f"newstui: {home.db}: {LOCKED}\n")


# --- damaged --------------------------------------------------------------------------------


def damage(path: Path) -> None:
    """Overwrite every page but the first and the last, as a failing disk or a bad copy would:
    the file still opens (its header is intact), its tables are garbage."""
    size = path.stat().st_size
    page = 4096
    assert size >= 8 * page, "the database should span several pages"
    with path.open("r+b") as file:
        file.seek(page)
        file.write(bytes(range(256)) * ((size - 2 * page) // 256))


def test_every_command_on_a_damaged_database_prints_one_line(
    tmp_path: Path, http_server: HTTPServer
) -> None:
    home = Home(tmp_path)
    url = http_server.route("/feed.xml", Response(200, RSS_TYPE, rss("Alpha", "a1")))
    home.write_config([{"url": url}])
    home.data_dir.mkdir()
    with Store(home.db) as store:
        fill(store, url)
    assert not Path(f"{home.db}-wal").exists()  # all of it is in the main file
    damage(home.db)
    for command in (
        ["status"],
        ["status", "--json"],
        ["refresh"],
        ["read", http_server.url("/article")],
    ):
        done = home.run(*command)
        assert done.returncode == 1, command
        assert one_line(done.stderr) == f"newstui: {home.db}: {DAMAGED}", command
        assert done.stdout == "", command


def test_a_file_that_is_no_database_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "newstui.db"
    path.write_bytes(b"not a database at all" * 300)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert caught.value.kind == "damaged"
    assert str(caught.value) == (
        f"{path}: database file is damaged (file is not a database): "
        "run `newstui doctor` to rebuild it"
    )


# --- read-only ------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file made read-only for real: chmod, and for root (whom chmod does not stop) the
    immutable attribute. Skips the test where neither works."""
    os.chmod(path, 0o444)
    immutable = False
    try:
        if os.geteuid() == 0:
            immutable = (
                subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
            )
        try:
            path.open("r+b").close()
        except OSError:
            yield
            return
        pytest.skip("cannot make a file read-only here")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, 0o644)


def test_a_read_only_database_prints_one_line(tmp_path: Path, http_server: HTTPServer) -> None:
    home = Home(tmp_path)
    url = http_server.route("/feed.xml", Response(200, RSS_TYPE, rss("Alpha", "a1")))
    home.write_config([{"url": url}])
    assert home.run("status").returncode == 0
    home.write_config([{"url": url}, {"url": http_server.url("/other.xml")}])
    with read_only(home.db):
        for command in (["status"], ["refresh"]):
            done = home.run(*command)
            assert done.returncode == 1, command
            assert one_line(done.stderr) == f"newstui: {home.db}: {READ_ONLY}", command


def test_a_write_refused_by_sqlite_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "newstui.db"
    with Store(path) as store:
        store._db.execute("PRAGMA query_only = ON")  # SQLite refuses writes: SQLITE_READONLY
        with pytest.raises(StoreError) as caught:
            store.set_state("theme", "nord")
    assert caught.value.kind == "readonly"
    assert str(caught.value) == f"{path}: {READ_ONLY}"


# --- full -----------------------------------------------------------------------------------


def test_a_full_database_says_full_and_keeps_what_it_had(tmp_path: Path) -> None:
    path = tmp_path / "newstui.db"
    with Store(path) as store:
        fill(store, count=2)
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        # No page more: the next write that needs one fails with SQLITE_FULL, as on a full disk.
        store._db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError) as caught:
            fill(store, count=60)
        error = caught.value
        assert error.kind == "full"
        assert str(error) == f"{path}: {FULL}"
        # SQLite rolled the transaction back itself; a second ROLLBACK's "cannot rollback - no
        # transaction is active" must not replace the real error.
        assert "rollback" not in str(error).lower()
        assert "rollback" not in str(error.__cause__).lower()
        # All or nothing: none of the new entries is stored, the old ones are intact.
        assert [feed.url for feed in store.feeds()] == [FEED]
        assert len(store.entry_ids()) == 2
