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


def _key(
    keys: str, action: str, description: str, binding_id: str, tooltip: str, *, show: bool = False
) -> Binding:
    return Binding(keys, action, description, show=show, id=binding_id, tooltip=tooltip)


MAIN_BINDINGS: list[Binding] = [
    # navigation (whichever pane has focus)
    _key("j,down", "move(1)", "Down", "nav.down", "Move down in the focused pane"),
    _key("k,up", "move(-1)", "Up", "nav.up", "Move up in the focused pane"),
    _key(
        "g,home", "move_to_edge(0)", "Top", "nav.top", "Go to the first row, or the article's top"
    ),
    _key(
        "G,end",
        "move_to_edge(1)",
        "Bottom",
        "nav.bottom",
        "Go to the last row, or the article's end",
    ),
    _key("pagedown,ctrl+d", "page(1)", "Page down", "nav.page-down", "Page down"),
    _key("pageup,ctrl+u", "page(-1)", "Page up", "nav.page-up", "Page up"),
    _key("tab,l", "focus_pane(1)", "Next pane", "nav.next-pane", "Focus the pane to the right"),
    _key(
        "shift+tab,h",
        "focus_pane(-1)",
        "Prev pane",
        "nav.previous-pane",
        "Focus the pane to the left",
    ),
    _key(
        "enter",
        "open_entry",
        "Open",
        "entry.open",
        "Open the highlighted entry (marks it read)",
        show=True,
    ),
    _key(
        "space",
        "read_on",
        "Page/next",
        "article.page-or-next",
        "Scroll the article; at its end, open the next unread entry",
    ),
    _key(
        "escape",
        "back",
        "Back",
        "nav.back",
        "Back: close the full-screen article, or focus the pane to the left",
    ),
    _key(
        "n",
        "next_unread(1)",
        "Next unread",
        "entry.next-unread",
        "Open the next unread entry, going on to the next feed",
        show=True,
    ),
    _key(
        "p",
        "next_unread(-1)",
        "Prev unread",
        "entry.previous-unread",
        "Open the previous unread entry",
    ),
    # state
    _key(
        "m",
        "toggle_read",
        "Read/unread",
        "entry.toggle-read",
        "Toggle the entry read or unread",
        show=True,
    ),
    _key(
        "A",
        "mark_all_read",
        "All read",
        "feed.mark-all-read",
        "Mark every entry of the feed or view read (undo brings them back)",
        show=True,
    ),
    _key("u", "undo", "Undo", "app.undo", "Undo the last mark-read action"),
    _key(
        "b,ctrl+b",
        "toggle_bookmark",
        "Bookmark",
        "entry.toggle-bookmark",
        "Add or remove a bookmark",
        show=True,
    ),
    _key("B", "show_bookmarks", "Bookmarks", "view.bookmarks", "Show the Bookmarks view"),
    _key(
        "slash",
        "search",
        "Search",
        "view.search",
        "Search every entry, results as you type (Escape goes back)",
    ),
    _key(
        "full_stop",
        "toggle_show_read",
        "Show/hide read",
        "view.toggle-read",
        "Show or hide read entries in feed views",
    ),
    _key(
        "less_than_sign",
        "resize_feeds(-2)",
        "Narrower feeds",
        "view.feeds-narrower",
        "Make the feed pane narrower",
    ),
    _key(
        "greater_than_sign",
        "resize_feeds(2)",
        "Wider feeds",
        "view.feeds-wider",
        "Make the feed pane wider",
    ),
    _key(
        "right_square_bracket",
        "next_feed(1)",
        "Next feed",
        "feed.next",
        "Show the next feed's headlines",
    ),
    _key(
        "left_square_bracket",
        "next_feed(-1)",
        "Prev feed",
        "feed.previous",
        "Show the previous feed's headlines",
    ),
    # outside world
    _key(
        "o",
        "open_in_browser",
        "Browser",
        "entry.open-in-browser",
        "Open the entry's link in the browser (http/https only)",
        show=True,
    ),
    _key(
        "f",
        "toggle_full_text",
        "Full text",
        "article.full-text",
        "Reader mode: show the web page's article instead of the feed's text, and back",
    ),
    _key("L", "show_links", "Links", "article.links", "List the article's links to open one"),
    *(
        _key(str(n), f"open_link({n})", f"Link {n}", f"article.open-link-{n}", f"Open link [{n}]")
        for n in range(1, 10)
    ),
    _key(
        "0",
        "open_link(0)",
        "Link 0",
        "article.open-link-0",
        "Second digit of a link number: 1 then 0 opens link [10]",
    ),
    _key(
        "y",
        "copy_link",
        "Copy link",
        "entry.copy-link",
        "Copy the entry's link to the clipboard (OSC 52)",
    ),
    _key("r", "refresh_feed", "Refresh", "feed.refresh", "Refresh the selected feed (or tag) now"),
    # subscriptions (written to feeds.toml, only the feed's own lines)
    _key(
        "a",
        "add_feed",
        "Add feed",
        "feed.add",
        "Add a feed: its address, or any web page's (its feeds are found)",
    ),
    _key(
        "d,delete",
        "remove_feed",
        "Remove feed",
        "feed.remove",
        "Remove the highlighted feed, after asking (its read state is kept)",
    ),
    _key("e", "edit_feed", "Edit feed", "feed.edit", "Edit the highlighted feed's title and tags"),
    _key(
        "R", "refresh_all", "Refresh all", "feed.refresh-all", "Refresh every feed now", show=True
    ),
    _key("question_mark", "help", "Help", "app.help", "Show every key", show=True),
    _key("q", "app.quit", "Quit", "app.quit", "Quit", show=True),
]
"""The main screen's bindings (the app adds `app.command-palette`, Ctrl+P)."""

APP_BINDINGS: list[Binding] = [
    _key(
        "ctrl+p", "command_palette", "Commands", "app.command-palette", "Every action, searchable"
    ),
    _key("T", "change_theme", "Theme", "app.theme", "Pick a theme, previewed as you move"),
]

PRESETS: dict[str, dict[str, str]] = {
    "vim": {},
    # newsboat's defaults (its src/keymap.cpp) where they differ: J/K move, j/k change feed,
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
        "article.links": "u",
        "app.undo": "U",
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


def display_keys(keys: str) -> str:
    """Keys as a person writes them: "full_stop,ctrl+d" → ". / ctrl+d"."""

    def one(key: str) -> str:
        if key == "slash":  # Unicode calls it SOLIDUS
            return "/"
        # Only Textual's names of punctuation ("full_stop") become their character: "tab",
        # "escape" and "space" are also Unicode names, of bytes a table cannot show.
        name = key.replace("_", " ")
        try:
            char = unicodedata.lookup(name)
        except KeyError:
            try:  # "less_than_sign" is Textual's name for LESS-THAN SIGN
                char = unicodedata.lookup(name.replace(" than", "-than"))
            except KeyError:
                return key
        return char if char.isprintable() and not char.isspace() else key

    return " / ".join(one(k.strip()) for k in keys.split(","))


def keymap_table() -> list[tuple[str, str, str, str]]:
    """(id, default keys, newsboat preset keys, what it does): the README's key table."""
    newsboat = PRESETS["newsboat"]
    return [
        (
            binding_id,
            display_keys(binding.key),
            display_keys(newsboat[binding_id]) if binding_id in newsboat else "same",
            binding.tooltip,
        )
        for binding_id, binding in known_bindings().items()
    ]


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
