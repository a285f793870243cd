"""The peer for `tui_bench.py`: a bare Textual app of the reader's shape, nothing of newstui.

A status line, a Line API list of `--rows` plain rows with a cursor (Down/Up) and a Footer:
what any Textual program pays for its start and for a key, measured by the same tuiprobe in
the same run as newstui, so the benchmark reports ratios rather than this machine's speed.

    python bench/bare_app.py --rows 1000
"""

from __future__ import annotations

import argparse

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

NORMAL = Style()
CURSOR = Style(reverse=True)


class Rows(ScrollView, can_focus=True):
    BINDINGS = [Binding("down", "move(1)"), Binding("up", "move(-1)")]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count, self.cursor = count, 0
        self.virtual_size = Size(100, count)

    def render_line(self, y: int) -> Strip:
        i = self.scroll_offset.y + y
        width = self.size.width
        if i >= self.count:
            return Strip.blank(width)
        text = f"Bare row {i:06d} headline text of a plain row"[:width].ljust(width)
        return Strip([Segment(text, CURSOR if i == self.cursor else NORMAL)], width)

    def action_move(self, delta: int) -> None:
        self.cursor = max(0, min(self.count - 1, self.cursor + delta))
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False)
        self.refresh()
        self.app.query_one("#status", Static).update(f"cursor at row {self.cursor:06d}")


class BareApp(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Static("cursor at row 000000", id="status")
        yield Rows(self.rows)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Rows).focus()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    BareApp(parser.parse_args().rows).run()
