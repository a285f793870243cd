"""Replacing a file safely: atomically, durably, one writer at a time.

Used by `newstui.core.config_writer` for feeds.toml: a crash at any moment leaves either the old
file or the new one, never half of each. `replace_quietly` is the cheap form for the data
directory's caches (the kept feeds.toml copy, the first frame's palette).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file while checking and replacing it, so two newstui
    processes (the reader and `newstui add`) cannot interleave. Editors take no such lock;
    the content check covers them."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the content check alone
        yield
        return
    try:
        handle = target.open("rb")
    except FileNotFoundError:
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


def atomic_write(target: Path, data: bytes, mode: int) -> None:
    """Write `data` to a temporary file beside `target`, fsync it, give it `mode`, rename it
    over `target`, and fsync the directory so the rename itself survives a crash."""
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash once this is done
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def replace_quietly(target: Path, data: bytes) -> None:
    """Replace a cache file whole (another newstui reads the old one or the new one), without
    fsyncs and never raising: it sits on the launch path, a copy torn by a crash fails its own
    check and is only made again, and an unwritable data directory means no cache. mkstemp
    creates the file 0600 whatever the umask (a cache may hold feed URLs with credentials)."""
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError:
        return  # no data directory yet, or not writable
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
