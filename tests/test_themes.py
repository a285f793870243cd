"""Theme files: the bundled themes, the loader's messages, layering, and Textual integration.

Error messages are the user interface of a broken theme, so each kind has a fixture file in
`tests/data/themes/` and its message is pinned exactly, line included (as in test_config.py).
The App tests register every theme in a minimal Textual app and switch to it, because Textual
only resolves a theme's variables against a stylesheet when the theme is applied.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
from rich.color import ColorType
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import Static

from newstui.core import paths
from newstui.core.errors import NewstuiError
from newstui.ui.theme_colors import article_render_styles, contrast, newstui_variable_defaults
from newstui.ui.themes import (
    COLOUR_KEYS,
    NEWSTUI_VARIABLES,
    LoadedTheme,
    ThemeError,
    ThemeFailure,
    ThemeLoad,
    format_failures,
    load_theme_file,
    load_themes,
    theme_listing,
    unknown_theme_problem,
)

DATA = Path(__file__).parent / "data" / "themes"
BUNDLED = paths.bundled_themes_dir()
BUNDLED_FILES = sorted(BUNDLED.glob("*.toml"))
TRUECOLOUR_FILES = [p for p in BUNDLED_FILES if not tomllib.loads(p.read_text("utf-8")).get("ansi")]
"""Themes with fixed RGB colours; an ANSI theme's colours are whatever the terminal says."""
TCSS = Path(__file__).parents[1] / "newstui" / "ui" / "newstui.tcss"

# The bundled palettes that deliberately replace Textual's built-in theme of the same name
# (a superset: Textual's variables plus newstui's). Any other clash is an accident.
REPLACED_BUILTINS = {"nord", "gruvbox", "catppuccin-mocha", "solarized-dark", "solarized-light"}


def theme_text(name: str, *, dark: bool = True, description: str = "") -> str:
    """A small valid user theme."""
    return (
        f'name = "{name}"\nprimary = "#336699"\ndark = {str(dark).lower()}\n'
        f'[meta]\ndescription = "{description}"\n'
    )


@pytest.fixture(autouse=True)
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user config dir, so the developer's own themes never leak into a test."""
    config = tmp_path / "config"
    monkeypatch.setattr(paths, "user_config_dir", lambda: config)
    return config


def write_theme(directory: Path, file: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file
    path.write_text(text, encoding="utf-8")
    return path


def value_of(theme: Theme, name: str) -> str:
    return theme.variables[name] if name in theme.variables else getattr(theme, name)


# -- the bundled themes ----------------------------------------------------------------------


def test_bundled_themes_all_load() -> None:
    load = load_themes()
    assert load.failures == []
    assert len(load.themes) >= 8
    assert len(load.themes) == len(BUNDLED_FILES), "two bundled files share a name"
    assert all(
        loaded.source == "bundled" and loaded.replaces is None for loaded in load.themes.values()
    )
    darkness = {loaded.theme.dark for loaded in load.themes.values()}
    assert darkness == {True, False}
    assert any(loaded.theme.ansi for loaded in load.themes.values())
    assert {"nord", "gruvbox", "solarized-dark", "solarized-light", "catppuccin-mocha"} <= set(
        load.themes
    )
    assert {"high-contrast", "paper", "terminal-dark"} <= set(load.themes)


def test_bundled_dir_holds_only_toml() -> None:
    """pyproject force-includes `themes/` verbatim into the wheel."""
    assert {path.suffix for path in BUNDLED.iterdir()} == {".toml"}


def test_only_the_intended_builtins_are_replaced() -> None:
    names = {load_theme_file(path, "bundled").theme.name for path in BUNDLED_FILES}
    assert names & BUILTIN_THEMES.keys() == REPLACED_BUILTINS


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda path: path.stem)
def test_bundled_theme_is_complete(path: Path) -> None:
    loaded = load_theme_file(path, "bundled")
    theme = loaded.theme
    assert theme.name == path.stem, "file name and theme name differ"
    assert loaded.description and loaded.author
    assert set(NEWSTUI_VARIABLES) <= theme.variables.keys()
    colours = [getattr(theme, key) for key in COLOUR_KEYS if getattr(theme, key) is not None]
    colours += [theme.variables[name] for name in NEWSTUI_VARIABLES]
    for colour in colours:
        Color.parse(colour)
    theme.to_color_system().generate()


@pytest.mark.parametrize("path", TRUECOLOUR_FILES, ids=lambda path: path.stem)
def test_bundled_theme_is_readable(path: Path) -> None:
    """WCAG contrast: 4.5:1 for unread headlines (also under the cursor), 3:1 for other text."""
    theme = load_theme_file(path, "bundled").theme

    def colour(name: str) -> Color:
        return Color.parse(value_of(theme, name))

    background, cursor = colour("background"), colour("newstui-cursor")
    assert contrast(colour("newstui-unread"), background) >= 4.5
    assert contrast(colour("newstui-unread"), cursor) >= 4.5
    assert contrast(cursor, background) >= 1.1, "the cursor must differ from the background"
    assert contrast(colour("newstui-code"), colour("newstui-code-background")) >= 3
    text = set(NEWSTUI_VARIABLES) - {"newstui-cursor", "newstui-code-background"}
    for name in text:
        assert contrast(colour(name), background) >= 3, name


def test_ansi_themes_use_only_the_terminal_palette() -> None:
    """16-colour safe: nothing needs truecolor, so TERM=xterm and NO_COLOR behave."""
    ansi = [t for t in (load_theme_file(p, "bundled").theme for p in BUNDLED_FILES) if t.ansi]
    assert {theme.dark for theme in ansi} == {True, False}
    for theme in ansi:
        values = [getattr(theme, key) for key in COLOUR_KEYS if getattr(theme, key)]
        values += list(theme.variables.values())
        colours = [v for v in values if not v.endswith("style") and v not in ("none", "reverse")]
        assert all(v.startswith("ansi_") for v in colours), theme.name


# -- broken files ----------------------------------------------------------------------------

# file name -> (line, problem)
ERRORS = {
    "invalid_toml.toml": (4, "invalid TOML: Expected ']' at the end of a table declaration"),
    "unknown_key.toml": (2, "unknown key 'primry'; did you mean 'primary'?"),
    "unknown_variable.toml": (
        6,
        "variables: unknown variable 'newstui-unred'; did you mean 'newstui-unread'?",
    ),
    "unknown_meta_key.toml": (6, "meta: unknown key 'descripton'; did you mean 'description'?"),
    "variable_at_top_level.toml": (
        3,
        "'newstui-unread' is a variable: put it in the [variables] table",
    ),
    "bad_colour.toml": (3, "background: not a colour: \"blak\"; did you mean 'black'?"),
    "bad_hex.toml": (
        3,
        'surface: not a colour: "#12345"; use "#RRGGBB", "rgb(r,g,b)", "hsl(h,s%,l%)", '
        'a name like "red", or "ansi_red"',
    ),
    "translucent_variable.toml": (
        5,
        'variables.newstui-link: expected one opaque colour, not "#88C0D0 50%"',
    ),
    "bad_text_style.toml": (
        5,
        "variables.block-cursor-text-style: not a text style: \"italics\"; did you mean 'italic'?",
    ),
    "missing_name.toml": (None, "missing required key 'name'"),
    "missing_primary.toml": (None, "missing required key 'primary'"),
    "wrong_type_bool.toml": (3, 'dark: expected true or false, not "yes"'),
    "wrong_type_colour.toml": (2, 'primary: expected a colour such as "#88C0D0", not 8962256'),
    "out_of_range.toml": (3, "text_alpha: must be from 0 to 1, not 1.5"),
    "bad_name.toml": (
        1,
        "name: \"My Theme\" is not a usable name: use letters, digits, '-' and '_', "
        "starting with a letter or digit",
    ),
    "variables_not_table.toml": (3, "variables: expected a table"),
}


def test_every_fixture_is_checked() -> None:
    assert {path.name for path in DATA.glob("*.toml")} == set(ERRORS)


@pytest.mark.parametrize(("file", "expected"), ERRORS.items(), ids=list(ERRORS))
def test_error_message(file: str, expected: tuple[int | None, str]) -> None:
    line, problem = expected
    path = DATA / file
    with pytest.raises(ThemeError) as caught:
        load_theme_file(path, "user")
    assert (caught.value.line, caught.value.problem) == (line, problem)
    assert str(caught.value) == (f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
    assert isinstance(caught.value, NewstuiError)


def test_unreadable_file_is_a_theme_error(tmp_path: Path) -> None:
    path = write_theme(tmp_path, "latin1.toml", "")
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(ThemeError, match=r"latin1.toml:1: not UTF-8 text \(byte 0xe9\)$"):
        load_theme_file(path, "user")


def test_failures_are_collected_and_good_themes_still_load(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    for file in ("unknown_key.toml", "bad_colour.toml", "invalid_toml.toml"):
        write_theme(extra, file, (DATA / file).read_text(encoding="utf-8"))
    write_theme(extra, "fine.toml", theme_text("fine", description="ok"))
    load = load_themes([extra])
    assert sorted(failure.path.name for failure in load.failures) == [
        "bad_colour.toml",
        "invalid_toml.toml",
        "unknown_key.toml",
    ]
    assert load.failures[0] == ThemeFailure(
        extra / "bad_colour.toml", 3, "background: not a colour: \"blak\"; did you mean 'black'?"
    )
    assert "fine" in load.themes
    assert len(load.themes) == len(BUNDLED_FILES) + 1


def test_format_failures_is_one_text_naming_each_file(tmp_path: Path) -> None:
    failures = [
        ThemeFailure(tmp_path / "a.toml", 2, "unknown key 'primry'; did you mean 'primary'?"),
        ThemeFailure(tmp_path / "b.toml", None, "missing required key 'name'"),
        ThemeFailure(Path.home() / ".config/newstui/themes/c.toml", 3, "dark: expected true"),
    ]
    text = format_failures(failures)
    assert text.splitlines() == [
        "3 theme files could not be loaded; the other themes are available:",
        f"• {tmp_path / 'a.toml'}:2: unknown key 'primry'; did you mean 'primary'?",
        f"• {tmp_path / 'b.toml'}: missing required key 'name'",
        "• ~/.config/newstui/themes/c.toml:3: dark: expected true",
    ]
    assert format_failures(failures[:1]).startswith("1 theme file could not be loaded")
    assert format_failures([]) == ""


# -- where themes come from --------------------------------------------------------------------


def test_user_theme_overrides_bundled(user_config: Path) -> None:
    themes = user_config / "themes"
    path = write_theme(themes, "my-nord.toml", theme_text("nord", dark=False, description="mine"))
    load = load_themes()
    nord = load.themes["nord"]
    assert (nord.source, nord.path, nord.theme.primary, nord.description) == (
        "user",
        path,
        "#336699",
        "mine",
    )
    assert nord.replaces is not None and nord.replaces.source == "bundled"
    assert load.failures == []


def test_extra_dir_overrides_user_dir(user_config: Path, tmp_path: Path) -> None:
    write_theme(user_config / "themes", "x.toml", theme_text("x", description="user"))
    extra = tmp_path / "extra"
    write_theme(extra, "x.toml", theme_text("x", description="extra"))
    loaded = load_themes([extra]).themes["x"]
    assert loaded.description == "extra"
    assert loaded.replaces is not None and loaded.replaces.description == "user"


def test_missing_directories(tmp_path: Path) -> None:
    """No user theme dir is normal; a --theme-dir that doesn't exist was asked for."""
    load = load_themes([tmp_path / "nowhere"])
    assert load.failures == [ThemeFailure(tmp_path / "nowhere", None, "no such theme directory")]
    assert len(load.themes) == len(BUNDLED_FILES)


def test_same_name_twice_in_one_directory_is_reported(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    write_theme(extra, "a.toml", theme_text("twin", description="a"))
    write_theme(extra, "b.toml", theme_text("twin", description="b"))
    write_theme(extra, ".#a.toml", "editor lock file")
    load = load_themes([extra])
    assert load.themes["twin"].description == "a"
    assert load.failures == [
        ThemeFailure(extra / "b.toml", 1, "theme name 'twin' is already used by a.toml")
    ]


def test_theme_listing(user_config: Path) -> None:
    themes = user_config / "themes"
    path = write_theme(themes, "paper.toml", theme_text("paper", description="dark paper"))
    mine = write_theme(themes, "dracula.toml", theme_text("dracula", description="mine"))
    rows = {row.name: row for row in theme_listing(load_themes(), BUILTIN_THEMES)}
    assert rows["paper"] == ("paper", True, f"user: {path} (overrides bundled)", "dark paper")
    assert rows["solarized-light"][:3] == (
        "solarized-light",
        False,
        "bundled (overrides textual built-in)",
    )
    assert rows["high-contrast"].source == "bundled"
    assert rows["dracula"].source == f"user: {mine} (overrides textual built-in)"
    assert rows["textual-light"] == ("textual-light", False, "textual built-in", "")
    assert set(rows) == set(BUILTIN_THEMES) | {file.stem for file in BUNDLED_FILES}
    sources = [row.source for row in theme_listing(load_themes())]
    first_builtin = sources.index("textual built-in")
    assert all(source == "textual built-in" for source in sources[first_builtin:])


# -- defaults for themes without newstui's variables -----------------------------------------


@pytest.mark.parametrize("theme", BUILTIN_THEMES.values(), ids=list(BUILTIN_THEMES))
def test_defaults_are_literal_colours(theme: Theme) -> None:
    defaults = newstui_variable_defaults(theme)
    assert defaults.keys() == NEWSTUI_VARIABLES.keys()
    for name, value in defaults.items():
        assert not Color.parse(value).auto, name  # parses, and is not "auto" or "$x"
        if not theme.ansi:
            assert re.fullmatch(r"#[0-9A-Fa-f]{6}", value), (name, value)


def test_defaults_for_ansi_themes_stay_in_the_palette() -> None:
    defaults = newstui_variable_defaults(BUILTIN_THEMES["ansi-dark"])
    assert all(value.startswith("ansi_") for value in defaults.values())


def test_checker_accepts_textual_builtin_themes(tmp_path: Path) -> None:
    """Textual's own themes, written as files, pass: the checks are no stricter than Textual."""
    for theme in BUILTIN_THEMES.values():
        fields = {k: v for k, v in dataclasses.asdict(theme).items() if v is not None}
        variables = fields.pop("variables")
        lines = [f"{key} = {_toml(value)}" for key, value in fields.items()]
        lines += ["[variables]", *(f"{key} = {_toml(value)}" for key, value in variables.items())]
        path = write_theme(tmp_path, f"{theme.name}.toml", "\n".join(lines) + "\n")
        assert load_theme_file(path, "user").theme == theme


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def test_article_render_styles() -> None:
    nord = load_theme_file(BUNDLED / "nord.toml", "bundled").theme
    styles = article_render_styles(nord.variables, dark=nord.dark)
    assert styles.link.color is not None and styles.link.color.triplet is not None
    assert styles.link.color.triplet.hex.upper() == "#88C0D0"
    assert styles.link.underline, "the renderer's own attributes are kept"
    assert styles.code.reverse is False and styles.code.bgcolor is not None
    assert styles.syntax_theme == "ansi_dark"
    terminal = load_theme_file(BUNDLED / "terminal-light.toml", "bundled").theme
    styles = article_render_styles(terminal.variables, dark=terminal.dark)
    assert styles.link.color is not None and styles.link.color.type == ColorType.STANDARD
    assert styles.syntax_theme == "ansi_light"


# -- inside Textual ----------------------------------------------------------------------------

VARIABLE_CSS = (
    "\n".join(f"#{name} {{ color: ${name}; }}" for name in NEWSTUI_VARIABLES)
    + "\n#newstui-cursor { background: $newstui-cursor; }"
)


class ThemedApp(App[None]):
    """Just enough app to resolve newstui's variables the way NewsApp will."""

    CSS = VARIABLE_CSS

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return newstui_variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in NEWSTUI_VARIABLES:
            yield Static(name, id=name)


async def test_every_theme_resolves_in_textual() -> None:
    load = load_themes()
    app = ThemedApp()
    async with app.run_test() as pilot:
        for loaded in load.themes.values():
            app.register_theme(loaded.theme)
        for name, theme in app.available_themes.items():
            app.theme = name
            await pilot.pause()
            expected = {**newstui_variable_defaults(theme), **theme.variables}
            for variable in NEWSTUI_VARIABLES:
                assert app.theme_variables[variable] == expected[variable], (name, variable)
                widget = app.query_one(f"#{variable}", Static)
                assert widget.styles.color == Color.parse(expected[variable]), (name, variable)


class StylesheetApp(App[None]):
    CSS_PATH = TCSS

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return newstui_variable_defaults(self.current_theme)


async def test_app_stylesheet_parses_with_every_theme() -> None:
    """A stylesheet error surfaces when a theme is applied, so apply each one."""
    app = StylesheetApp()
    async with app.run_test() as pilot:
        for loaded in load_themes().themes.values():
            app.register_theme(loaded.theme)
        for name in app.available_themes:
            app.theme = name
            await pilot.pause()


def test_stylesheet_has_no_literal_colours() -> None:
    """Every colour in newstui.tcss comes from the theme, as a $variable."""
    css = re.sub(r"/\*.*?\*/", "", TCSS.read_text(encoding="utf-8"), flags=re.S)
    values = " ".join(re.findall(r":\s*([^;{}]+);", css))  # declarations, not selectors (#feeds)
    assert values.count("$") >= 10, "the declarations were not found"
    assert not re.findall(r"#[0-9A-Fa-f]{3,8}\b", values)
    assert not re.findall(r"\b(?:rgb|rgba|hsl|hsla)\(", values)
    words = set(re.findall(r"(?<![$\w-])[A-Za-z_][\w-]*", values))
    named = {word for word in words if _is_named_colour(word)}
    assert named == set(), f"named colours in newstui.tcss: {sorted(named)}"


def _is_named_colour(word: str) -> bool:
    try:
        Color.parse(word)
    except Exception:
        return False
    return True


def test_loaded_theme_is_frozen() -> None:
    loaded = LoadedTheme(Theme(name="x", primary="#000000"), Path("x.toml"), "user")
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.source = "bundled"  # type: ignore[misc]
    assert ThemeLoad({}).failures == []


def test_unknown_theme_problem() -> None:
    assert unknown_theme_problem("nord", BUILTIN_THEMES) is None
    assert unknown_theme_problem("nrod", BUILTIN_THEMES) == (
        "unknown theme 'nrod'; did you mean 'nord'? (`newstui themes` lists them)"
    )
