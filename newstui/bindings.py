"""Every key binding of the reader, each with a stable id users can remap in `[keymap]`.

Ids are `<scope>.<action>`. The defaults follow vim and newsboat habits. All bindings live on
the main screen (not on individual widgets) so that one table documents them, the help screen
lists them, and one keymap remaps them.
"""

from __future__ import annotations

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
    # outside world
    Binding("o", "open_in_browser", "Browser", id="entry.open-in-browser"),
    Binding("y", "copy_link", "Copy link", show=False, id="entry.copy-link"),
    Binding("r", "refresh_feed", "Refresh", show=False, id="feed.refresh"),
    Binding("R", "refresh_all", "Refresh all", id="feed.refresh-all"),
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("q", "quit", "Quit", id="app.quit"),
]
"""The main screen's bindings (the app adds `app.command-palette`, Ctrl+P)."""
