"""Where newstui's files live. Pure functions: nothing here creates a directory.

Configuration lookup order (first hit wins): `--config PATH`, `$NEWSTUI_CONFIG`,
`<user config dir>/newstui/feeds.toml`, then the bundled starter `feeds.toml`.
Data (the SQLite file) lives in `--data-dir`, `$NEWSTUI_DATA_DIR`, or the user data dir.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "newstui"
DB_FILENAME = "newstui.db"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
"""The `newstui` package directory (this module lives in `newstui/core/`)."""


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def bundled_feeds_file() -> Path:
    """The starter `feeds.toml`: inside the wheel, or at the top of a source checkout."""
    packaged = _PACKAGE_DIR / "_data" / "feeds.toml"
    if packaged.is_file():
        return packaged
    return _PACKAGE_DIR.parent / "feeds.toml"


def bundled_themes_dir() -> Path:
    """The bundled `themes/`: inside the wheel, or at the top of a source checkout.

    An editable install cannot see hatchling's force-included directory, hence the fallback.
    """
    packaged = _PACKAGE_DIR / "_themes"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / "themes"


def config_file(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """The configuration file to read, by the documented lookup order."""
    if explicit:
        return Path(explicit).expanduser()
    if env.get("NEWSTUI_CONFIG"):
        return Path(env["NEWSTUI_CONFIG"]).expanduser()
    user_file = user_config_dir() / "feeds.toml"
    if user_file.is_file():
        return user_file
    return bundled_feeds_file()


def data_dir(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """The directory holding the database and UI state."""
    if explicit:
        return Path(explicit).expanduser()
    if env.get("NEWSTUI_DATA_DIR"):
        return Path(env["NEWSTUI_DATA_DIR"]).expanduser()
    return user_data_dir()
