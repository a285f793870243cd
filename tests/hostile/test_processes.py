"""However a refreshing `newstui refresh` is ended, nothing it started lives on (issue 10).

A real `newstui refresh --all` runs against the slow loopback feeds of `tests/test_kill9.py`
and is sent SIGKILL, SIGTERM or SIGHUP while feeds are being parsed. Its parse workers must be
gone within a couple of seconds whatever the signal (they watch their parent); SIGTERM and
SIGHUP end the refresh like Ctrl+C: one line, exit 130, the database and read state intact.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.support.httpserver import HTTPServer, hang
from tests.support.wait import eventually
from tests.test_kill9 import (
    SlowFeeds,
    assert_intact,
    start_refresh,
    user_state,
    write_config,
)


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (`start_refresh` gives the refresh its own)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(int(entry))
    return members


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_signalled_refresh_leaves_no_process_behind(
    http_server: HTTPServer, tmp_path: Path, signum: int
) -> None:
    feeds = SlowFeeds(http_server)
    config, data_dir, home = tmp_path / "feeds.toml", tmp_path / "data", tmp_path / "home"
    home.mkdir()
    # One feed that never answers keeps the refresh running until the signal, however fast
    # the others are.
    write_config(config, [*feeds.urls, http_server.route("/never", hang())])
    feeds.slow = True
    process = start_refresh(config, data_dir, home)
    try:
        feeds.wait_for_requests(10)  # past the first wave: feeds are being parsed
        workers = [pid for pid in group_members(process.pid) if pid != process.pid]
        assert workers, "the refresh had started its parse worker"
        os.kill(process.pid, signum)
        _, err = process.communicate(timeout=15)
        eventually(lambda: not group_members(process.pid))
        left = group_members(process.pid)
    finally:
        if process.poll() is None:
            process.kill()
        for pid in group_members(process.pid):
            os.kill(pid, signal.SIGKILL)

    assert left == [], f"still running after the refresh ended: {left}"
    if signum == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130, err
        assert err.decode().strip().splitlines() == ["newstui: interrupted"]
    db_path = data_dir / "newstui.db"
    assert_intact(db_path)
    assert user_state(db_path) == {}  # nothing read yet, and nothing invented
