"""`newstui status` fits the terminal: at 80 columns, at 200, and piped (80).

Before, a rich table squeezed eleven columns into 80 and folded every error one word per line
(`Intern`/`al`/`Server`), and titles, URLs and tags all became `http://127.…`. What a user reads
here: every line fits, each feed is one line with its unread count, errors are there (whole when
there is room, else ended at a word), sync feeds say where they come from, and wide (CJK)
characters are counted as the two cells they take.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from newstui.commands.status_view import status_lines
from newstui.core.cells import fit_cells
from newstui.core.models import Feed

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LONG_ERROR = (
    "not a valid feed: line 2, column 1: not well-formed (invalid token); the server sent an"
    " HTML error page instead of the feed, which usually means the site moved its feed"
)
FEEDS = [
    Feed(
        url="https://www.geekpark.net/rss",
        title="极客公园：科技创新者的大本营，每天为你解读最新的科技新闻与产品动态",  # noqa: RUF001
        tags=("tech", "中文"),
        total=30,
        unread=27,
        last_ok_at=NOW - timedelta(minutes=5),
        next_due_at=NOW + timedelta(minutes=25),
    ),
    Feed(
        url="https://www.theverge.com/rss/index.xml",
        title="The Verge: technology, science, art and culture news from around the whole world",
        tags=("tech",),
        total=10,
        unread=9,
        bookmarks=2,
        last_ok_at=NOW - timedelta(hours=2),
        next_due_at=NOW + timedelta(minutes=58),
    ),
    Feed(
        url="https://example.org/broken/feed.xml",
        title="Broken Feed",
        total=0,
        last_error=LONG_ERROR,
        next_due_at=NOW + timedelta(hours=3),
    ),
    Feed(
        url="https://news.example.net/a/very/long/path/to/the/feed/of/this/site/index.rss",
        title="https://news.example.net/a/very/long/path/to/the/feed/of/this/site/index.rss",
        last_error="HTTP 404 Not Found",
    ),
    Feed(
        url="https://miniflux.example/feed/7",
        title="Lobsters",
        total=412,
        unread=388,
        origin="server",
        last_ok_at=NOW - timedelta(minutes=1),
    ),
]
SYNC = {
    "server": "miniflux",
    "url": "https://miniflux.example",
    "version": "2.2.6",
    "last_sync_at": (NOW - timedelta(minutes=3)).isoformat(),
    "last_attempt_at": None,
    "last_error": None,
    "changes_waiting": 4,
    "warning": None,
}


def render(width: int, *, sync: dict | None = SYNC) -> list[str]:
    return [
        line.plain
        for line in status_lines(
            FEEDS,
            config_path=Path("/home/someone/.config/newstui/feeds.toml"),
            sync=sync,
            filters=[("spam", 3)],
            width=width,
            now=NOW,
        )
    ]


def line_of(lines: list[str], start: str) -> str:
    [line] = [line for line in lines if line.startswith(start)]
    return line


def cells(line: str) -> list[str]:
    """A table row's cells (columns are two or more spaces apart)."""
    return re.split(r"\s{2,}", line)


@pytest.mark.parametrize("width", [80, 200, 50])
def test_every_line_fits_and_each_feed_is_one_line_with_its_counts(width: int) -> None:
    lines = render(width)

    assert max(cell_len(line) for line in lines) <= width, "\n".join(lines)
    head = " ".join(lines[: lines.index(line_of(lines, "feed "))])
    assert "5 feeds, 424 unread, 2 failing from" in head
    assert "Sync: miniflux https://miniflux.example, last sync 3m ago, 4 changes waiting" in head
    header = cells(line_of(lines, "feed "))
    assert header[:2] == ["feed", "from"] and "unread" in header
    unread_total = r"  27  +30  " if width >= 80 else r"  27  "  # total goes first when narrow
    assert re.search(unread_total, line_of(lines, "极客公园"))
    assert re.search(r"  388  +412  " if width >= 80 else "  388  ", line_of(lines, "Lobsters"))
    assert cells(line_of(lines, "Lobsters"))[1] == "server", "the sync feed's origin"
    assert cells(line_of(lines, "The Verge"))[1] == "local"
    assert lines[-1] == "Filter spam: caught 3 new entries"


def test_at_80_columns_titles_end_at_a_word_and_errors_get_their_own_line() -> None:
    lines = render(80)

    verge = line_of(lines, "The Verge")
    title = cells(verge)[0]
    assert title.endswith("…") and FEEDS[1].title.startswith(title.removesuffix("…"))
    assert FEEDS[1].title[len(title) - 1] in " ,", f"cut at a word: {title!r}"
    # The CJK title fills its column by cells: as wide as the Verge's, not twice as wide.
    geekpark = cells(line_of(lines, "极客公园"))[0]
    assert geekpark.endswith("…") and FEEDS[0].title.startswith(geekpark.removesuffix("…"))
    assert cell_len(title) - 1 <= cell_len(geekpark) <= cell_len(title) + 1
    broken = lines.index(line_of(lines, "Broken Feed"))
    error = lines[broken + 1]
    assert error.startswith("  error: not a valid feed: line 2, column 1")
    assert error.endswith("…") and cell_len(error) <= 80
    assert LONG_ERROR.startswith(error.removeprefix("  error: ").removesuffix("…"))
    assert LONG_ERROR[len(error) - len("  error: ") - 1] in " ;", "the error ends at a word"
    # A feed named by its URL keeps the host and the end of the path.
    url_line = line_of(lines, "news.ex")
    assert "…" in url_line and "index.rss" in url_line
    assert lines[lines.index(url_line) + 1] == "  error: HTTP 404 Not Found"


def test_at_200_columns_titles_and_errors_are_whole_on_the_feeds_line() -> None:
    lines = render(200)

    assert line_of(lines, "The Verge").startswith(FEEDS[1].title + "  ")
    assert line_of(lines, "极客公园").startswith(FEEDS[0].title + "  ")
    # The long error would not fit whole after its feed: every error gets its own line, whole.
    broken = lines.index(line_of(lines, "Broken Feed"))
    assert lines[broken + 1] == "  error: " + LONG_ERROR
    assert lines[broken + 3] == "  error: HTTP 404 Not Found"


def test_errors_that_fit_whole_stay_on_their_feeds_line() -> None:
    short = [FEEDS[0], FEEDS[1], FEEDS[3]]
    lines = [
        line.plain
        for line in status_lines(
            short, config_path=Path("/f.toml"), sync=None, filters=[], width=200, now=NOW
        )
    ]

    assert cells(line_of(lines, "news.example.net"))[-1] == "HTTP 404 Not Found"
    assert cells(line_of(lines, "feed "))[-1] == "error"
    assert len(lines) == 2 + len(short), "one line per feed"


def test_without_sync_there_is_no_from_column() -> None:
    lines = render(80, sync=None)

    assert lines[1].split()[:2] == ["feed", "tags"]
    assert "local" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("text", "width", "fitted"),
    [
        ("Alpha beta gamma delta", 100, "Alpha beta gamma delta"),
        ("Alpha beta gamma delta", 16, "Alpha beta…"),
        ("Supercalifragilistic", 10, "Supercali…"),
        ("极客公园科技", 7, "极客公…"),  # 6 cells + "…": a wide character is never split
        ("极客公园科技", 8, "极客公…"),
        ("HTTP 500: Internal Server Error", 12, "HTTP 500…"),  # no dangling ":"
    ],
)
def test_fit_cells(text: str, width: int, fitted: str) -> None:
    assert fit_cells(text, width) == fitted
    assert cell_len(fit_cells(text, width)) <= width


# --- the real command, piped -----------------------------------------------------------------


@pytest.mark.slow
def test_piped_status_is_80_columns_whatever_the_terminal_and_columns_widens_it(
    tmp_path: Path,
) -> None:
    config = tmp_path / "feeds.toml"
    feeds = [
        ("https://example.org/verge.xml", FEEDS[1].title),
        ("https://example.org/geekpark.xml", FEEDS[0].title),
    ]
    config.write_text(
        "".join(f'[[feeds]]\nurl = "{url}"\ntitle = "{title}"\n\n' for url, title in feeds),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTUI_")}
    env.pop("COLUMNS", None)
    env.update(NEWSTUI_CONFIG=str(config), NEWSTUI_DATA_DIR=str(tmp_path / "data"))

    def status(*args: str, **extra: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "newstui", "status", *args],
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "\x1b" not in done.stdout, "no colour in a pipe"
        return done.stdout.splitlines()

    piped = status()
    assert max(cell_len(line) for line in piped) == 80, "\n".join(piped)
    assert line_of(piped, "The Verge").split("  ")[0].endswith("…")
    wide = status(COLUMNS="200")
    assert line_of(wide, "The Verge").startswith(FEEDS[1].title + "  ")
    assert max(cell_len(line) for line in status("--width", "60")) <= 60
    document = json.loads("\n".join(status("--json")))
    assert [feed["title"] for feed in document["feeds"]] == [FEEDS[1].title, FEEDS[0].title]
