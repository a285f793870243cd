"""HelpScreen: every key of the reader, read from the live bindings (so remapped keys show)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from newstui.ui.bindings import display_keys


def binding_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, description, id) for each binding that has an id, as the user has them now."""
    keys_by_id: dict[str, list[str]] = {}
    info: dict[str, Binding] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id:
            # Textual's names ("down", "pagedown", "ctrl+d"), as in [keymap] and the README:
            # its footer glyphs (↓, pgdn, ^d) are cryptic in a table of every key.
            keys_by_id.setdefault(binding.id, []).append(display_keys(key))
            info.setdefault(binding.id, binding)
    rows = sorted(
        ((", ".join(keys_by_id[i]), b.tooltip or b.description, i) for i, b in info.items()),
        key=lambda row: row[2],
    )
    # Nine "open link N" rows say one thing: fold them into one.
    links = [row for row in rows if row[2].startswith("article.open-link-")]
    if links:
        digits = sorted(r[0] for r in links)
        plain = digits == [str(n) for n in range(10)]
        folded = (
            "0-9" if plain else ", ".join(digits),
            "Open link [N] of the article (type 1 2 quickly for [12])",
            "article.open-link-N",
        )
        rows = [r for r in rows if r not in links] + [folded]
        rows.sort(key=lambda row: row[2])
    return rows


class HelpScreen(ModalScreen[None]):
    """`?`: the keys, grouped as they are declared; Escape, q or ? closes it."""

    # The reader's own movement ids, so a remapped G or j scrolls the help as it moves lists.
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", id="nav.down", show=False),
        Binding("k,up", "scroll(-1)", "Up", id="nav.up", show=False),
        Binding(
            "pagedown,ctrl+d,space", "scroll_page(1)", "Page down", id="nav.page-down", show=False
        ),
        Binding("pageup,ctrl+u", "scroll_page(-1)", "Page up", id="nav.page-up", show=False),
        Binding("g,home", "scroll_edge(0)", "Top", id="nav.top", show=False),
        Binding("G,end", "scroll_edge(1)", "Bottom", id="nav.bottom", show=False),
    ]

    def __init__(self, main: Screen[object]) -> None:
        super().__init__()
        self._main = main

    def compose(self) -> ComposeResult:
        table = Table(title=Text("Keys"), box=None, padding=(0, 1), expand=True)
        # Keys and ids are never cut (an id is copied into feeds.toml): the action wraps.
        table.add_column(Text("keys"), no_wrap=True)
        table.add_column(Text("action"), ratio=1)
        table.add_column(Text("id ([keymap])"), style="dim", no_wrap=True)
        for keys, description, binding_id in binding_rows(self._main):
            table.add_row(Text(keys), Text(description), Text(binding_id))
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(Text("Escape closes this help. Ctrl+P lists every command."))

    @property
    def _body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        self._body.scroll_relative(y=lines, animate=False)

    def action_scroll_page(self, direction: int) -> None:
        body = self._body
        body.scroll_relative(y=direction * max(1, body.size.height - 1), animate=False)

    def action_scroll_edge(self, end: int) -> None:
        body = self._body
        body.scroll_to(y=body.max_scroll_y if end else 0, animate=False)
