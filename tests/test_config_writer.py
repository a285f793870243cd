"""feeds.toml edited the way a careful person would: every byte outside the changed block stays.

The fixture is full of what hand-kept files hold: comments everywhere, odd spacing, literal and
multi-line strings, dotted keys, inline tables, indented tables, a commented-out key. Each test
states the exact text expected, built from the original by removing or inserting one block.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newstui.core import paths
from newstui.core.config import load_config
from newstui.core.config_writer import FeedsFile
from newstui.core.errors import ConfigWriteError
from newstui.core.models import FeedSpec

UNUSUAL = Path(__file__).parent / "data" / "config_writer" / "unusual.toml"

ALPHA = """[[feeds]]
url = 'https://blog.example.org/feed.xml'   # a literal string
title = "Alpha \\u00e9t\\u00e9"
tags = [ "blogs",   "friends" ]  # odd array spacing
"""
BETA = """[[feeds]]
  url = "https://beta.example.net/rss"
  tags = [
      "news", # multi-line array with a comment
      "world",
  ]
  # full_text = true     <- commented out, belongs to this table
"""
GAMMA_TAIL = "refresh_interval = 90\n"
NEW_BLOCK = """
[[feeds]]
url = "https://new.example/feed"
title = "He said \\"hi\\""
tags = ["a b", "c"]
full_text = true
"""
NEW = FeedSpec("https://new.example/feed", title='He said "hi"', tags=("a b", "c"), full_text=True)


@pytest.fixture
def original() -> str:
    return UNUSUAL.read_text(encoding="utf-8")


@pytest.fixture
def config(tmp_path: Path, original: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_bytes(original.encode())
    return path


def test_the_fixture_is_what_the_tests_say(original: str) -> None:
    assert ALPHA in original and BETA in original and GAMMA_TAIL in original
    assert len(load_config(UNUSUAL).feeds) == 3


def test_add_inserts_one_table_after_the_last_feed_and_nothing_else(
    config: Path, original: str
) -> None:
    feeds = FeedsFile.open(config)
    feeds.add(NEW)
    feeds.save()
    at = original.index(GAMMA_TAIL) + len(GAMMA_TAIL)
    assert config.read_text() == original[:at] + NEW_BLOCK + original[at:]
    assert load_config(config).feeds[-1] == NEW


@pytest.mark.parametrize(
    ("index", "removed"),
    # Comments above a table are kept (they may describe a section, not the one table).
    [(0, ALPHA), (1, BETA)],
)
def test_remove_deletes_only_that_table(
    config: Path, original: str, index: int, removed: str
) -> None:
    feeds = FeedsFile.open(config)
    url = feeds.feeds[index].url
    feeds.remove(url)
    feeds.save()
    assert config.read_text() == original.replace(removed, "", 1)
    assert url not in [spec.url for spec in load_config(config).feeds]


def test_remove_keeps_comments_above_the_next_table_and_after_a_blank_line(
    config: Path, original: str
) -> None:
    feeds = FeedsFile.open(config)
    feeds.remove("https://gamma.example.com/atom.xml")
    text = feeds.text
    assert "# Trailing comment at the end, after two blank lines." in text
    assert text.endswith("\n\n# Trailing comment at the end, after two blank lines.\n")
    gamma = original[original.index('[[feeds]]\nurl = """') : original.index(GAMMA_TAIL)]
    assert text == original.replace("\n" + gamma + GAMMA_TAIL, "", 1)


def test_add_then_remove_gives_back_the_same_bytes(config: Path, original: str) -> None:
    feeds = FeedsFile.open(config)
    feeds.add(NEW)
    feeds.save()
    again = FeedsFile.open(config)
    again.remove(NEW.url)
    again.save()
    assert config.read_bytes() == original.encode()


def test_edit_replaces_values_in_place_keeping_their_quoting(config: Path, original: str) -> None:
    feeds = FeedsFile.open(config)
    feeds.edit("https://blog.example.org/feed.xml", title="Alpha", tags=["blogs"])
    feeds.edit("https://beta.example.net/rss", title="Beta")
    feeds.save()
    expected = original.replace(
        'title = "Alpha \\u00e9t\\u00e9"\ntags = [ "blogs",   "friends" ]  # odd array spacing',
        'title = "Alpha"\ntags = ["blogs"]  # odd array spacing',
    ).replace(
        '  url = "https://beta.example.net/rss"\n',
        '  url = "https://beta.example.net/rss"\n  title = "Beta"\n',
    )
    assert config.read_text() == expected
    specs = load_config(config).feeds
    assert (specs[0].title, specs[0].tags, specs[1].title) == ("Alpha", ("blogs",), "Beta")


def test_edit_removing_a_key_deletes_its_lines_only(config: Path, original: str) -> None:
    feeds = FeedsFile.open(config)
    feeds.edit("https://beta.example.net/rss", tags=())
    multi_line = BETA[BETA.index("  tags") : BETA.index("  # full_text")]
    assert feeds.text == original.replace(multi_line, "", 1)


def test_crlf_and_bom_survive(tmp_path: Path, original: str) -> None:
    path = tmp_path / "feeds.toml"
    crlf = "\ufeff" + original.replace("\n", "\r\n")
    path.write_bytes(crlf.encode())
    feeds = FeedsFile.open(path)
    feeds.add(NEW)
    feeds.save()
    written = path.read_bytes().decode()
    assert written.startswith("\ufeff")
    assert "\n" not in written.replace("\r\n", "")
    assert NEW_BLOCK.replace("\n", "\r\n") in written
    again = FeedsFile.open(path)
    again.remove(NEW.url)
    again.save()
    assert path.read_bytes() == crlf.encode()


def test_feeds_written_as_one_inline_array(tmp_path: Path) -> None:
    head = "# inline, so before any table\n"
    statement = 'feeds = [\n  { url = "https://a.example/" },\n  { url = "https://b.example/" },\n]'
    tail = "  # after\n\n[settings]\nconcurrency = 4  # keep\n"
    path = tmp_path / "feeds.toml"
    path.write_text(head + statement + tail)
    feeds = FeedsFile.open(path)
    feeds.add(FeedSpec("https://c.example/", title="C"))
    feeds.remove("https://a.example/")
    text = feeds.text
    assert text.startswith(head) and text.endswith(tail)
    assert [s.url for s in feeds.feeds] == ["https://b.example/", "https://c.example/"]


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(config: Path) -> None:
    feeds = FeedsFile.open(config)
    feeds.add(NEW)
    someone_else = config.read_text() + "\n# edited in vim meanwhile\n"
    config.write_text(someone_else)
    with pytest.raises(ConfigWriteError, match="changed on disk"):
        feeds.save()
    assert config.read_text() == someone_else
    assert sorted(p.name for p in config.parent.iterdir()) == ["feeds.toml"]  # no temp left


def test_permissions_and_symlinks_are_kept(tmp_path: Path, config: Path) -> None:
    config.chmod(0o600)
    link = tmp_path / "link.toml"
    link.symlink_to(config)
    feeds = FeedsFile.open(link)
    feeds.add(NEW)
    feeds.save()
    assert link.is_symlink(), "the symlink itself is not replaced by a file"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert load_config(config).feeds[-1] == NEW


def test_the_bundled_starter_list_is_copied_first_and_left_alone(tmp_path: Path) -> None:
    starter = paths.bundled_feeds_file()
    before = starter.read_bytes()
    user_dir = tmp_path / "config" / "newstui"
    feeds = FeedsFile.open(starter, user_config_dir=user_dir)
    assert feeds.starter
    feeds.remove("https://xkcd.com/atom.xml")
    written = feeds.save()
    assert written == user_dir / "feeds.toml"
    assert starter.read_bytes() == before
    copy = written.read_text()
    assert "xkcd" not in copy
    assert copy == before.decode().replace(
        '\n[[feeds]]\nurl = "https://xkcd.com/atom.xml"\ntitle = "xkcd"\ntags = ["fun"]\n'
        'refresh_interval = "6h"\n',
        "",
    )
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o644


def test_refused_edits_leave_the_text_alone(config: Path, original: str) -> None:
    feeds = FeedsFile.open(config)
    with pytest.raises(ConfigWriteError, match="already in the file"):
        feeds.add(FeedSpec("https://beta.example.net/rss"))
    with pytest.raises(ConfigWriteError, match="no feed"):
        feeds.remove("https://nowhere.example/")
    with pytest.raises(ConfigWriteError, match="refused"):
        feeds.edit("https://beta.example.net/rss", title="two\nlines")
    assert feeds.text == original and not feeds.changed


def test_many_feeds_in_one_edit(config: Path, original: str) -> None:
    """An import adds all its feeds in one insertion and retags known ones in one pass."""
    feeds = FeedsFile.open(config)
    other = FeedSpec("https://other.example/feed")
    feeds.add(NEW, other)
    feeds.edit_all(
        {
            "https://blog.example.org/feed.xml": {"tags": ["blogs", "friends", "more"]},
            "https://gamma.example.com/atom.xml": {"tags": ["g"]},
        }
    )
    at = original.index(GAMMA_TAIL) + len(GAMMA_TAIL)
    expected = (
        original[:at]
        .replace('tags = [ "blogs",   "friends" ]', 'tags = ["blogs", "friends", "more"]')
        .replace(GAMMA_TAIL, 'tags = ["g"]\n' + GAMMA_TAIL)  # after the title, in key order
        + NEW_BLOCK
        + '\n[[feeds]]\nurl = "https://other.example/feed"\n'
        + original[at:]
    )
    assert feeds.text == expected
    with pytest.raises(ConfigWriteError, match="already in the file"):
        feeds.add(FeedSpec("https://x.example/"), FeedSpec("https://x.example/"))
