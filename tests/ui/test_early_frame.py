"""The early first frame (newstui.core.first_frame, drawn by newstui.early_frame before Textual
is imported) has, in every cell it draws, the text and colours of Textual's first frame: the
switch from one to the other shows no jump."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest
from rich.cells import get_character_cell_size
from textual.strip import Strip

from newstui.core import paths
from newstui.core.first_frame import NARROW_WIDTH, SCROLLBAR, frame_runs, panes
from newstui.core.models import FeedSpec
from newstui.store import Store
from newstui.store.first_screen import FirstScreen
from newstui.ui import first_frame_palette
from newstui.ui.first_frame_palette import sample_palette
from newstui.ui.screens import main as main_module
from tests.support.wait import until
from tests.ui.conftest import DEFAULT_FEEDS, NOW, TECH, entry, save_entries
from tests.ui.test_main_screen import main

HOSTILE = "https://hostile.example/feed"
FEEDS = [
    *DEFAULT_FEEDS,
    FeedSpec(HOSTILE, title="公园 Wide\t公园 feed \x1b[31mred\u202e evil\n x", tags=("tech",)),
    *(FeedSpec(f"https://f{n}.example/feed", title=f"Filler feed {n}") for n in range(40)),
]


def cells(text: str) -> list[str]:
    """One string per terminal cell ("" for the right half of a wide character)."""
    out: list[str] = []
    for char in text:
        size = get_character_cell_size(char)
        if size:
            out += [char] + [""] * (size - 1)
    return out


def styled_cells(runs) -> list[tuple[str, str]]:
    return [(cell, role) for role, text in runs for cell in cells(text)]


def textual_cells(strip: Strip, system) -> list[tuple[str, str]]:
    out = []
    for segment in strip:
        if segment.control:
            continue
        sgr = Strip.render_ansi(segment.style, system) if segment.style else ""
        out += [(cell, sgr) for cell in cells(segment.text)]
    return out


HOSTILE_TITLES = [
    "Escape \x1b]2;pwned\x07 title \x9b31m C1 CSI",
    "Tab\there\nnewline \u202eRLO evil\u202c \u202dLRO\u202c \x85NEL \x1b[2J clear"
    " \x1b]52;c;aGk=\x07",
]
"""Written into the database as another program might (the store cleans what it ingests)."""


def fill_many(store: Store) -> None:
    store.sync_feeds(FEEDS, now=NOW)
    save_entries(store, TECH, [entry(i, TECH, hours_old=i * 5) for i in range(45)])
    titles = ["速報 公园の桜が満開に 公园 公园 公园 公园", "placeholder", "placeholder"]
    save_entries(
        store,
        HOSTILE,
        [entry(i, HOSTILE, hours_old=i * 5 + 2, title=t) for i, t in enumerate(titles)],
    )
    with sqlite3.connect(store.path) as db:
        for n, title in enumerate(HOSTILE_TITLES, start=1):
            db.execute("UPDATE entries SET title = ? WHERE guid = ?", (title, f"{HOSTILE}#{n}"))
    db.close()


def bundled_themes() -> list[str]:
    return sorted(p.stem for p in paths.bundled_themes_dir().glob("*.toml"))


CASES = [
    *((size, {}) for size in [(120, 40), (80, 24), (200, 50)]),
    ((120, 40), {"no_color": True}),
    ((80, 24), {"no_color": True}),
    ((120, 40), {"show_read": False}),
    ((80, 24), {"keys": "newsboat"}),
    *(((120, 40), {"theme": name}) for name in bundled_themes()),
]


@pytest.mark.parametrize(("size", "case"), CASES, ids=lambda v: str(v))
async def test_the_early_frame_has_textual_first_frame_cells(
    make_app, db_path, monkeypatch, size, case
) -> None:
    """At each size, in each bundled theme, with and without colour, with `show_read` off and
    the newsboat keys: every cell the early frame draws is the cell Textual's first frame has,
    in the same colours. Hostile text in the database is cleaned alike in both."""
    if case.get("no_color"):
        monkeypatch.setenv("NO_COLOR", "1")
    settings = {k: case[k] for k in ("show_read", "keys") if k in case}
    app = make_app(FEEDS, filled=False, theme=case.get("theme"), **settings)
    fill_many(app.store)
    data = FirstScreen(db_path).wait(5, FEEDS)
    assert data is not None
    width, height = size
    lines = frame_runs(size, data.feeds, data.hidden_bookmarks, data.headlines,
                       data.unread_count, NOW, show_read=case.get("show_read", True))  # fmt: skip
    assert lines is not None and len(lines) == height
    drawn_text = "".join(text for line in lines for _, text in line)
    assert not [c for c in drawn_text if unicodedata.category(c)[0] == "C"]  # no control
    assert "Tab here newline" in drawn_text and "Escape title" in drawn_text  # cleaned, kept
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = main(app)
        palette = sample_palette(screen)
        assert palette is not None
        strips = screen._compositor.render_strips()
        system = app.console._color_system
        narrow = screen.has_class("-narrow")
        theme_shown = app.theme
        scrollbars = set()
        for widget in (screen.feed_list, screen.entry_list):
            if widget.show_vertical_scrollbar:
                right = widget.scrollable_content_region.right
                if widget.styles.scrollbar_size_vertical == 0:  # its own bar, in its lines
                    right -= SCROLLBAR
                scrollbars |= set(range(right, right + SCROLLBAR))
    layout = panes(width, None)
    assert (layout.article_x is None) == (width < NARROW_WIDTH) == narrow
    assert len(scrollbars) == 2 * SCROLLBAR  # both lists are longer than the screen
    seen = "\n".join(strip.text for strip in strips)
    assert "Headline 0 of tech.example" in seen and "公园 Wide" in seen  # the data is there
    assert theme_shown == case.get("theme", "textual-dark")
    for y, (runs, strip) in enumerate(zip(lines, strips, strict=True)):
        early, drawn = styled_cells(runs), textual_cells(strip, system)
        assert len(early) == len(drawn) == width, y
        for x, ((char, role), (char_t, sgr_t)) in enumerate(zip(early, drawn, strict=True)):
            inside = 0 < y < height - 1 and (layout.article_x is None or x <= layout.article_x)
            if x in scrollbars and 1 < y < height - 1:
                assert char == " ", (x, y)  # the scrollbar is Textual's to draw
            elif inside or char.strip():
                # Every cell of the title bars, the lists and the borders; elsewhere (the
                # status line, the footer, the article) what is drawn.
                assert char == char_t, (x, y, "".join(c for c, _ in early))
                if role in palette and (char.strip() or role.endswith("blank")):
                    assert palette[role] == sgr_t, (x, y, role)


def test_narrow_width_agrees_with_the_screen() -> None:
    assert NARROW_WIDTH == main_module.NARROW_WIDTH


async def test_a_palette_that_cannot_be_sampled_never_breaks_the_reader(
    make_app, db_path, monkeypatch
) -> None:
    """Keeping the palette reads Textual's internals: if a Textual version moved them, there
    is just no palette (no early frame next time); the reader shows its first article and
    answers keys as ever."""
    app = make_app(FEEDS, filled=False)
    fill_many(app.store)
    first = FirstScreen(db_path)
    kept = db_path.parent / "first-frame-palette.json"
    first.palette_request = (kept, "key")
    app.first_screen = first

    def moved(screen: object) -> None:
        raise AttributeError("'MainScreen' object has no attribute '_compositor'")

    monkeypatch.setattr(first_frame_palette, "sample_palette", moved)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        # the first article, after the first frame
        await until(pilot, lambda: screen.entry_view.shown_id is not None)
        await pilot.press("j")
        await pilot.pause()
        assert screen.entry_list.cursor == 1
        assert app.is_running
    assert not kept.exists()
