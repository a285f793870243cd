"""Broken feeds.toml and theme files: a few hundred seeded mutations through the command's own
entry point (`newstui.cli.main`), in-process. Never a traceback or a hang; every problem is one
line `path:line: problem` (issue 10). `bench/fuzz_files.py` prints the counts by outcome.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newstui.cli import main
from tests.hostile.mutations import mutations

ROOT = Path(__file__).parents[2]
CONFIG_MUTATIONS = 256
THEME_MUTATIONS = 256
SEED = 10
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    return status, capsys.readouterr().err


def test_mutated_feeds_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = (ROOT / "feeds.toml").read_bytes()
    data = str(tmp_path / "data")
    outcomes = {"valid": 0, "error": 0}
    for number, (kind, text) in enumerate(mutations(base, CONFIG_MUTATIONS, seed=SEED)):
        path = tmp_path / f"feeds-{number}.toml"
        path.write_bytes(text)
        # `refresh NAME` loads the configuration, then fails on the name: no network, no wait.
        status, err = run(capsys, "--config", str(path), "--data-dir", data, "refresh", "zz")
        assert status == 2, (kind, err)
        if err == "newstui: command line: no feed matches 'zz'\n":
            outcomes["valid"] += 1
            continue
        assert re.fullmatch(rf"newstui: {re.escape(str(path))}:\d+: [^\n]+\n", err), (kind, err)
        assert not UNSAFE.search(err), (kind, err)
        outcomes["error"] += 1
    assert outcomes["error"] > CONFIG_MUTATIONS // 2  # the mutations do break most files


def test_mutated_theme_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = (ROOT / "themes" / "nord.toml").read_bytes()
    folder = tmp_path / "themes"
    folder.mkdir()
    for number, (_, text) in enumerate(mutations(base, THEME_MUTATIONS, seed=SEED)):
        # Each its own name, so a file is not reported for sharing one with another.
        renamed = text.replace(b'name = "nord"', f'name = "t{number}"'.encode())
        (folder / f"t{number:03}.toml").write_bytes(renamed)
    config = tmp_path / "feeds.toml"
    config.write_text("", "utf-8")
    status, err = run(capsys, "--config", str(config), "--theme-dir", str(folder), "themes")
    assert status == 0
    head, *lines = err.splitlines()
    assert re.fullmatch(r"\d+ theme files could not be loaded; the other themes are .+:", head)
    failed = set()
    for line in lines:
        match = re.fullmatch(rf"• {re.escape(str(folder))}/(t\d+)\.toml:\d+: .+", line)
        assert match, line
        assert not UNSAFE.search(line), line
        failed.add(match[1])
    assert len(failed) == len(lines) > THEME_MUTATIONS // 2
