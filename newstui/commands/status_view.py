"""`newstui status` as lines that fit a width: one line per feed, like `git status` or `ls -l`.

The width is the terminal's (or `$COLUMNS`, or `--width`), 80 when piped, so cron mail and
`newstui status | less` read the same as the screen. Every cell is measured in terminal cells
(CJK counts double); titles, tags and errors that do not fit end at a word with "…". Columns
that cannot fit are left out, least useful first. Errors go in a last column when every one
fits there whole, else each on an indented line of its own under its feed. Scripts use
`newstui status --json`, which this does not touch.

Pure: feeds, sync state and filter counts in, rich `Text` lines out (feed text is never markup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text

from newstui.core.cells import cell_len, fit_cells, pad_cells
from newstui.core.models import Feed
from newstui.core.timefmt import ago

GAP = 2
MIN_NAME = 12
"""Below this a feed's name is unrecognisable: drop a column instead."""
DROP_ORDER = ("tags", "bkm", "total", "next due", "last ok")
"""Which columns go first when the width is short (unread, the name and errors never do)."""


@dataclass
class _Column:
    header: str
    cells: list[str]
    right: bool = False
    style: str = ""
    width: int = 0

    @property
    def need(self) -> int:
        return max([cell_len(self.header), *(cell_len(cell) for cell in self.cells)])


def status_lines(
    feeds: list[Feed],
    *,
    config_path: Path,
    sync: dict[str, Any] | None,
    filters: list[tuple[str, int]],
    width: int,
    now: datetime,
) -> list[Text]:
    """Every line of `newstui status`, none wider than `width` cells."""
    width = max(width, 20)
    lines = _summary(feeds, config_path, width)
    if sync is not None:
        lines += _sync_lines(sync, width, now)
    if feeds:
        lines += _table(feeds, with_origin=sync is not None, width=width, now=now)
    for key, caught in filters:
        lines.append(Text(fit_cells(f"Filter {key}: caught {caught} new entries", width)))
    return lines


def _summary(feeds: list[Feed], config_path: Path, width: int) -> list[Text]:
    failing = sum(1 for feed in feeds if feed.last_error)
    unread = sum(feed.unread for feed in feeds)
    counts = f"{_plural(len(feeds), 'feed')}, {unread} unread"
    if failing:
        counts += f", {failing} failing"
    path = _home_relative(config_path)
    line = f"{counts} from {path}"
    if cell_len(line) <= width:
        return [Text(line)]
    return [
        *(Text(row) for row in _wrap(counts, width)),
        Text("from " + _fit_path(path, width - 5), style="dim"),
    ]


def _sync_lines(sync: dict[str, Any], width: int, now: datetime) -> list[Text]:
    last = sync["last_sync_at"]
    when = ago(datetime.fromisoformat(last), now) if last else "never"
    line = (
        f"Sync: {sync['server']} {sync['url']}, last sync {'just now' if when == 'now' else when}"
        f", {sync['changes_waiting']} changes waiting"
    )
    lines = [Text(row) for row in _wrap(line, width)]
    if sync["last_error"]:
        lines.append(Text(fit_cells(f"  sync error: {sync['last_error']}", width), style="red"))
    if sync["warning"]:
        lines += [Text(row, style="yellow") for row in _wrap(f"warning: {sync['warning']}", width)]
    return lines


def _table(feeds: list[Feed], *, with_origin: bool, width: int, now: datetime) -> list[Text]:
    name = _Column("feed", [_display_name(feed) for feed in feeds])
    origin = _Column("from", [feed.origin for feed in feeds])
    tags = _Column("tags", [", ".join(feed.tags) for feed in feeds], style="dim")
    numbers = [
        _Column("unread", [str(feed.unread) for feed in feeds], right=True, style="bold"),
        _Column("total", [str(feed.total) for feed in feeds], right=True),
        _Column("bkm", [str(feed.bookmarks) for feed in feeds], right=True),
        _Column("last ok", [ago(feed.last_ok_at, now) for feed in feeds], right=True),
        _Column(
            "next due",
            [ago(feed.next_due_at, now) if feed.next_due_at else "now" for feed in feeds],
            right=True,
        ),
    ]
    error = _Column("error", [feed.last_error or "" for feed in feeds], style="red")
    fixed = ([origin] if with_origin else []) + numbers
    optional = [tags] if any(tags.cells) else []
    error_inline = _fit_columns(name, optional, fixed, error, width)
    name.cells = [
        _fit_name(cell, name.width, is_url=feed.title == feed.url)
        for cell, feed in zip(name.cells, feeds, strict=True)
    ]
    origins = [origin] if with_origin else []
    numbers = [column for column in fixed if column not in origins]  # some may have been dropped
    columns = [name, *origins, *optional, *numbers] + ([error] if error_inline else [])
    lines = [_row([(column, column.header) for column in columns], header=True)]
    for index, feed in enumerate(feeds):
        lines.append(_row([(column, column.cells[index]) for column in columns]))
        details = [] if error_inline or not feed.last_error else [("error: ", feed.last_error)]
        if feed.moved_to:
            details.append(("moved permanently to ", f"{feed.moved_to} (update feeds.toml)"))
        if feed.warning:
            details.append(("warning: ", feed.warning))
        for label, text in details:
            style = "red" if label == "error: " else "yellow"
            lines.append(Text(fit_cells(f"  {label}{text}", width), style=style))
    return lines


def _fit_columns(
    name: _Column, optional: list[_Column], fixed: list[_Column], error: _Column, width: int
) -> bool:
    """Set every kept column's width (dropping some from `optional`/`fixed` when `width` is
    short); True when errors fit on their feed's line."""
    errors = any(error.cells)
    while True:
        for column in optional + fixed:
            column.width = column.need
        room = width - sum(column.width + GAP for column in optional + fixed)
        if name.need <= room or room >= MIN_NAME or not _drop_one(optional, fixed):
            break
    tags = optional[0] if optional else None
    if tags is not None:  # tags share the room with the name, at most a quarter of it
        room += tags.width
        tags.width = min(tags.need, 24, room // 4)
        room -= tags.width
        if tags.width < 4:
            optional.clear()
            room += tags.width + GAP
    name.width = min(name.need, max(room, 1))
    if not errors:
        return False
    # Room for every error, whole, on its feed's line? The name gives up to half its room.
    shared = min(name.need, max(room // 2, MIN_NAME))
    spare = room - shared - GAP
    if spare < error.need:  # a line of its own keeps the whole message where this cannot
        return False
    error.width = error.need
    name.width = min(name.need, room - error.width - GAP)
    return True


def _drop_one(optional: list[_Column], fixed: list[_Column]) -> bool:
    for header in DROP_ORDER:
        for columns in (optional, fixed):
            for column in columns:
                if column.header == header:
                    columns.remove(column)
                    return True
    return False


def _row(cells: list[tuple[_Column, str]], *, header: bool = False) -> Text:
    line = Text(style="bold" if header else "")
    for position, (column, value) in enumerate(cells):
        if position:
            line.append(" " * GAP)
        text = pad_cells(fit_cells(value, column.width), column.width, right=column.right)
        line.append(text, style="" if header else column.style)
    line.rstrip()
    return line


def _display_name(feed: Feed) -> str:
    """The feed's title; a feed never fetched is named by its URL, without the scheme."""
    if feed.title == feed.url:
        return feed.url.removeprefix("https://").removeprefix("http://")
    return feed.title


def _fit_name(name: str, width: int, *, is_url: bool) -> str:
    """A title ends at a word; a URL keeps its host and the end of its path, which is what
    tells two feeds of one site apart (`example.org/…/news.xml`)."""
    if not is_url or cell_len(name) <= width:
        return fit_cells(name, width)
    host, slash, _path = name.partition("/")
    head = fit_cells(host, max(min(cell_len(host), width // 2), 1)).removesuffix("…")
    tail = name
    while tail and cell_len(head) + 1 + cell_len(tail) > width:
        tail = tail[1:]
    return head + "…" + tail if slash and tail else fit_cells(name, width)


def _home_relative(path: Path) -> str:
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _fit_path(path: str, width: int) -> str:
    """A path too long for the line keeps its end (the file's name), like a shell prompt."""
    if cell_len(path) <= width:
        return path
    kept = path
    while kept and cell_len(kept) > width - 1:
        kept = kept[1:]
    return "…" + kept


def _wrap(text: str, width: int) -> list[str]:
    """Words greedily into lines of `width` cells (a word wider than that is cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = fit_cells(word, width)
    if current:
        lines.append(current)
    return lines


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
