"""The reader's copy of the last valid feeds.toml (`newstui.core.config_file`): it gives exactly
what checking the file gives, follows every edit, and never hides a mistake in the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newstui.core.config import load_config
from newstui.core.config_file import load_config_cached
from newstui.core.errors import ConfigError

GOOD = """\
[settings]
refresh_interval = "2h"
keys = "newsboat"

[keymap]
"feed.refresh-all" = "ctrl+r"

[sync]
server = "miniflux"
url = "https://rss.example.org"
token_command = "pass show rss"

[[feeds]]
url = "https://Example.org"
title = "Example"
tags = ["news", "world", "news"]
refresh_interval = 90

[[feeds]]
url = "file:///srv/feed.xml"
full_text = true

[[views]]
name = "Recent rust"
query = "rust after:2024-05-01 newer:7d -title:sponsored"

[[filters]]
query = 'author:"Ada Lovelace" OR tag:ada'
tag = "ada"
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "feeds.toml"
    config.write_text(GOOD, encoding="utf-8")
    return config, tmp_path / "data" / "checked.json"


def test_the_copy_gives_what_checking_the_file_gives(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    first = load_config_cached(config, cache)
    assert cache.exists()
    again = load_config_cached(config, cache)
    assert first == again == load_config(config)
    assert again.keymap["feed.refresh-all"] == "ctrl+r"
    with pytest.raises(TypeError):
        again.keymap["x"] = "y"  # type: ignore[index]  # still read-only
    assert again.feeds[0].tags == ("news", "world")
    assert isinstance(again.path, Path)


def test_an_edit_is_seen_and_a_mistake_is_reported_as_without_the_copy(
    files: tuple[Path, Path],
) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_cached(config, cache)
    config.write_text(GOOD.replace('title = "Example"', 'title = "Renamed"'), encoding="utf-8")
    assert load_config_cached(config, cache).feeds[0].title == "Renamed"
    config.write_text(GOOD.replace("file:///srv", "ftp://srv"), encoding="utf-8")
    with pytest.raises(ConfigError) as cached:
        load_config_cached(config, cache)
    with pytest.raises(ConfigError) as plain:
        load_config(config)
    assert str(cached.value) == str(plain.value)
    assert f"{config}:20: feeds[2].url: not an http(s) or file URL" == str(cached.value)


def test_a_damaged_or_foreign_copy_means_checking_the_file(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_cached(config, cache)
    text = cache.read_text(encoding="utf-8")
    for damaged in (text[: len(text) // 2], "[]", text.replace("newstui.core.", "os.")):
        cache.write_text(damaged, encoding="utf-8")
        assert load_config_cached(config, cache) == load_config(config)
    # The same bytes at another path: messages must name the file actually read.
    other = config.with_name("other.toml")
    other.write_bytes(config.read_bytes())
    assert load_config_cached(other, cache).path == other


def test_no_data_directory_yet_means_no_copy(files: tuple[Path, Path]) -> None:
    config, cache = files
    assert load_config_cached(config, cache) == load_config(config)
    assert not cache.parent.exists()  # created by the command, not by reading the config


def test_a_kept_config_is_not_parsed_again(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_cached(config, cache)
    script = (
        "import sys; from pathlib import Path;"
        "from newstui.core.config_file import load_config_cached;"
        "c = load_config_cached(Path(sys.argv[1]), Path(sys.argv[2]));"
        "print(len(c.feeds), 'newstui.core.config_check' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(config), str(cache)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.stdout.split() == ["2", "False"]
