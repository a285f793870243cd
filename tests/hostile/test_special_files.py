"""feeds.toml and theme files that are not small regular files, or have hostile names (issue 10).

A FIFO would block the open forever, `/dev/zero` never ends, a directory is not a file: each is
one line naming the path, and only the broken theme is left out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newstui.cli import main
from newstui.core.config import MAX_CONFIG_BYTES
from newstui.ui.themes import MAX_THEME_BYTES

THEME = (Path(__file__).parents[2] / "themes" / "nord.toml").read_text("utf-8")


def special(tmp_path: Path, kind: str, size: int) -> Path:
    path = tmp_path / f"{kind}.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    elif kind == "huge":
        with path.open("wb") as file:
            file.truncate(size + 1)  # sparse: no real disk used
    return path


PROBLEMS = {
    "fifo": "cannot read: not a regular file (a named pipe)",
    "zero": "cannot read: not a regular file (a device)",
    "directory": "cannot read: not a regular file (a directory)",
    "huge": "cannot read: larger than {mb} MB",
}


@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_config_that_is_not_a_small_regular_file(tmp_path: Path, capsys, kind: str) -> None:
    path = special(tmp_path, kind, MAX_CONFIG_BYTES)
    status = main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "status"])
    problem = PROBLEMS[kind].format(mb=MAX_CONFIG_BYTES // 1_000_000)
    assert (status, capsys.readouterr().err) == (2, f"newstui: {path}: {problem}\n")


@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_theme_that_is_not_a_small_regular_file(tmp_path: Path, capsys, kind: str) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "good.toml").write_text(THEME.replace('name = "nord"', 'name = "good"'), "utf-8")
    path = special(folder, kind, MAX_THEME_BYTES)
    config = tmp_path / "feeds.toml"
    config.write_text("", "utf-8")
    status = main(["--config", str(config), "--theme-dir", str(folder), "themes"])
    out, err = capsys.readouterr()
    problem = PROBLEMS[kind].format(mb=MAX_THEME_BYTES // 1_000_000)
    assert status == 0
    assert f"user: {folder / 'good.toml'}" in out
    assert err.splitlines()[1:] == [f"• {path}: {problem}"]


def test_theme_file_names_are_printed_without_their_escape_sequences(tmp_path, capsys) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    hostile = "\x1b]0;owned\x07"
    (folder / f"{hostile}good.toml").write_text(THEME.replace("nord", "good"), "utf-8")
    (folder / f"{hostile}bad.toml").write_text('primary = "red"\nname = 1', "utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text("", "utf-8")
    main(["--config", str(config), "--theme-dir", str(folder), "themes"])
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert f"user: {folder}/?]0;owned?good.toml" in out
    assert f"• {folder}/?]0;owned?bad.toml:2: name: expected a string, not 1" in err


def test_config_not_utf8_names_the_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(b'[settings]\ntimeout = 10\nuser_agent = "caf\xe9"\n')
    status = main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "status"])
    err = capsys.readouterr().err
    assert (status, err) == (2, f"newstui: {path}:3: not UTF-8 text (byte 0xe9)\n")
