"""Checking one parsed theme file into a `LoadedTheme`: every problem is one `ThemeError` naming
the file, the key and the line. Used by `newstui.ui.themes`, which finds and reads the files.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import Theme

from newstui.core.errors import NewstuiError
from newstui.core.text import printable_name
from newstui.core.tomlpos import (
    TomlPositions,
    describe_value,
    did_you_mean,
)

NEWSTUI_VARIABLES: dict[str, str] = {
    "newstui-unread": "text of an unread headline",
    "newstui-read": "text of a read headline",
    "newstui-bookmark": "the bookmark mark in the headline list",
    "newstui-error-mark": "the mark of a feed whose last fetch failed",
    "newstui-link": "links in an article",
    "newstui-quote": "block quotes in an article, and their bar",
    "newstui-code": "inline code in an article",
    "newstui-code-background": "background of code in an article",
    "newstui-heading": "headings in an article",
    "newstui-date": "dates in the headline list",
    "newstui-feed-name": "feed names in the headline list",
    "newstui-cursor": "background of the selected headline",
}
"""newstui's own CSS variables, each a single colour. A bundled theme sets them all; for any
other theme `newstui_variable_defaults` derives them from the theme's own colours."""


COLOUR_KEYS = (
    *("primary", "secondary", "warning", "error", "success", "accent"),
    *("foreground", "background", "surface", "panel", "boost"),
)


THEME_KEYS = tuple(f.name for f in dataclasses.fields(Theme))
"""Taken from the installed Textual, so a field it adds is accepted without a change here."""


TOP_LEVEL_KEYS = (*THEME_KEYS, "meta")


META_KEYS = ("description", "author")


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
"""Names become CSS classes (`-theme-<name>`) and `get_theme` splits on commas."""


_PERCENT = re.compile(r"\d+(\.\d+)?%")


_COLOUR_HINT = 'use "#RRGGBB", "rgb(r,g,b)", "hsl(h,s%,l%)", a name like "red", or "ansi_red"'


class ThemeError(NewstuiError):
    """A theme file is unusable. `str(error)` is one line: `/path/x.toml:12: problem`."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        text = f"{path}:{line}: {problem}" if line else f"{path}: {problem}"
        super().__init__(printable_name(text))


@dataclass(frozen=True)
class LoadedTheme:
    """A theme read from a file, with where it came from (for `newstui themes`)."""

    theme: Theme
    path: Path
    source: str
    """"bundled" or "user" (the user config dir and `--theme-dir` alike)."""
    description: str = ""
    author: str = ""
    replaces: LoadedTheme | None = None
    """The theme of the same name this one overrides, if any was loaded before it."""


@cache
def _textual_variables() -> frozenset[str]:
    """Every design variable the installed Textual generates, for dark, light and ANSI themes."""
    systems = (
        ColorSystem(primary="#808080", dark=True),
        ColorSystem(primary="#808080", dark=False),
        ColorSystem(primary="ansi_blue", ansi=True),
    )
    return frozenset(name for system in systems for name in system.generate())


class _Checker:
    """Validation of one parsed file; every problem names its key and line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.positions = TomlPositions(text)

    def fail(self, key: tuple[str, ...], problem: str, *, at: tuple[str, ...] = ()) -> NoReturn:
        """Raise for `key` (shown as `variables.x:`), at the line of `at` or else of `key`."""
        where = ".".join(key)
        line = self.positions.line_of(*(at or key)) if (at or key) else None
        raise ThemeError(self.path, line, f"{where}: {problem}" if where else problem)

    def loaded(self, document: dict[str, Any], source: str) -> LoadedTheme:
        for key, value in document.items():
            if key not in TOP_LEVEL_KEYS:
                self._unknown_top_level(key, value)
        for required in ("name", "primary"):
            if required not in document:
                self.fail((), f"missing required key '{required}'")
        name = self.string(document["name"], ("name",))
        if not _NAME.fullmatch(name):
            self.fail(
                ("name",),
                f"{describe_value(name)} is not a usable name: use letters, "
                "digits, '-' and '_', starting with a letter or digit",
            )
        options: dict[str, Any] = {"name": name}
        for key in COLOUR_KEYS:
            if key in document:
                options[key] = self.colour(document[key], (key,))
        for key in ("dark", "ansi"):
            if key in document:
                options[key] = self.boolean(document[key], (key,))
        for key in ("luminosity_spread", "text_alpha"):
            if key in document:
                options[key] = self.fraction(document[key], (key,))
        options["variables"] = self.variables(document.get("variables", {}))
        meta = self.meta(document.get("meta", {}))
        theme = Theme(**options)
        try:
            theme.to_color_system().generate()
        except Exception as error:  # a combination Textual rejects: report it, don't crash later
            self.fail((), f"Textual cannot build this theme: {error}")
        return LoadedTheme(
            theme, self.path, source, meta.get("description", ""), meta.get("author", "")
        )

    def _unknown_top_level(self, key: str, value: object) -> NoReturn:
        if key in NEWSTUI_VARIABLES or key in _textual_variables():
            self.fail((), f"'{key}' is a variable: put it in the [variables] table", at=(key,))
        if key in META_KEYS:
            self.fail((), f"'{key}' belongs in the [meta] table", at=(key,))
        kind = "table" if isinstance(value, dict) else "key"
        self.fail((), f"unknown {kind} '{key}'{did_you_mean(key, TOP_LEVEL_KEYS)}", at=(key,))

    def string(self, value: object, key: tuple[str, ...]) -> str:
        if not isinstance(value, str):
            self.fail(key, f"expected a string, not {describe_value(value)}")
        if not value.strip():
            self.fail(key, "must not be empty")
        return value

    def boolean(self, value: object, key: tuple[str, ...]) -> bool:
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, not {describe_value(value)}")
        return value

    def fraction(self, value: object, key: tuple[str, ...]) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"expected a number from 0 to 1, not {describe_value(value)}")
        if not 0 <= value <= 1:
            self.fail(key, f"must be from 0 to 1, not {describe_value(value)}")
        return float(value)

    def colour(self, value: object, key: tuple[str, ...]) -> str:
        if not isinstance(value, str):
            self.fail(key, f'expected a colour such as "#88C0D0", not {describe_value(value)}')
        text = self.string(value, key)
        try:
            Color.parse(text)
        except ColorParseError as error:
            hint = f"; did you mean '{error.suggested_color}'?" if error.suggested_color else ""
            self.fail(key, f"not a colour: {describe_value(text)}{hint or '; ' + _COLOUR_HINT}")
        return text

    def variables(self, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(("variables",), "expected a table")
        known = NEWSTUI_VARIABLES.keys() | _textual_variables()
        checked: dict[str, str] = {}
        for name, raw in value.items():
            key = ("variables", name)
            if name not in known:
                problem = f"unknown variable '{name}'{did_you_mean(name, sorted(known))}"
                self.fail(("variables",), problem, at=key)
            if name in NEWSTUI_VARIABLES:
                checked[name] = self.opaque_colour(raw, key)
            elif name.endswith("style") or "-style-" in name:
                checked[name] = self.text_style(raw, key)
            else:
                checked[name] = self.css_colour(raw, key)
        return checked

    def opaque_colour(self, value: object, key: tuple[str, ...]) -> str:
        """newstui's variables also style the article through rich, which cannot blend."""
        if isinstance(value, str) and " " in value.strip():
            self.fail(key, f"expected one opaque colour, not {describe_value(value)}")
        text = self.colour(value, key)
        if Color.parse(text).a < 1:
            self.fail(key, f"expected one opaque colour, not {describe_value(text)} (translucent)")
        return text

    def css_colour(self, value: object, key: tuple[str, ...]) -> str:
        """A Textual colour variable: a colour or `auto`, optionally with an alpha percentage."""
        text = self.string(value, key)
        colour, _, alpha = text.partition(" ")
        if alpha and not _PERCENT.fullmatch(alpha.strip()):
            self.fail(
                key, f'not a colour: {describe_value(text)}; an alpha is written "#RRGGBB 50%"'
            )
        if colour not in ("auto", "initial"):
            self.colour(colour, key)
        return text

    def text_style(self, value: object, key: tuple[str, ...]) -> str:
        text = self.string(value, key)
        for word in text.split():
            if word not in VALID_STYLE_FLAGS:
                hint = did_you_mean(word, sorted(VALID_STYLE_FLAGS))
                self.fail(key, f"not a text style: {describe_value(word)}{hint}")
        return text

    def meta(self, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(("meta",), "expected a table")
        for name, raw in value.items():
            if name not in META_KEYS:
                problem = f"unknown key '{name}'{did_you_mean(name, META_KEYS)}"
                self.fail(("meta",), problem, at=("meta", name))
            self.string(raw, ("meta", name))
        return value
