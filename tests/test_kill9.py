"""`kill -9` in the middle of `newstui refresh` never costs the user anything.

A laptop lid closes, cron's timeout fires, the OOM killer picks us: the refresh process dies
between any two instructions. The promise (store/__init__.py) is that the database is intact
and every read mark and bookmark survives, because refreshes write feed columns only, in short
transactions. Here a real `newstui refresh --all` runs against a slow loopback server that
hands out new and edited entries throughout, and is SIGKILLed at several different points.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.store import Store
from tests.support.httpserver import Behaviour, Connection, HTTPServer, Request, Response

FEEDS = 24
CONCURRENCY = 6
KEPT = 3
"""Entries every generation of every feed lists: the ones the user has read or bookmarked."""
KILL_AFTER_REQUESTS = (1, 7, 10, 14, 20)
"""Kill once the server has seen this many requests of the run. Past the first wave
(CONCURRENCY), each request means another feed just finished downloading and is being parsed
and written right now."""


class SlowFeeds:
    """FEEDS feeds on the loopback server; each run ("generation") serves new and edited entries,
    trickled in chunks so that feeds finish, and are written, all through the run."""

    def __init__(self, server: HTTPServer) -> None:
        self.generation = 0
        self.slow = False
        self._seen = 0
        self._changed = threading.Condition()
        self.urls = [server.route(f"/feed{i}.xml", self._answer(i)) for i in range(FEEDS)]

    def body(self, index: int, generation: int) -> bytes:
        kept = [(f"kept-{k}", f"Kept {k}, edition {generation}") for k in range(KEPT)]
        new = [(f"run{generation}-{n}", f"News {n} of run {generation}") for n in range(6)]
        items = "".join(
            f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
            f"<description>{'Lorem ipsum. ' * 40}{title}</description></item>"
            for guid, title in [*new, *kept]
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {index}</title>'
            f"<link>https://example.org/{index}</link>{items}</channel></rss>"
        ).encode()

    def _answer(self, index: int) -> Callable[[Request], Response | Behaviour]:
        def answer(request: Request) -> Response | Behaviour:
            with self._changed:
                self._seen += 1
                self._changed.notify_all()
            body = self.body(index, self.generation)
            headers = {"Content-Type": "application/rss+xml", "Content-Length": str(len(body))}
            if not self.slow:
                return Response(200, headers, body)
            pause = 0.01 * (1 + index % 5)  # 8 chunks: 0.08 to 0.4 s per feed

            def trickle(conn: Connection) -> None:
                conn.head(200, headers)
                step = len(body) // 8 + 1
                for start in range(0, len(body), step):
                    if not conn.write(body[start : start + step]) or not conn.wait(pause):
                        return

            return Behaviour(trickle)

        return answer

    def next_generation(self) -> None:
        with self._changed:
            self.generation += 1
            self._seen = 0

    def wait_for_requests(self, count: int, timeout: float = 10) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self._seen >= count, timeout), (
                f"the refresh made only {self._seen} of {count} requests"
            )


def write_config(path: Path, urls: list[str]) -> None:
    lines = ["[settings]", f"concurrency = {CONCURRENCY}", "parse_workers = 1", "timeout = 20"]
    for url in urls:
        lines += ["", "[[feeds]]", f"url = {json.dumps(url)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_refresh(config: Path, data_dir: Path, home: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home), XDG_DATA_HOME=str(home))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newstui",
            "--config",
            str(config),
            "--data-dir",
            str(data_dir),
            "refresh",
            "--all",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so nothing it started outlives the test
    )


def kill_9(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL, "the refresh ended before it could be killed"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # parse workers, if any


def user_state(db_path: Path) -> dict[tuple[str, str], tuple[int, int]]:
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute(
            "SELECT feed_url, guid, read, bookmarked FROM entries"
            " WHERE read = 1 OR bookmarked = 1"
        ).fetchall()
    finally:
        db.close()
    return {(url, guid): (read, bookmarked) for url, guid, read, bookmarked in rows}


def feeds_of_run(db_path: Path, generation: int) -> int:
    """How many feeds of that run were stored before the kill."""
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT COUNT(DISTINCT feed_url) FROM entries WHERE guid = ?",
            (f"run{generation}-0",),
        ).fetchone()[0]
    finally:
        db.close()


def assert_intact(db_path: Path) -> None:
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()


@pytest.mark.slow
def test_kill_9_during_refresh_keeps_the_database_and_user_state(
    http_server: HTTPServer, tmp_path: Path
) -> None:
    feeds = SlowFeeds(http_server)
    config, data_dir, home = tmp_path / "feeds.toml", tmp_path / "data", tmp_path / "home"
    home.mkdir()
    db_path = data_dir / "newstui.db"
    write_config(config, feeds.urls)

    # An earlier, normal refresh; then the user reads and bookmarks some of what it brought.
    first = start_refresh(config, data_dir, home)
    out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    with Store(db_path) as store:
        marks = {(e.feed_url, e.guid): e.id for e in store.entries() if "kept" in e.guid}
        assert len(marks) == FEEDS * KEPT
        read = [i for (url, guid), i in marks.items() if guid in ("kept-0", "kept-2")]
        bookmarked = [i for (url, guid), i in marks.items() if guid in ("kept-1", "kept-2")]
        store.set_read(read, True, now=datetime.now(UTC))
        store.set_bookmarked(bookmarked, True, now=datetime.now(UTC))
    expected = user_state(db_path)
    assert len(expected) == FEEDS * KEPT

    # Slow refreshes full of new and edited entries, each killed at a different moment.
    feeds.slow = True
    written: list[int] = []
    for kill_after in KILL_AFTER_REQUESTS:
        feeds.next_generation()
        process = start_refresh(config, data_dir, home)
        try:
            feeds.wait_for_requests(kill_after)
        finally:
            kill_9(process)
        assert_intact(db_path)
        assert user_state(db_path) == expected, f"killed after {kill_after} requests"
        written.append(feeds_of_run(db_path, feeds.generation))
    # The kills landed mid-run: some runs had stored part of their feeds, none all of them.
    assert max(written) > 0 and all(n < FEEDS for n in written), written

    # The next refresh after all that runs normally.
    feeds.next_generation()
    last = start_refresh(config, data_dir, home)
    out, err = last.communicate(timeout=30)

    assert last.returncode == 0, err
    summary = out.decode().splitlines()[-1]
    assert summary.startswith(f"Refreshed {FEEDS} feeds"), summary
    assert "0 errors" in summary
    assert_intact(db_path)
    assert user_state(db_path) == expected
    with Store(db_path) as store:
        entries = store.entries()
        for url in feeds.urls:
            titles = {e.title for e in entries if e.feed_url == url}
            assert f"Kept 0, edition {feeds.generation}" in titles, "edited entries were updated"
            assert {f"News {n} of run {feeds.generation}" for n in range(6)} <= titles
        assert all(feed.last_error is None for feed in store.feeds())
