"""`newstui doctor` on real damaged SQLite files: read marks and bookmarks in readable pages
survive the rebuild, and the damaged file is kept beside the new one (issue 10)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.core.errors import StoreError
from newstui.core.models import FeedSpec, ParsedEntry, ParsedFeed
from newstui.store import Store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FEEDS = [f"https://example.org/{n}.xml" for n in range(4)]
PAGE = 4096
HEALTHY = "ok (SQLite's integrity check found no problem)"


def build(path: Path) -> dict[str, tuple[bool, bool]]:
    """A store of 4 feeds x 100 entries, every 3rd read, every 10th bookmarked; returns each
    entry's (read, bookmarked) by guid."""
    with Store(path) as store:
        store.sync_feeds([FeedSpec(url) for url in FEEDS], now=NOW)
        for url in FEEDS:
            entries = tuple(
                ParsedEntry(guid=f"{url}#{n}", title=f"Entry {n}", content_html="<p>w</p>" * 150)
                for n in range(100)
            )
            store.save_fetch(
                url,
                ParsedFeed(format="rss20", title=url, entries=entries),
                now=NOW,
                etag=None,
                last_modified=None,
                body_hash=None,
                next_due_at=NOW,
            )
        ids = store.entry_ids()
        store.set_read(ids[::3], True, now=NOW)
        store.set_bookmarked(ids[::10], True, now=NOW)
        states = {e.guid: (e.read, e.bookmarked) for e in store.entries()}
    return states


def damage(path: Path, pages: list[int]) -> None:
    """Overwrite whole pages with garbage, as a failing disk would."""
    with path.open("r+b") as file:
        for page in pages:
            file.seek(page * PAGE)
            file.write(bytes(range(256)) * (PAGE // 256))


def stored(path: Path) -> dict[str, tuple[bool, bool]]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT guid, read, bookmarked FROM entries").fetchall()
    finally:
        db.close()
    return {guid: (bool(read), bool(mark)) for guid, read, mark in rows}


def doctor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    config = tmp_path / "feeds.toml"
    config.write_text("".join(f'[[feeds]]\nurl = "{url}"\n' for url in FEEDS), "utf-8")
    status = main(["--config", str(config), "--data-dir", str(tmp_path), "doctor"])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_damaged_database_is_rebuilt_keeping_read_marks_and_bookmarks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "newstui.db"
    before = build(path)
    pages = path.stat().st_size // PAGE
    damage(path, [pages // 3, pages // 2, 2 * pages // 3])
    damaged_bytes = path.read_bytes()
    with Store(path) as store, pytest.raises(StoreError, match="run `newstui doctor` to rebuild"):
        store.entries()
    damaged_bytes = path.read_bytes()

    status, out, err = doctor(tmp_path, capsys)

    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: damaged: ")
    after = stored(path)
    assert len(after) >= 0.9 * len(before)  # three pages hold a few entries, not a tenth
    assert all(after[guid] == before[guid] for guid in after)  # no mark lost or invented
    kept_read = sum(read for read, _ in after.values())
    kept_marks = sum(mark for _, mark in after.values())
    assert lines[2].startswith(f"Kept {len(after)} entries ({kept_read} read, {kept_marks} bookm")
    [copy] = tmp_path.glob("newstui.db.damaged-*[0-9]")
    assert lines[3] == f"The damaged file is kept as {copy}"
    assert copy.read_bytes() == damaged_bytes
    # The rebuilt file is whole, and newstui uses it as before.
    assert doctor(tmp_path, capsys)[1] == f"{path}: {HEALTHY}\n"
    with Store(path) as store:
        assert {e.guid: (e.read, e.bookmarked) for e in store.entries()} == after


def test_doctor_leaves_a_database_in_use_alone(tmp_path: Path, capsys) -> None:
    path = tmp_path / "newstui.db"
    build(path)
    damage(path, [path.stat().st_size // PAGE // 2])
    with Store(path):  # the reader is open
        status, _, err = doctor(tmp_path, capsys)
    assert status == 1
    assert err.endswith(
        f"newstui: {path}: another program has the database open: quit the reader (and any "
        "refresh) first\n"
    )
    assert not list(tmp_path.glob("newstui.db.damaged-*"))


def test_a_healthy_database_is_left_as_it_is(tmp_path: Path, capsys) -> None:
    path = tmp_path / "newstui.db"
    build(path)
    before = path.read_bytes()
    assert doctor(tmp_path, capsys) == (
        0, f"{path}: {HEALTHY}\n", ""
    )  # fmt: skip
    assert path.read_bytes() == before
