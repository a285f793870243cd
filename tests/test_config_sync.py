"""The `[sync]` table of feeds.toml and `sync = false` on a feed: validated like the rest, one
`path:line: problem` line per mistake, and secrets kept out of every repr."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from newstui.core.config import SyncSettings, load_config
from newstui.core.errors import ConfigError

GOOD = """\
[sync]
server = "miniflux"
url = "https://rss.example.org/"
token_command = "pass show miniflux"
interval = "10m"

[[feeds]]
url = "https://example.org/feed.xml"
sync = false
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message.removeprefix(f"{tmp_path / 'feeds.toml'}:")


def test_a_good_sync_table(tmp_path: Path) -> None:
    config = load(tmp_path, GOOD)
    assert config.sync == SyncSettings(
        "miniflux", "https://rss.example.org", token_command="pass show miniflux",
        interval=timedelta(minutes=10),
    )
    assert config.feeds[0].sync is False
    assert load(tmp_path, "").sync is None


def test_username_and_password_command(tmp_path: Path) -> None:
    config = load(tmp_path, '[sync]\nserver = "greader"\nurl = "http://127.0.0.1:8080/"\n'
                  'username = "me"\npassword_command = "pass show fresh"\n')
    assert config.sync is not None
    assert (config.sync.server, config.sync.username) == ("greader", "me")
    assert config.sync.interval == timedelta(minutes=15)


def test_a_token_never_shows_in_repr(tmp_path: Path) -> None:
    config = load(tmp_path, '[sync]\nserver = "miniflux"\nurl = "https://x.example"\n'
                  'token = "s3cr3t-token-value"\n')
    assert config.sync is not None and config.sync.token == "s3cr3t-token-value"
    assert config.sync.line == 4
    assert "s3cr3t" not in repr(config)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[sync]\nserver = "tt-rss"\nurl = "https://x.example"\ntoken = "t"\n',
         '2: sync.server: expected "miniflux" or "greader", not "tt-rss"'),
        ('[sync]\nserver = "miniflux"\ntoken = "t"\n', "1: sync: missing required key 'url'"),
        ('[sync]\nserver = "miniflux"\nurl = "ftp://x.example"\ntoken = "t"\n',
         "3: sync.url: not an http(s) URL"),
        ('[sync]\nserver = "miniflux"\nurl = "https://x.example"\n',
         "1: sync: no credentials: give token_command, token, or username and password_command"),
        ('[sync]\nserver = "miniflux"\nurl = "https://x.example"\ntoken = "t"\n'
         'token_command = "pass x"\n', "5: sync.token_command: give only one of token,"
         " token_command"),
        ('[sync]\nserver = "miniflux"\nurl = "https://x.example"\npassword_command = "p"\n',
         "4: sync.password_command: needs 'username' too"),
        ('[sync]\nserver = "miniflux"\nurl = "https://x.example"\ntoken = "t"\n'
         'intervall = "5m"\n', "5: sync: unknown key 'intervall'; did you mean 'interval'?"),
        ('[sync]\nserver = "miniflux"\nurl = "https://x.example"\ntoken = "t"\n'
         'interval = "10s"\n', "5: sync.interval: must be between 1 minute and 365 days"),
        ('[[feeds]]\nurl = "https://example.org/"\nsync = "no"\n',
         '3: feeds[1].sync: expected true or false, not "no"'),
    ],
)
def test_mistakes_name_their_line(tmp_path: Path, text: str, expected: str) -> None:
    assert problem(tmp_path, text) == expected
