"""The reader's feeds.toml: from the copy it validated last time, kept beside the database.

Parsing and checking a 2,000-feed feeds.toml costs the reader's launch 45-90 ms (tomli, then URL
normalising and the checks of every `[[feeds]]` table, `newstui.core.config_check`), and the
modules that do it ~15 ms more to import. The file rarely changes between launches, so
`load_config_kept` keeps the validated `Config` in the data directory (`COPY_FILENAME`), keyed
by the file's exact bytes, its path and the code that checked it (newstui's and Python's
versions, tomli's, and the size and time of change of every module of `newstui.core`). Only a
configuration that passed every check is kept: a file with a problem is checked in full each
time and reports its `path:line: problem` exactly as `newstui.core.config.load_config` does.

The encoding is pure and lives in `newstui.core.config_copy`; this module is the part that reads
and writes the data directory, so it sits beside `newstui.cli`, which owns that directory. Any
failure to read or decode the copy only means "check the file" (and the copy is removed); a
data directory that cannot be written just means no copy.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from newstui import __version__
from newstui.core import paths
from newstui.core.atomic_file import replace_quietly
from newstui.core.config_copy import copy_key, decode_copy, encode_copy
from newstui.core.files import MAX_CONFIG_BYTES, read_config_bytes, read_small_file
from newstui.core.settings import Config

COPY_FILENAME = "feeds-toml-checked.json"
"""In the data directory, beside the database."""

MAX_COPY_BYTES = 4 * MAX_CONFIG_BYTES
"""The copy of a feeds.toml at its size limit; a larger file is not a copy (and is not kept)."""

_CORE = Path(paths.__file__).parent


def config_for(command: str | None, config_arg: str | None, data_arg: str | None) -> Config:
    """The configuration a command runs with (`--config`, `--data-dir` as given): the reader (no
    command) keeps its validated copy; every other command checks feeds.toml in full.

    Raises:
        ConfigError: as `newstui.core.config.load_config`.
    """
    path = paths.config_file(config_arg, os.environ)
    if command is None:
        return load_config_kept(path, paths.data_dir(data_arg, os.environ) / COPY_FILENAME)
    from newstui.core.config import load_config

    return load_config(path)


def load_config_kept(path: Path, copy: Path) -> Config:
    """`load_config(path)`, from the copy at `copy` when it was made from these very bytes by
    this very code; else checked in full (and the copy replaced when the file is valid).
    Creates no directory.

    Raises:
        ConfigError: as `newstui.core.config.load_config`.
    """
    path = Path(path)
    data = read_config_bytes(path)
    key = copy_key(path, data, _code_stamp())
    try:
        # A regular file of bounded size only: a FIFO there would hang the launch.
        config = decode_copy(read_small_file(copy, MAX_COPY_BYTES), key, path)
    except Exception:  # any damage at all (even RecursionError): check the file
        config = None
        with contextlib.suppress(OSError):
            copy.unlink()
    if config is not None:
        return config
    from newstui.core.config import config_from_bytes  # the parser and checks: only now

    config = config_from_bytes(path, data)
    _keep(copy, key, config)
    return config


def _keep(copy: Path, key: str, config: Config) -> None:
    if config.sync is not None and config.sync.token is not None:
        # An API key written in feeds.toml is not copied: the copy would be a second place
        # holding the secret, outside the file whose permissions the user set (and that
        # `newstui status` warns about). token_command users keep the faster launch.
        with contextlib.suppress(OSError):
            copy.unlink()  # one kept before the token was added
        return
    try:
        blob = encode_copy(key, config)
    except (TypeError, ValueError):
        return
    if len(blob) > MAX_COPY_BYTES:
        return
    # Not `atomic_write`: its two fsyncs would sit on the launch path, and a copy torn by a
    # crash fails its digest and only means checking feeds.toml again.
    replace_quietly(copy, blob)


def _code_stamp() -> str:
    """The code a copy depends on: newstui's version, Python's, the TOML parser's, and every
    module of `newstui.core` (size and time of change, for a source checkout between versions).

    tomli's own `__version__` is the version of its distribution (a test checks it); asking
    `importlib.metadata` would import email and zipfile, ~15 ms of the launch this saves.
    """
    import tomli  # imported by the launch already (newstui.core.tomlpos)

    code = [f"{__version__} {sys.version} tomli {tomli.__version__}"]
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(_CORE), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                info = entry.stat()
                code.append(f"{entry.name} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(code)
