"""feeds.toml loading: one fixture file per kind of error, checked message by message.

The messages are the user interface of a config error, so tests pin them exactly, line number
included, the way harlequin's `tests/data/unit_tests/config/` files do.
"""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from newstui.core.config import Config, Settings, load_config
from newstui.core.errors import ConfigError
from newstui.core.models import FeedSpec
from newstui.core.tomlpos import TomlPositions

DATA = Path(__file__).parent / "data" / "config"
REPO_FEEDS = Path(__file__).parents[1] / "feeds.toml"

HINT = 'use whole minutes or a string like "90s", "45m", "2h", "1d"'

# file name -> (line, message after "path:line: ")
ERRORS = {
    "invalid_toml.toml": (5, "invalid TOML: Illegal character '\\n'"),
    "unknown_top_level.toml": (3, "unknown table 'setings'; did you mean 'settings'?"),
    "top_level_feed_key.toml": (2, "'url' belongs in a [[feeds]] table"),
    "unknown_setting.toml": (
        3,
        "settings: unknown key 'refersh_interval'; did you mean 'refresh_interval'?",
    ),
    "renamed_setting.toml": (
        2,
        "settings: unknown key 'max_concurrent_fetches'; did you mean 'concurrency'?",
    ),
    "unknown_feed_key.toml": (9, "feeds[3]: unknown key 'titel'; did you mean 'title'?"),
    "bool_as_int.toml": (3, "settings.concurrency: expected an integer, not true"),
    "out_of_range.toml": (2, "settings.concurrency: must be from 1 to 64, not 100"),
    "feed_size_zero.toml": (
        2,
        "settings.max_feed_size_mb: must be at least 0.001 and at most 200, not 0",
    ),
    "bad_duration.toml": (6, f'feeds[1].refresh_interval: not a duration: "2 hours"; {HINT}'),
    "wrong_type_string.toml": (3, "feeds[1].title: expected a string, not 42"),
    "wrong_type_tags.toml": (7, "feeds[2].tags: expected a list of strings"),
    "wrong_type_bool.toml": (3, 'feeds[1].full_text: expected true or false, not "yes"'),
    "missing_url.toml": (4, "feeds[2]: missing required key 'url'"),
    "bad_url.toml": (2, "feeds[1].url: not an http(s) or file URL"),
    "url_no_host.toml": (2, "feeds[1].url: not an http(s) or file URL"),
    "duplicate_url.toml": (10, "feeds[3].url: duplicate of feeds[1] (line 4)"),
    "keymap_empty.toml": (2, 'keymap."feeds.refresh": must not be empty'),
    "keymap_not_string.toml": (
        5,
        'keymap.entries.toggle-read: expected a string of keys like "r,f5", not a list',
    ),
    "keymap_twice.toml": (
        5,
        "keymap.entries.toggle-read: 'entries.toggle-read' is set twice (also line 2)",
    ),
    "bad_keys_preset.toml": (2, 'settings.keys: expected "vim" or "newsboat", not "emacs"'),
    # Keys inside inline tables have no line of their own: the assignment's line is used.
    "inline_feeds.toml": (2, "feeds[2].url: not an http(s) or file URL"),
    "feeds_not_array.toml": (1, "feeds: expected [[feeds]] tables"),
    "settings_not_table.toml": (2, "settings: expected a table"),
}


def load_text(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    path = tmp_path / "feeds.toml"
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    return message.removeprefix(f"{path}:")


@pytest.mark.parametrize(("name", "expected"), ERRORS.items(), ids=list(ERRORS))
def test_error_files(name: str, expected: tuple[int, str]) -> None:
    path = DATA / name
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    line, message = expected
    assert str(caught.value) == f"{path}:{line}: {message}"
    assert "\n" not in str(caught.value)
    assert caught.value.line == line
    assert caught.value.path == path


def test_every_error_fixture_is_checked() -> None:
    fixtures = {path.name for path in DATA.glob("*.toml")}
    assert fixtures - {"good.toml", "no_feeds.toml"} == set(ERRORS)


def test_good_file_sets_every_option() -> None:
    config = load_config(DATA / "good.toml")
    assert config.path == DATA / "good.toml"
    assert config.settings == Settings(
        refresh_interval=timedelta(minutes=45),
        concurrency=8,
        timeout=12.5,
        max_feed_size=2_500_000,
        max_redirects=3,
        retention_days=90,
        user_agent="newstui-test/1.0 (+https://example.org/bot)",
        parse_workers=2,
        theme="paper",
        keys="newsboat",
        refresh_on_start=False,
        auto_refresh=False,
        mark_read_on_open=False,
        show_read=False,
        feed_pane_width=36,
        allow_private_links=True,
    )
    # Every Settings field differs from its default, so none was silently ignored.
    defaults = Settings()
    for field in dataclasses.fields(Settings):
        assert getattr(config.settings, field.name) != getattr(defaults, field.name), field.name
    assert config.feeds == (
        FeedSpec(
            url="https://example.org/feed.xml",
            title="Example",
            tags=("tech", "news"),
            refresh_interval=timedelta(hours=2),
            user_agent="Mozilla/5.0 (compatible)",
            full_text=True,
        ),
        FeedSpec(url="http://blog.example.net/", refresh_interval=timedelta(seconds=90)),
        FeedSpec(url="file:///var/lib/feeds/local.xml", refresh_interval=timedelta(days=1)),
        FeedSpec(
            url="https://example.com/atom.xml?format=atom",
            refresh_interval=timedelta(minutes=45),
        ),
    )


def test_keymap_nested_and_quoted_forms_flatten_alike() -> None:
    keymap = load_config(DATA / "good.toml").keymap
    assert dict(keymap) == {
        "feeds.refresh": "r,f5",
        "app.quit": "q",
        "entries.toggle-read": "m,space",
        "entries.toggle-star": "s",
    }
    with pytest.raises(TypeError):
        keymap["app.quit"] = "x"  # type: ignore[index]


def test_no_feeds_is_valid() -> None:
    config = load_config(DATA / "no_feeds.toml")
    assert config.feeds == ()
    assert config.settings == Settings(show_read=False)
    assert dict(config.keymap) == {}


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    config = load_text(tmp_path, "")
    assert (config.feeds, config.settings, dict(config.keymap)) == ((), Settings(), {})


def test_settings_defaults_need_no_file() -> None:
    settings = Settings()
    assert settings.refresh_interval == timedelta(minutes=30)
    assert (settings.concurrency, settings.timeout, settings.max_feed_size) == (12, 30.0, 10**7)
    assert (settings.keys, settings.retention_days, settings.parse_workers) == ("vim", 0, 0)


def test_loading_never_modifies_the_file() -> None:
    for path in sorted(DATA.glob("*.toml")):
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        with contextlib.suppress(ConfigError):
            load_config(path)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_loading_creates_nothing(tmp_path: Path) -> None:
    load_text(tmp_path, '[[feeds]]\nurl = "https://example.org/"\n')
    assert [path.name for path in tmp_path.iterdir()] == ["feeds.toml"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("30", timedelta(minutes=30)),
        ("1", timedelta(minutes=1)),
        ('"90s"', timedelta(seconds=90)),
        ('"60s"', timedelta(minutes=1)),
        ('"45m"', timedelta(minutes=45)),
        ('"2h"', timedelta(hours=2)),
        ('"1d"', timedelta(days=1)),
        ('"365d"', timedelta(days=365)),
        ('" 2H "', timedelta(hours=2)),
        ('"3 h"', timedelta(hours=3)),
    ],
)
def test_valid_durations(tmp_path: Path, written: str, expected: timedelta) -> None:
    text = f'[settings]\nrefresh_interval = {written}\n[[feeds]]\nurl = "https://a.example/"\n'
    text += f"refresh_interval = {written}\n"
    config = load_text(tmp_path, text)
    assert config.settings.refresh_interval == expected
    assert config.feeds[0].refresh_interval == expected


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ('"2 hours"', f'not a duration: "2 hours"; {HINT}'),
        ('"30"', f'not a duration: "30"; {HINT}'),
        ('"-5m"', f'not a duration: "-5m"; {HINT}'),
        ('"1.5h"', f'not a duration: "1.5h"; {HINT}'),
        ("1.5", f"expected a duration, not 1.5; {HINT}"),
        ("true", f"expected a duration, not true; {HINT}"),
        ("0", "must be between 1 minute and 365 days"),
        ("-3", "must be between 1 minute and 365 days"),
        ('"59s"', "must be between 1 minute and 365 days"),
        ('"366d"', "must be between 1 minute and 365 days"),
        ('"99999999999999999999d"', "must be between 1 minute and 365 days"),
    ],
)
def test_bad_durations(tmp_path: Path, written: str, problem: str) -> None:
    text = f"[settings]\n\nrefresh_interval = {written}\n"
    assert error_for(tmp_path, text) == f"3: settings.refresh_interval: {problem}"


@pytest.mark.parametrize("key", ["concurrency", "max_redirects", "retention_days", "parse_workers"])
@pytest.mark.parametrize("value", ["true", "false"])
def test_bool_is_not_an_integer(tmp_path: Path, key: str, value: str) -> None:
    message = error_for(tmp_path, f"[settings]\n{key} = {value}\n")
    assert message == f"2: settings.{key}: expected an integer, not {value}"


@pytest.mark.parametrize("key", ["timeout", "max_feed_size_mb"])
def test_bool_is_not_a_number(tmp_path: Path, key: str) -> None:
    message = error_for(tmp_path, f"[settings]\n{key} = true\n")
    assert message == f"2: settings.{key}: expected a number, not true"


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("concurrency = 0", "concurrency: must be from 1 to 64, not 0"),
        ("concurrency = 4.0", "concurrency: expected an integer, not 4.0"),
        ("max_redirects = 21", "max_redirects: must be from 0 to 20, not 21"),
        ("retention_days = -1", "retention_days: must be from 0 to 36500, not -1"),
        ("timeout = 0.5", "timeout: must be at least 1 and at most 600, not 0.5"),
        ("timeout = nan", "timeout: must be at least 1 and at most 600, not nan"),
        ('timeout = "30"', 'timeout: expected a number, not "30"'),
        (
            "max_feed_size_mb = 201",
            "max_feed_size_mb: must be at least 0.001 and at most 200, not 201",
        ),
        (
            "max_feed_size_mb = inf",
            "max_feed_size_mb: must be at least 0.001 and at most 200, not inf",
        ),
        ('theme = ""', "theme: must not be empty"),
        ("theme = 3", "theme: expected a string, not 3"),
        ('user_agent = "a\\nb"', "user_agent: must be one line without control characters"),
        ('show_read = "no"', 'show_read: expected true or false, not "no"'),
        ("refresh_on_start = 1", "refresh_on_start: expected true or false, not 1"),
        ('keys = "Vim"', 'keys: expected "vim" or "newsboat", not "Vim"'),
    ],
)
def test_bad_settings(tmp_path: Path, setting: str, problem: str) -> None:
    assert error_for(tmp_path, f"[settings]\n{setting}\n") == f"2: settings.{problem}"


# Each bounded integer setting with its documented range (the Settings docstrings). Both ends
# are accepted; one past either end is refused with the range in the message.
INTEGER_RANGES = {
    "concurrency": (1, 64),
    "max_redirects": (0, 20),
    "retention_days": (0, 36_500),
    "parse_workers": (0, 256),
}


def test_every_integer_setting_has_a_range_here() -> None:
    """A new integer setting must come with its bounds tests (max_feed_size is written in MB,
    a number, and tested below with timeout)."""
    integers = {f.name for f in dataclasses.fields(Settings) if f.type == "int"}
    assert integers - {"max_feed_size"} == set(INTEGER_RANGES)


@pytest.mark.parametrize(("key", "bounds"), INTEGER_RANGES.items())
def test_integer_settings_accept_both_ends_of_their_range(
    tmp_path: Path, key: str, bounds: tuple[int, int]
) -> None:
    for value in bounds:
        assert getattr(load_text(tmp_path, f"[settings]\n{key} = {value}\n").settings, key) == value


@pytest.mark.parametrize(("key", "bounds"), INTEGER_RANGES.items())
def test_integer_settings_refuse_one_past_either_end(
    tmp_path: Path, key: str, bounds: tuple[int, int]
) -> None:
    low, high = bounds
    for value in (low - 1, high + 1):
        message = error_for(tmp_path, f"[settings]\n{key} = {value}\n")
        assert message == f"2: settings.{key}: must be from {low} to {high}, not {value}"


@pytest.mark.parametrize(
    ("setting", "field", "stored"),
    [
        ("timeout = 1", "timeout", 1.0),
        ("timeout = 600", "timeout", 600.0),
        ("max_feed_size_mb = 200", "max_feed_size", 200_000_000),
        ("max_feed_size_mb = 0.001", "max_feed_size", 1_000),
    ],
)
def test_number_settings_accept_the_ends_of_their_range(
    tmp_path: Path, setting: str, field: str, stored: float
) -> None:
    assert getattr(load_text(tmp_path, f"[settings]\n{setting}\n").settings, field) == stored


def test_timeout_refuses_one_past_its_maximum(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[settings]\ntimeout = 601\n")
    assert message == "2: settings.timeout: must be at least 1 and at most 600, not 601"


def test_max_feed_size_is_megabytes(tmp_path: Path) -> None:
    settings = load_text(tmp_path, "[settings]\nmax_feed_size_mb = 1\n").settings
    assert settings.max_feed_size == 1_000_000


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/feed",
        "example.org/feed.xml",
        "https://",
        "https://:80/feed",
        "http://exa mple.org/",
        "http://[::1/feed",
        "https://example.org:99999/",
        "file:relative.xml",
        "javascript:alert(1)",
        "",
        "   ",
    ],
)
def test_bad_urls(tmp_path: Path, url: str) -> None:
    message = error_for(tmp_path, f'[[feeds]]\nurl = "{url}"\n')
    assert message == "2: feeds[1].url: not an http(s) or file URL"


def test_url_must_be_a_string(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[[feeds]]\nurl = ['https://example.org/']\n")
    assert message == "2: feeds[1].url: expected a string, not a list"


def test_urls_are_lightly_normalized(tmp_path: Path) -> None:
    text = (
        '[[feeds]]\nurl = " HTTPS://User@Example.ORG:8443/Feed.xml?Q=1\\t"\n'
        '[[feeds]]\nurl = "FILE:///Tmp/Feed.xml"\n'
    )
    urls = [spec.url for spec in load_text(tmp_path, text).feeds]
    # Only scheme and host are case-insensitive; user info, path and query keep their case.
    assert urls == ["https://User@example.org:8443/Feed.xml?Q=1", "file:///Tmp/Feed.xml"]


def test_duplicates_ignore_an_empty_path(tmp_path: Path) -> None:
    text = '[[feeds]]\nurl = "https://example.org"\n\n[[feeds]]\nurl = "https://example.org/"\n'
    assert error_for(tmp_path, text) == "5: feeds[2].url: duplicate of feeds[1] (line 2)"


def test_feed_title_and_tags_are_cleaned(tmp_path: Path) -> None:
    text = '[[feeds]]\nurl = "https://a.example/"\ntitle = " A "\ntags = [" x ", "y", "x"]\n'
    assert load_text(tmp_path, text).feeds[0] == FeedSpec(
        url="https://a.example/", title="A", tags=("x", "y")
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('title = ""', "feeds[1].title: must not be empty"),
        ('tags = ["ok", 3]', "feeds[1].tags: expected a list of strings"),
        ('tags = ["ok", " "]', "feeds[1].tags: must not be empty"),
        ('user_agent = ""', "feeds[1].user_agent: must not be empty"),
        ("full_text = 0", "feeds[1].full_text: expected true or false, not 0"),
    ],
)
def test_bad_feed_values(tmp_path: Path, line: str, problem: str) -> None:
    text = f'[[feeds]]\nurl = "https://a.example/"\n{line}\n'
    assert error_for(tmp_path, text) == f"3: {problem}"


def test_feed_that_is_not_a_table(tmp_path: Path) -> None:
    message = error_for(tmp_path, 'feeds = ["https://a.example/"]\n')
    assert message == "1: feeds[1]: expected a table with a 'url' key"


def test_top_level_setting_names_its_table(tmp_path: Path) -> None:
    assert (
        error_for(tmp_path, '\ntheme = "paper"\n') == "2: 'theme' belongs in the [settings] table"
    )


def test_unknown_key_far_from_any_name_has_no_suggestion(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[settings]\nzzz = 1\n")
    assert message == "2: settings: unknown key 'zzz'"


def test_first_error_in_file_order_wins(tmp_path: Path) -> None:
    text = '[[feeds]]\nurl = "ftp://a/"\n[settings]\nconcurrency = 0\n'
    assert error_for(tmp_path, text) == "2: feeds[1].url: not an http(s) or file URL"


def test_keymap_value_in_dotted_key_inside_table(tmp_path: Path) -> None:
    text = "[keymap]\n\nentries.toggle-read = 5\n"
    assert error_for(tmp_path, text) == (
        '3: keymap.entries.toggle-read: expected a string of keys like "r,f5", not 5'
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"
    assert caught.value.line is None
    assert not path.exists()


def test_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == f"{tmp_path}: cannot read: not a regular file (a directory)"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(b'[[feeds]]\ntitle = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:2: not UTF-8 text (byte 0xe9)"
    assert caught.value.line == 2


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes('\ufeff[[feeds]]\nurl = "https://a.example/"\ntitle = "Café"\n'.encode())
    assert load_config(path).feeds[0].title == "Café"


def test_invalid_toml_at_end_of_document(tmp_path: Path) -> None:
    assert error_for(tmp_path, "[settings]\nconcurrency =") == "2: invalid TOML: Invalid value"


def test_repository_feeds_file_loads() -> None:
    config = load_config(REPO_FEEDS)
    assert len(config.feeds) >= 10


# -- the line locator ---------------------------------------------------------------------------

TRICKY = '''\
# [[feeds]] in a comment is not a header
[settings]
note = """
[[feeds]]
url = "not a key"
"""
 "quoted key"  =  1   # spaces around
'lit.key' = 'x'

[keymap]
a.b = "c"
[keymap."d.e"]
f = ["[", "]", { g = 1 }]

[[feeds]]
url = "one"
tags = [
  "x",  # ] not the end
  "y",
]
[[feeds]]   # second
[feeds.extra]
h = 1
[[feeds]]
url = "three"
'''


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("settings",), 2),
        (("settings", "note"), 3),
        (("settings", "quoted key"), 7),
        (("settings", "lit.key"), 8),
        (("keymap",), 10),
        (("keymap", "a", "b"), 11),
        (("keymap", "d.e"), 12),
        (("keymap", "d.e", "f"), 13),
        (("keymap", "d.e", "f", "g"), 13),  # inside an inline table: the assignment's line
        (("feeds",), 15),
        (("feeds", 0), 15),
        (("feeds", 0, "url"), 16),
        (("feeds", 0, "tags"), 17),
        (("feeds", 1), 21),
        (("feeds", 1, "url"), 21),  # not written: falls back to its header
        (("feeds", 1, "extra", "h"), 23),
        (("feeds", 2), 24),
        (("feeds", 2, "url"), 25),
        (("nowhere",), None),
    ],
)
def test_locator(path: tuple[str | int, ...], line: int | None) -> None:
    assert TomlPositions(TRICKY).line_of(*path) == line


def test_locator_never_raises_on_text_it_cannot_follow() -> None:
    positions = TomlPositions('[settings]\nx = "unterminated\n[[feeds\n')
    assert positions.line_of("settings") == 1
    assert positions.line_of("feeds", 0) is None
