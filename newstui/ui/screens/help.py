"""HelpScreen: every key of the reader, read from the live bindings (so remapped keys show)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, description, id) for each binding that has an id, as the user has them now."""
    keys_by_id: dict[str, list[str]] = {}
    info: dict[str, Binding] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id:
            keys_by_id.setdefault(binding.id, []).append(
                screen.app.get_key_display(Binding(key, binding.action))
            )
            info.setdefault(binding.id, binding)
    rows = sorted(
        ((", ".join(keys_by_id[i]), b.tooltip or b.description, i) for i, b in info.items()),
        key=lambda row: row[2],
    )
    # Nine "open link N" rows say one thing: fold them into one.
    links = [row for row in rows if row[2].startswith("article.open-link-")]
    if links:
        folded = (
            ", ".join(r[0] for r in links),
            "Open link [N] of the article",
            "article.open-link-N",
        )
        rows = [r for r in rows if r not in links] + [folded]
        rows.sort(key=lambda row: row[2])
    return rows


class HelpScreen(ModalScreen[None]):
    """`?`: the keys, grouped as they are declared; Escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, main: Screen[object]) -> None:
        super().__init__()
        self._main = main

    def compose(self) -> ComposeResult:
        table = Table(title=Text("Keys"), box=None, padding=(0, 2), expand=False)
        table.add_column(Text("keys"), no_wrap=True)
        table.add_column(Text("action"))
        table.add_column(Text("id (for [keymap] in feeds.toml)"), style="dim")
        for keys, description, binding_id in binding_rows(self._main):
            table.add_row(Text(keys), Text(description), Text(binding_id))
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(Text("Escape closes this help. Ctrl+P lists every command."))
