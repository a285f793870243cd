"""A real full disk: a tiny tmpfs mounted for the test's data dir, then filled to the last byte.

Mounting needs root (CI runs as root); elsewhere the tests that need it are skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE = "8m"
FILLER = "filler"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on its own 8 MB file system, unmounted after the test."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs a tmpfs mounted, and mounting needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill_up(folder: Path) -> None:
    """Take every free byte of `folder`'s file system."""
    with (folder / FILLER).open("ab", buffering=0) as file:
        for size in (1 << 16, 512, 1):
            try:
                while True:
                    file.write(b"\0" * size)
            except OSError:
                pass
    assert os.statvfs(folder).f_bavail == 0


def make_room(folder: Path) -> None:
    (folder / FILLER).unlink(missing_ok=True)
