"""The reader's copy of the last valid feeds.toml (`newstui.reader_config`, encoded by
`newstui.core.config_copy`): it gives exactly what checking the file gives, follows every edit,
never hides a mistake in the file, never breaks a launch when damaged, and keeps no secret."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from newstui import reader_config
from newstui.core.config import load_config
from newstui.core.config_copy import decode_copy
from newstui.core.errors import ConfigError
from newstui.reader_config import load_config_kept

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
    first = load_config_kept(config, cache)
    assert cache.exists()
    again = load_config_kept(config, cache)
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
    load_config_kept(config, cache)
    config.write_text(GOOD.replace('title = "Example"', 'title = "Renamed"'), encoding="utf-8")
    assert load_config_kept(config, cache).feeds[0].title == "Renamed"
    config.write_text(GOOD.replace("file:///srv", "ftp://srv"), encoding="utf-8")
    with pytest.raises(ConfigError) as cached:
        load_config_kept(config, cache)
    with pytest.raises(ConfigError) as plain:
        load_config(config)
    assert str(cached.value) == str(plain.value)
    assert f"{config}:20: feeds[2].url: not an http(s) or file URL" == str(cached.value)


def _damage(text: str) -> list[str]:
    """Copies that are wrong in every way a file can be wrong and still look like a copy."""
    header, body = text.split("\n", 1)
    fields = json.loads(header)

    def with_body(new: str) -> str:  # a matching digest: only the body is wrong
        fields["body"] = hashlib.blake2b(new.encode(), digest_size=20).hexdigest()
        return json.dumps(fields) + "\n" + new

    td = re.search(r'\{"\$":"td","v":\[[0-9,]+\]\}', body)[0]  # refresh_interval
    return [
        text[: len(text) // 2],
        "[]",
        text.replace('"c":"Settings"', '"c":"Path"'),  # damaged, digest stale
        with_body(body.replace('"c":"Settings"', '"c":"Path"')),
        with_body(body.replace('"c":"Settings"', '"c":"os.system"')),
        with_body(body.replace(td, '{"$":"td","v":[0]}')),  # IndexError / ValueError
        with_body(body.replace(td, '{"$":"td","v":[1e300,0,0]}')),  # OverflowError
        with_body(body.replace(td, '{"$":"td","v":[999999999999,0,0]}')),  # OverflowError
        with_body(body.replace(td, "[" * 100_000 + "]" * 100_000)),  # RecursionError
        with_body(body.replace('"$":"path"', '"$":"date"')),  # TypeError
        with_body("[" * 100_000 + "]" * 100_000),
        with_body("{}"),
    ]


def test_a_damaged_or_foreign_copy_means_checking_the_file(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_kept(config, cache)
    text = cache.read_text(encoding="utf-8")
    for damaged in _damage(text):
        cache.write_text(damaged, encoding="utf-8")
        assert load_config_kept(config, cache) == load_config(config)
        assert cache.read_text(encoding="utf-8") == text  # the bad copy replaced
    # A copy that cannot be rebuilt, with a file that has a mistake: the copy is removed.
    cache.write_text(_damage(text)[6], encoding="utf-8")
    config.write_text(GOOD.replace("file:///srv", "ftp://srv"), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config_kept(config, cache)
    config.write_text(GOOD, encoding="utf-8")
    # The same bytes at another path: messages must name the file actually read.
    other = config.with_name("other.toml")
    other.write_bytes(config.read_bytes())
    assert load_config_kept(other, cache).path == other


def test_the_copy_never_names_a_module_to_import(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_kept(config, cache)
    body = cache.read_text(encoding="utf-8").split("\n", 1)[1]
    assert "newstui.core" not in body


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_a_huge_file_in_place_of_the_copy_does_not_stop_the_launch(
    files: tuple[Path, Path],
) -> None:
    config, cache = files
    cache.parent.mkdir()
    os.mkfifo(cache)
    done: list[object] = []
    reader = threading.Thread(target=lambda: done.append(load_config_kept(config, cache)))
    reader.daemon = True  # if it hangs on the FIFO, the test fails instead of hanging too
    reader.start()
    reader.join(10)
    assert done == [load_config(config)]
    assert stat.S_ISREG(cache.stat().st_mode)  # replaced by a good copy
    with cache.open("r+b") as handle:
        handle.truncate(reader_config.MAX_COPY_BYTES + 1)  # sparse: costs no disk
    assert load_config_kept(config, cache) == load_config(config)
    assert cache.stat().st_size < 100_000


def test_the_copy_is_readable_by_its_owner_only(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    old = os.umask(0o022)
    try:
        load_config_kept(config, cache)
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


def test_a_config_with_an_api_key_is_not_copied(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_kept(config, cache)
    assert cache.exists()  # token_command: kept
    secret = GOOD.replace('token_command = "pass show rss"', 'token = "s3cret-api-key"')
    config.write_text(secret, encoding="utf-8")
    loaded = load_config_kept(config, cache)
    assert loaded.sync is not None and loaded.sync.token == "s3cret-api-key"
    assert not cache.exists()  # and the copy made before the key was added is gone
    assert load_config_kept(config, cache) == loaded
    assert not any(b"s3cret" in p.read_bytes() for p in cache.parent.iterdir())


def test_a_new_tomli_means_checking_the_file_again(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    import tomli

    assert tomli.__version__ == importlib.metadata.version("tomli")  # what the key uses
    config, cache = files
    cache.parent.mkdir()
    load_config_kept(config, cache)
    path, blob = config, cache.read_bytes()
    data = config.read_bytes()
    key = reader_config.copy_key(path, data, reader_config._code_stamp())
    assert decode_copy(blob, key, path) == load_config(config)
    monkeypatch.setattr(tomli, "__version__", "99.0")
    key = reader_config.copy_key(path, data, reader_config._code_stamp())
    assert decode_copy(blob, key, path) is None


def test_no_data_directory_yet_means_no_copy(files: tuple[Path, Path]) -> None:
    config, cache = files
    assert load_config_kept(config, cache) == load_config(config)
    assert not cache.parent.exists()  # created by the command, not by reading the config


def test_a_kept_config_is_not_parsed_again(files: tuple[Path, Path]) -> None:
    config, cache = files
    cache.parent.mkdir()
    load_config_kept(config, cache)
    script = (
        "import sys; from pathlib import Path;"
        "from newstui.reader_config import load_config_kept;"
        "c = load_config_kept(Path(sys.argv[1]), Path(sys.argv[2]));"
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
