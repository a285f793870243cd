"""Theme files: TOML documents that map one-to-one onto Textual's `Theme`, checked at load time.

A theme file's top-level keys are the fields of `textual.theme.Theme`; its `[variables]` table
holds Textual's design variables and newstui's own (`newstui-unread`, ...); an optional `[meta]`
table says who made it and what it looks like. The loader checks every key, type and colour
*before* Textual sees the theme, because Textual only parses a theme's colours when it is
applied: an error found then would break the screen instead of naming a file and line.

Themes are layered by name, later over earlier: Textual's built-ins, then the bundled
`themes/*.toml`, then `<user config dir>/themes/*.toml`, then any `--theme-dir`. So a user file
named "nord" replaces the bundled Nord, which itself replaces Textual's (the bundled palettes
keep Textual's variables and add newstui's). Broken files never stop the others from loading:
`load_themes` returns the good themes plus one `ThemeFailure` per broken file, and
`format_failures` turns them into one notification.

UI layer: imports Textual (`Theme`, `Color`). Importing it reads no files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from textual.theme import BUILTIN_THEMES

from newstui.core import paths
from newstui.core.files import FileProblem, read_small_file
from newstui.core.text import printable_name
from newstui.core.tomlpos import (
    TomlPositions,
    TomlSyntaxError,
    did_you_mean,
    parse_toml,
)
from newstui.ui.theme_check import (
    COLOUR_KEYS,
    META_KEYS,
    NEWSTUI_VARIABLES,
    THEME_KEYS,
    TOP_LEVEL_KEYS,
    LoadedTheme,
    ThemeError,
    _Checker,
)

MAX_THEME_BYTES = 1_000_000
"""A theme is ~2 kB; a larger file is a mistake (or a trick)."""
@dataclass(frozen=True)
class ThemeFailure:
    """One theme file that could not be loaded; the others load regardless."""

    path: Path
    line: int | None
    """1-based line of the problem when it is known (not for unreadable files)."""
    problem: str


@dataclass(frozen=True)
class ThemeLoad:
    """Everything `load_themes` found: usable themes by name, and the files that failed."""

    themes: dict[str, LoadedTheme]
    failures: list[ThemeFailure] = field(default_factory=list)


class ThemeListing(NamedTuple):
    """One row of `newstui themes`."""

    name: str
    dark: bool
    source: str
    description: str


# -- loading -----------------------------------------------------------------------------------


def load_theme_file(path: Path, source: str) -> LoadedTheme:
    """Read and check one theme file.

    Args:
        path: the TOML file.
        source: "bundled" or "user", kept in the result for listings.

    Raises:
        ThemeError: naming the file, the line when known, and the first problem found.
    """
    text = _read(path)
    try:
        document = parse_toml(text)
    except TomlSyntaxError as error:
        raise ThemeError(path, error.line, error.problem) from None
    return _Checker(path, text).loaded(document, source)


def _read(path: Path) -> str:
    """The text of a theme file: a regular file (a FIFO would hang, `/dev/zero` never ends)
    of at most `MAX_THEME_BYTES`, in UTF-8."""
    try:
        data = read_small_file(path, MAX_THEME_BYTES)
    except FileProblem as problem:
        raise ThemeError(path, None, str(problem)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ThemeError(path, line, f"not UTF-8 text (byte 0x{data[error.start]:02x})") from None


def load_themes(extra_dirs: Sequence[Path] = ()) -> ThemeLoad:
    """Load the bundled themes, then the user's, then those in `extra_dirs`.

    A theme overrides an earlier one of the same name (so users can restyle a bundled theme
    by copying its file). Two files with one name in the *same* directory are a mistake, not an
    override: the second is reported. A missing user config directory is normal and silent; a
    missing `extra_dirs` entry was asked for explicitly, so it is reported.
    """
    themes: dict[str, LoadedTheme] = {}
    failures: list[ThemeFailure] = []
    directories = [(paths.bundled_themes_dir(), "bundled", False)]
    directories.append((paths.user_config_dir() / "themes", "user", False))
    directories += [(Path(directory), "user", True) for directory in extra_dirs]
    for directory, source, must_exist in directories:
        if not directory.is_dir():
            if must_exist:
                failures.append(ThemeFailure(directory, None, "no such theme directory"))
            continue
        seen_here: dict[str, Path] = {}
        files = sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))
        for path in files:
            try:
                loaded = load_theme_file(path, source)
            except ThemeError as error:
                failures.append(ThemeFailure(error.path, error.line, error.problem))
                continue
            name = loaded.theme.name
            if name in seen_here:
                problem = f"theme name '{name}' is already used by {seen_here[name].name}"
                failures.append(ThemeFailure(path, _line_of(path, "name"), problem))
                continue
            seen_here[name] = path
            themes[name] = dataclasses.replace(loaded, replaces=themes.get(name))
    return ThemeLoad(themes, failures)


@dataclass(frozen=True)
class LaterThemes:
    """Theme files not read yet, because only the bundled ones exist (no user theme folder, no
    `--theme-dir`): their theme names are their file names (a test checks it), so the reader
    knows without reading them whether the theme it starts with is one of them, and reads them
    after its first frame unless it is (~15-20 ms less before the headlines)."""

    names: frozenset[str]
    """The bundled themes' names."""

    def needed_for(self, wanted: str | None) -> bool:
        """Whether the files must be read before choosing `wanted`: it is one of them, or
        neither one of their file names nor a Textual built-in (a file whose `name` is not its
        file name must not be reported unknown; a misspelt name is reported against them all)."""
        return bool(wanted) and (wanted in self.names or wanted not in BUILTIN_THEMES)

    def load(self) -> ThemeLoad:
        return load_themes()


def themes_for_reader(extra_dirs: Sequence[Path] = ()) -> ThemeLoad | LaterThemes:
    """`load_themes(extra_dirs)`, or `LaterThemes` when only the bundled themes exist."""
    if extra_dirs or (paths.user_config_dir() / "themes").is_dir():
        return load_themes(extra_dirs)
    bundled = paths.bundled_themes_dir()
    names = frozenset(p.stem for p in bundled.glob("*.toml") if not p.name.startswith("."))
    return LaterThemes(names)


def unknown_theme_problem(name: str, available: Iterable[str]) -> str | None:
    """None when `name` is a theme, else the problem to report before falling back.

    Args:
        name: the configured theme (`[settings] theme`).
        available: the names that exist, e.g. `App.available_themes`.
    """
    names = list(available)
    if name in names:
        return None
    return f"unknown theme '{name}'{did_you_mean(name, names)} (`newstui themes` lists them)"


def format_failures(failures: Sequence[ThemeFailure]) -> str:
    """One notification text for every broken theme file ("" when there are none).

    Paths under the home directory are shortened to `~/...` to fit a toast. Show it with
    `markup=False`: a path may contain square brackets.
    """
    if not failures:
        return ""
    count = len({failure.path for failure in failures})
    noun = "theme file" if count == 1 else "theme files"
    lines = [f"{count} {noun} could not be loaded; the other themes are available:"]
    for failure in failures:
        where = _display_path(failure.path) + (f":{failure.line}" if failure.line else "")
        lines.append(f"• {where}: {printable_name(failure.problem)}")
    return "\n".join(lines)


def theme_listing(
    load: ThemeLoad, builtin_names: Iterable[str] = BUILTIN_THEMES
) -> list[ThemeListing]:
    """Rows for `newstui themes`: newstui's themes (bundled and user), then Textual's.

    Args:
        load: what `load_themes` returned.
        builtin_names: Textual's built-in theme names (default: those of the installed Textual).
    """
    builtins = set(builtin_names)
    rows = []
    for name, loaded in sorted(load.themes.items()):
        source = _source_label(loaded)
        replaced = loaded.replaces
        if replaced is not None:
            source += f" (overrides {_source_label(replaced)})"
        elif name in builtins:
            source += " (overrides textual built-in)"
        rows.append(ThemeListing(name, loaded.theme.dark, source, loaded.description))
    for name in sorted(builtins - load.themes.keys()):
        dark = BUILTIN_THEMES[name].dark if name in BUILTIN_THEMES else True
        rows.append(ThemeListing(name, dark, "textual built-in", ""))
    return rows


def _source_label(loaded: LoadedTheme) -> str:
    return "bundled" if loaded.source == "bundled" else f"user: {printable_name(str(loaded.path))}"


def _display_path(path: Path) -> str:
    """`~/...` for a path under the home directory; control characters shown as `?`."""
    try:
        shown = f"~/{path.relative_to(Path.home())}"
    except (ValueError, RuntimeError):  # not under home, or no home directory at all
        shown = str(path)
    return printable_name(shown)


def _line_of(path: Path, *key: str) -> int | None:
    try:
        return TomlPositions(_read(path)).line_of(*key)
    except ThemeError:
        return None


# -- checking ----------------------------------------------------------------------------------

__all__ = [
    "COLOUR_KEYS",
    "META_KEYS",
    "NEWSTUI_VARIABLES",
    "THEME_KEYS",
    "TOP_LEVEL_KEYS",
    "LoadedTheme",
    "ThemeError",
    "ThemeFailure",
    "ThemeListing",
    "ThemeLoad",
    "format_failures",
    "load_theme_file",
    "load_themes",
    "theme_listing",
    "unknown_theme_problem",
]
