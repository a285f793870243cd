"""Issue 11's reader defects, each pressed for real: what a first day with newstui trips over."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from newstui.core.config import parse_config
from newstui.core.views import View
from newstui.ui.bindings import check_keymap, keymap_table
from newstui.ui.screens.links import LinksScreen
from newstui.ui.screens.main import MainScreen
from tests.support.wait import settled, until
from tests.ui.conftest import DEFAULT_FEEDS, NOW, TECH, entry, save_entries

ROOT = Path(__file__).resolve().parents[2]


def main(app) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_h_and_l_stop_at_the_edges_and_the_focused_pane_stands_out(make_app) -> None:
    """Defect 2: no wrap from the last pane to the first; the focused pane's title is lit."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("h", "h")
        assert app.focused is screen.feed_list
        await pilot.press("h")  # the first pane: h stays, it does not jump to the article
        assert app.focused is screen.feed_list
        await pilot.press("l", "l", "l", "l")
        assert app.focused is screen.entry_view
        panes = (screen.feed_list, screen.entry_list, screen.entry_view)
        titles = [pane.border_title for pane in panes]
        assert all(titles), titles
        lit = [pane.styles.border_title_background for pane in panes]
        assert lit[2] != lit[0] and lit[0] == lit[1]


async def test_cursor_spans_the_row_on_views_and_tags(make_app) -> None:
    """Defect 3: "All unread", "Bookmarks" and tag rows get a full-width cursor too."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("h")
        for index in (0, 1, 2):  # All unread, Bookmarks, the "tech" tag row
            screen.feed_list.move_to(index)
            strip = screen.feed_list.render_line(index)
            backgrounds = {seg.style.bgcolor for seg in strip if seg.style}
            assert len(backgrounds) == 1, (index, backgrounds)


async def test_link_list_answers_j_and_k(make_app, opened) -> None:
    """Defect 4: every list answers the same keys; j picks the second link in `L`."""
    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    save_entries(
        app.store,
        TECH,
        [
            dataclasses.replace(
                entry(1, TECH, hours_old=1),
                content_html='<p><a href="https://a.example/">one</a> '
                '<a href="https://b.example/">two</a> <a href="https://c.example/">3</a></p>',
            )
        ],
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "L")
        await pilot.pause()
        assert isinstance(app.screen, LinksScreen)
        await pilot.press("j", "j", "k", "enter")
        await pilot.pause()
        assert opened == ["https://b.example/"]


async def test_undo_message_names_the_live_key(make_app) -> None:
    """Defect 6: under the newsboat preset undo is U, and the message says so."""
    app = make_app(keys="newsboat")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("A")
        messages = [n.message for n in app._notifications]
        assert any("Press U to undo" in m for m in messages), messages
        await pilot.press("U")
        assert sum(f.unread for f in main(app).feeds.values()) == 9
    assert all("u undoes" not in row[3] for row in keymap_table())


def test_readme_key_table_names_keys_without_control_bytes() -> None:
    """Defect 12: tab, escape and space by name, never the raw byte."""
    rows = keymap_table()
    for row in rows:
        for cell in row:
            assert not re.search(r"[\x00-\x1f\x7f]", cell), row
            assert cell.strip() == cell and cell, row
    by_id = {row[0]: row for row in rows}
    assert by_id["nav.next-pane"][1].startswith("tab")
    assert by_id["nav.back"][1] == "escape"
    assert by_id["article.page-or-next"][1] == "space"
    readme = (ROOT / "README.md").read_text("utf-8")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", readme)


def test_every_example_in_the_bundled_feeds_toml_is_valid() -> None:
    """Defect 11: uncomment each commented example and the file still loads, keymap clean."""
    path = ROOT / "feeds.toml"
    lines = []
    example = re.compile(r'^# ?(\[[\w.]+\]|"?[\w.-]+"? *= .*)$')
    uncommented = 0
    for line in path.read_text("utf-8").splitlines():
        if match := example.match(line):
            line = match.group(1)
            uncommented += 1
        lines.append(line)
    assert uncommented >= 4
    config = parse_config(path, "\n".join(lines) + "\n")
    assert config.keymap, "the keymap examples were not read"
    assert check_keymap(config.keymap, config.settings.keys).problems == []


async def test_lists_have_no_horizontal_scrollbar(make_app) -> None:
    """Defect 14: no wasted row under the feed and headline lists."""
    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    save_entries(app.store, TECH, [entry(i, TECH, hours_old=i) for i in range(80)])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("enter")
        await pilot.pause()
        for pane in (screen.feed_list, screen.entry_list, screen.entry_view):
            assert not pane.show_horizontal_scrollbar, pane
        assert screen.entry_list.show_vertical_scrollbar
        assert screen.feed_list.current_view == View.unread()


async def test_bookmarks_outlive_their_feed_leaving_feeds_toml(make_app) -> None:
    """Defect 13: a removed feed's bookmarks stay listed, counted and readable."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        kept = main(app).entry_list.current_id
        await pilot.press("b")
    world_only = [spec for spec in DEFAULT_FEEDS if spec.url != TECH]
    reopened = make_app(world_only, filled=False)
    async with reopened.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(reopened)
        assert TECH not in screen.feeds
        assert "Tech Daily" not in screen_text(reopened)  # the feed itself is gone
        await pilot.press("B")
        await pilot.pause()
        assert list(screen.entry_list.ids) == [kept]
        bookmarks_row = next(r for r in screen.feed_list._rows if r.view == View.bookmarks())
        assert bookmarks_row.unread == 1
        await pilot.press("enter")
        await pilot.pause()
        assert "Body of entry 0" in screen_text(reopened)
        await pilot.press("b")  # removed again: the count follows
        bookmarks_row = next(r for r in screen.feed_list._rows if r.view == View.bookmarks())
        assert bookmarks_row.unread == 0


async def test_help_shows_every_key_in_full_and_scrolls_with_G(make_app) -> None:
    """Defect 7: at 80x24 no id is cut, every key is named (down, pagedown, home, end), and
    G / End / PageDown scroll the help."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        body = help_screen.query_one("#help-body")
        seen = screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 0
        seen += screen_text(app)
        await pilot.press("g", "pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        while body.scroll_y < body.max_scroll_y:
            seen += screen_text(app)
            await pilot.press("pagedown")
            await pilot.pause()
        await pilot.press("home", "end")
        assert body.scroll_y == body.max_scroll_y
        assert "…" not in seen
        for text in ("app.command-palette", "entry.open-in-browser", "article.page-or-next"):
            assert text in seen
        rows = {}
        for line in seen.splitlines():
            if ids := re.findall(r"\b[a-z]+\.[a-zA-Z0-9-]+", line.split("│")[-2:][0]):
                rows[ids[-1]] = line
        assert "j, down" in rows["nav.down"] and "k, up" in rows["nav.up"]
        assert "pagedown, ctrl+d" in rows["nav.page-down"]
        assert "g, home" in rows["nav.top"] and "G, end" in rows["nav.bottom"]
        assert "0-9" in rows["article.open-link-N"]


async def test_first_launch_offline_says_what_happened(make_app) -> None:
    """Defect 16: every feed failed: say so (not "All caught up") and what to do; focus starts
    in the feed list, not in an empty headline list."""
    from newstui.core.models import FeedSpec

    dead = [FeedSpec(f"http://127.0.0.1:9/feed{i}.xml", title=f"Feed {i}") for i in range(3)]
    app = make_app(dead, filled=False, timeout=2.0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        screen = main(app)
        assert app.focused is screen.feed_list
        assert screen.entry_list.empty_message == "No entries yet: press R to fetch every feed."
        assert "No entries yet: press R" in screen_text(app)
        await pilot.press("R")
        await settled(pilot)
        text = screen_text(app)
        assert "All caught up" not in text
        assert "failed for every feed: no network?" in text  # the status line
        assert screen.entry_list.empty_message.startswith(
            "Every feed failed to refresh: no network? Press R to try again"
        )
        assert "Every feed failed to refresh" in text
        messages = [n.message for n in app._notifications]
        assert any("Every feed failed (3 of 3): no network?" in m for m in messages), messages


async def test_theme_picker_previews_as_you_move_and_escape_undoes(make_app) -> None:
    """Defect 10: T shows each highlighted theme at once; Escape puts the old one back."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        before = app.theme
        await pilot.press("T")
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        previewed = app.theme
        assert previewed != before
        assert app.store.get_state("theme") is None  # a preview is not a choice
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == before
        await pilot.press("T")
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.theme == previewed
        assert app.store.get_state("theme") == previewed


async def test_mark_all_read_asks_first_above_a_hundred(make_app) -> None:
    """Rough edge: A on 150 unread entries asks; n keeps them, y marks them."""
    from newstui.ui.screens.confirm import ConfirmScreen

    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    save_entries(app.store, TECH, [entry(i, TECH, hours_old=i) for i in range(150)])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark all 150 unread entries of All unread read?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert screen.feeds[TECH].unread == 150
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert sum(f.unread for f in screen.feeds.values()) == 0


async def test_undo_survives_a_restart(make_app) -> None:
    """Rough edge: A, quit, start again, u: the entries are unread again."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        assert sum(f.unread for f in main(app).feeds.values()) == 0
    reopened = make_app(filled=False)
    async with reopened.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("u")
        assert sum(f.unread for f in main(reopened).feeds.values()) == 9
        await pilot.press("u")  # that was the only action: nothing more to undo
        assert sum(f.unread for f in main(reopened).feeds.values()) == 9


async def test_show_read_toggle_leaves_a_lasting_indicator(make_app) -> None:
    """Rough edge: `.` says in the headline pane's title whether read entries are hidden."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.entry_list.border_title == "Headlines"
        await pilot.press("full_stop")
        await pilot.pause()
        assert screen.entry_list.border_title == "Headlines · read hidden"
        assert "read hidden" in screen_text(app)
        await pilot.press("full_stop")
        assert screen.entry_list.border_title == "Headlines"


async def test_feed_pane_width_setting_and_keys(make_app) -> None:
    """Rough edge: `feed_pane_width` sets the pane, < and > change it."""
    app = make_app(feed_pane_width=40)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.feed_list.outer_size.width == 40
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert screen.feed_list.outer_size.width == 42
        await pilot.press("less_than_sign", "less_than_sign")
        await pilot.pause()
        assert screen.feed_list.outer_size.width == 38


def test_feed_pane_width_is_validated(tmp_path) -> None:
    import pytest

    from newstui.core.errors import ConfigError

    path = tmp_path / "feeds.toml"
    with pytest.raises(ConfigError) as caught:
        parse_config(path, "[settings]\nfeed_pane_width = 5\n")
    assert str(caught.value) == f"{path}:2: settings.feed_pane_width: must be from 12 to 100, not 5"


async def test_digit_keys_reach_links_past_nine(make_app, opened) -> None:
    """Rough edge: 1 then 2 typed quickly opens link [12]; 3 (no [30]) opens [3] at once."""
    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    links = " ".join(f'<a href="https://l.example/{n}">link {n}</a>' for n in range(1, 13))
    save_entries(
        app.store,
        TECH,
        [dataclasses.replace(entry(1, TECH, hours_old=1), content_html=f"<p>{links}</p>")],
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "1", "2")
        await pilot.pause()
        assert opened == ["https://l.example/12"]
        await pilot.press("3")
        assert opened[-1] == "https://l.example/3"
        await pilot.press("1")
        # no second digit within LINK_DIGIT_WAIT: link [1]
        await until(pilot, lambda: opened[-1] == "https://l.example/1")
        await pilot.press("1", "0")
        await pilot.pause()
        assert opened[-1] == "https://l.example/10"


async def test_podcast_entries_are_marked_and_show_their_enclosure(make_app) -> None:
    """Rough edge: ♪ in the headline list, type, size and duration in the article header."""
    from newstui.core.models import Enclosure

    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    episode = dataclasses.replace(
        entry(1, TECH, hours_old=1, title="Episode 12"),
        enclosures=(Enclosure("https://tech.example/ep12.mp3", "audio/mpeg", 48_000_000, 3723),),
    )
    save_entries(app.store, TECH, [episode, entry(2, TECH, hours_old=2, title="Plain post")])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        rows = [main(app).entry_list.render_line(y).text for y in range(2)]
        [episode_row] = [row for row in rows if "Episode 12" in row]
        [plain_row] = [row for row in rows if "Plain post" in row]
        assert "♪" in episode_row and "♪" not in plain_row
        await pilot.press("enter")
        await pilot.pause()
        assert "♪ audio/mpeg · 48.0 MB · 1:02:03" in screen_text(app)
        assert "audio/mpeg, 48.0 MB, 1:02:03" in screen_text(app), "the attachment list"


async def test_full_text_feeds_open_in_reader_mode_and_say_so(make_app) -> None:
    """Rough edge: `full_text = true` shows the fetched page by default; the title says so."""
    from newstui.core.models import FeedSpec

    feeds = [FeedSpec(TECH, title="Tech Daily", full_text=True)]
    app = make_app(feeds, filled=False)
    app.store.sync_feeds(feeds, now=NOW)
    save_entries(app.store, TECH, [entry(1, TECH, hours_old=1)])
    [stored] = app.store.entries()
    app.store.save_full_text(
        stored.id, stored.link, html="<p>The whole page, fetched by the refresh.</p>",
        error=None, now=NOW,
    )  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "The whole page, fetched by the refresh." in screen_text(app)
        assert "reader mode" in (screen.entry_view.border_title or "")
        await pilot.press("f")
        await pilot.pause()
        assert "Body of entry 1" in screen_text(app)
        assert screen.entry_view.border_title == "Article"


async def test_link_list_shows_each_links_text(make_app) -> None:
    """Rough edge: `L` lists what each link says, not only where it points."""
    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    body = (
        '<p>Read <a href="https://a.example/">the full report</a> or'
        ' <a href="https://b.example/">its summary</a>.</p>'
    )
    save_entries(
        app.store, TECH, [dataclasses.replace(entry(1, TECH, hours_old=1), content_html=body)]
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "L")
        await pilot.pause()
        text = screen_text(app)
        assert "[1] the full report  https://a.example/" in text
        assert "[2] its summary  https://b.example/" in text


async def test_a_date_from_an_earlier_year_does_not_run_into_the_feed_name(make_app) -> None:
    """Rough edge "dates older than this year show month and year": "Jan 2025" is as wide as
    the date column was, and read "Jan 2025tech.example…" in All unread."""
    app = make_app(filled=False)
    app.store.sync_feeds(DEFAULT_FEEDS, now=NOW)
    save_entries(app.store, TECH, [entry(1, TECH, hours_old=24 * 400, title="Old story")])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = main(app).entry_list.render_line(0).text
        assert re.search(r"Jan 2025 +\S", row), row
        assert "Old story" in row


async def test_a_cut_cjk_feed_title_ends_at_a_character_not_a_gap(make_app) -> None:
    """A CJK feed title cut to its column (feed pane, headline list) never shows half a wide
    character as a space before the "…"."""
    title = "极客公园\uff08GeekPark\uff09科技新闻每日精选"  # fullwidth parentheses
    feeds = [dataclasses.replace(DEFAULT_FEEDS[0], title=title), *DEFAULT_FEEDS[1:]]
    app = make_app(feeds, feed_pane_width=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        cuts = set()
        for _ in range(6):  # six widths of both columns: some cut inside a wide character
            for line in screen_text(app).splitlines():
                cuts.update(part.split("…")[0] for part in line.split("极客")[1:] if "…" in part)
            await pilot.press("greater_than_sign")
            await pilot.pause()
    assert len(cuts) > 2  # the widths really changed the cuts
    assert not [cut for cut in cuts if cut.endswith(" ")], cuts
