"""Reading the user's small files (feeds.toml, theme files) without trusting what they are.

A path can name a FIFO (opening it waits for a writer forever), a device (`/dev/zero` never
ends), a directory, or a file far larger than any configuration: `read_small_file` reads only a
regular file of bounded size and says plainly what else it found; `read_config_bytes` is it
for feeds.toml (here, not in `newstui.core.config`, so that the reader's launch can read the
file without importing the checks it may not need: `newstui.reader_config`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from newstui.core.errors import ConfigError

MAX_CONFIG_BYTES = 16_000_000
"""A 2,000-feed feeds.toml is ~200 kB; anything near this is not a configuration."""


class FileProblem(Exception):
    """The file cannot be read as a small regular file; `str()` is a short phrase."""


def read_small_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes.

    Raises:
        FileProblem: no such file, permission denied, not a regular file, larger than `limit`.
    """
    try:
        # O_NONBLOCK: a FIFO opens at once instead of waiting for a writer; it is then refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileProblem(f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"cannot read: not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileProblem(f"cannot read: larger than {_size(limit)}")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise FileProblem(f"cannot read: larger than {_size(limit)}")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise FileProblem(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(fd)


def read_config_bytes(path: Path) -> bytes:
    """The bytes of feeds.toml: a regular file of bounded size (`--config /dev/zero` or a FIFO
    must not hang).

    Raises:
        ConfigError: the file cannot be read, is not a regular file, or is too large.
    """
    try:
        return read_small_file(path, MAX_CONFIG_BYTES)
    except FileProblem as problem:
        raise ConfigError(path, None, "", str(problem)) from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _size(n: int) -> str:
    return f"{n // 1_000_000} MB" if n >= 1_000_000 else f"{n // 1_000} kB"
