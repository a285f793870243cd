"""A few SVG snapshots that pin what the screen shows (fixed clock, fixed data, no network).

Update on purpose only: `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at
every changed SVG.
"""

from __future__ import annotations

import pytest

from tests.ui.conftest import NOW, WORLD

pytestmark = pytest.mark.snapshot


def test_main_screen_wide(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["j", "j"])


def test_main_screen_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["j"])


def test_article_open_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["enter"])


def test_help_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["question_mark"])


def test_feed_error_state(snap_compare, make_app) -> None:
    app = make_app()
    app.store.record_failure(
        WORLD, kind="http-status", message="HTTP 404 Not Found", now=NOW, next_due_at=NOW
    )
    # to the feed list, then down to "World Report" (All unread, Bookmarks, tech, Tech Daily,
    # Quiet Blog, news, World Report)
    assert snap_compare(app, terminal_size=(120, 40), press=["h"] + ["j"] * 6)


@pytest.mark.parametrize("theme", ["paper", "terminal-dark"])
def test_main_screen_themed(snap_compare, make_app, theme: str) -> None:
    assert snap_compare(make_app(theme=theme), terminal_size=(120, 40), press=["enter"])
