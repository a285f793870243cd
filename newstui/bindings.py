"""Every key binding of the reader, each with a stable id users can remap in `[keymap]`.

Ids are `<scope>.<action>`. The defaults follow vim and newsboat habits. All bindings live on
the main screen (not on individual widgets) so that one table documents them, the help screen
lists them, and one keymap remaps them.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from textual.binding import Binding

MAIN_BINDINGS: list[Binding] = [
    # navigation (whichever pane has focus)
    Binding("j,down", "move(1)", "Down", show=False, id="nav.down"),
    Binding("k,up", "move(-1)", "Up", show=False, id="nav.up"),
    Binding("g,home", "move_to_edge(0)", "Top", show=False, id="nav.top"),
    Binding("G,end", "move_to_edge(1)", "Bottom", show=False, id="nav.bottom"),
    Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="nav.page-down"),
    Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="nav.page-up"),
    Binding("tab,l", "focus_pane(1)", "Next pane", show=False, id="nav.next-pane"),
    Binding("shift+tab,h", "focus_pane(-1)", "Previous pane", show=False, id="nav.previous-pane"),
    Binding("enter", "open_entry", "Open", id="entry.open"),
    Binding("space", "read_on", "Page/next", show=False, id="article.page-or-next"),
    Binding("escape", "back", "Back", show=False, id="nav.back"),
    Binding("n", "next_unread(1)", "Next unread", id="entry.next-unread"),
    Binding("p", "next_unread(-1)", "Prev unread", show=False, id="entry.previous-unread"),
    # state
    Binding("m", "toggle_read", "Read/unread", id="entry.toggle-read"),
    Binding("A", "mark_all_read", "All read", id="feed.mark-all-read"),
    Binding("u", "undo", "Undo", show=False, id="app.undo"),
    Binding("b,ctrl+b", "toggle_bookmark", "Bookmark", id="entry.toggle-bookmark"),
    Binding("B", "show_bookmarks", "Bookmarks", show=False, id="view.bookmarks"),
    Binding("full_stop", "toggle_show_read", "Show/hide read", show=False, id="view.toggle-read"),
    Binding("right_square_bracket", "next_feed(1)", "Next feed", show=False, id="feed.next"),
    Binding("left_square_bracket", "next_feed(-1)", "Prev feed", show=False, id="feed.previous"),
    # outside world
    Binding("o", "open_in_browser", "Browser", id="entry.open-in-browser"),
    Binding("y", "copy_link", "Copy link", show=False, id="entry.copy-link"),
    Binding("r", "refresh_feed", "Refresh", show=False, id="feed.refresh"),
    Binding("R", "refresh_all", "Refresh all", id="feed.refresh-all"),
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("q", "quit", "Quit", id="app.quit"),
]
"""The main screen's bindings (the app adds `app.command-palette`, Ctrl+P)."""

APP_BINDINGS: list[Binding] = [
    Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.command-palette"),
]

PRESETS: dict[str, dict[str, str]] = {
    "vim": {},
    # newsboat's defaults where they differ (PEERS.md §4.4): J/K move, j/k change feed,
    # N toggles read, Ctrl+B bookmarks (b pages up), l shows/hides read entries.
    "newsboat": {
        "nav.down": "J,down",
        "nav.up": "K,up",
        "feed.next": "j",
        "feed.previous": "k",
        "entry.toggle-read": "N",
        "entry.toggle-bookmark": "ctrl+b",
        "nav.page-up": "pageup,b",
        "view.toggle-read": "l",
        "nav.next-pane": "tab",
        "nav.previous-pane": "shift+tab",
    },
}


def known_bindings() -> dict[str, Binding]:
    """Every remappable binding by id."""
    return {b.id: b for b in (*MAIN_BINDINGS, *APP_BINDINGS) if b.id}


def normalize_key(key: str) -> str:
    """A key as Textual names it: "?" → "question_mark" (as `App.set_keymap` does)."""
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        return unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    return key


@dataclass
class KeymapCheck:
    """The keymap to apply, and what was wrong with the user's (one notification's worth)."""

    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_keymap(user: Mapping[str, str], preset: str = "vim") -> KeymapCheck:
    """Merge the preset with the user's `[keymap]`, reporting unknown ids and clashes.

    The user's entries win over the preset's. Unknown ids are dropped with a "did you mean";
    two actions on one key are reported, not silently resolved (Textual would keep only one).
    """
    known = known_bindings()
    check = KeymapCheck(dict(PRESETS.get(preset, {})))
    for binding_id, keys in user.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            check.problems.append(f"unknown binding id '{binding_id}'{hint}")
            continue
        names = [normalize_key(k) for k in keys.split(",") if k.strip()]
        if not names:
            check.problems.append(f"'{binding_id}' has no keys")
            continue
        check.keymap[binding_id] = ",".join(names)
    owners: dict[str, list[str]] = {}
    for binding_id, binding in known.items():
        keys = check.keymap.get(binding_id, binding.key)
        for key in keys.split(","):
            owners.setdefault(normalize_key(key), []).append(binding_id)
    for key, ids in owners.items():
        if len(ids) > 1:
            check.problems.append(f"key '{key}' is bound to both {' and '.join(ids)}")
    return check
