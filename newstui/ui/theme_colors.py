"""Colours derived from a theme: newstui's own variables and the article renderer's styles.

UI layer (imports Textual's `Theme` and `Color`); split from `themes.py`, which loads files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.theme import Theme

if TYPE_CHECKING:
    from newstui.article.render import RenderStyles


def newstui_variable_defaults(theme: Theme) -> dict[str, str]:
    """newstui's variables for `theme`, derived from its own colours, as literal values.

    For themes that don't set them: Textual's built-ins and users' own. The values must be
    literal colours: Textual does not resolve a `$accent` inside a variable's value, so the
    stylesheet would fail to parse. Textual's readable `text-*` shades give the accents;
    blends of foreground and background give the muted and cursor colours. ANSI themes use
    the terminal's palette, which cannot be blended, so they get ANSI names.
    """
    colours = {**theme.to_color_system().generate(), **theme.variables}

    def get(name: str) -> str:
        return colours[name].partition(" ")[0]  # drop any alpha ("#81a1c1 35%")

    defaults = {
        "newstui-unread": get("foreground"),
        "newstui-bookmark": get("text-warning"),
        "newstui-error-mark": get("text-error"),
        "newstui-link": get("text-primary"),
        "newstui-quote": get("text-secondary"),
        "newstui-code": get("text-success"),
        "newstui-heading": get("text-accent"),
        "newstui-feed-name": get("text-secondary"),
    }
    foreground, background = _solid(get("foreground")), _solid(get("background"))
    if theme.ansi or foreground is None or background is None:
        defaults |= {
            "newstui-read": get("foreground"),  # bold marks unread; a grey may be invisible
            "newstui-date": get("text-secondary"),
            "newstui-code-background": get("background"),
            "newstui-cursor": get("primary"),
        }
    else:
        surface = _solid(get("surface"))
        code_background = surface if surface not in (None, background) else None
        defaults |= {
            "newstui-read": _muted(background, foreground, 0.55).hex,
            "newstui-date": _muted(background, foreground, 0.65).hex,
            "newstui-code-background": (code_background or background.blend(foreground, 0.08)).hex,
            "newstui-cursor": _cursor(background, foreground, _solid(get("primary"))).hex,
        }
    # A theme may set a text-* variable to "auto 87%": not a colour rich can use.
    fallback = get("foreground") if _literal(get("foreground")) else "ansi_default"
    return {name: value if _literal(value) else fallback for name, value in defaults.items()}


def _literal(text: str) -> bool:
    try:
        return not Color.parse(text).auto
    except ColorParseError:
        return False


def _solid(text: str) -> Color | None:
    """The colour `text` names, if it is an opaque, non-ANSI colour that can be blended."""
    try:
        colour = Color.parse(text)
    except ColorParseError:
        return None
    return colour if colour.ansi is None and colour.a == 1 and not colour.auto else None


def _muted(background: Color, foreground: Color, strength: float) -> Color:
    """The foreground faded towards the background, but never below 3:1 contrast.

    Low-contrast palettes (Solarized) get little fading, high-contrast ones a lot.
    """
    for step in range(int(strength * 20), 20):
        muted = background.blend(foreground, step / 20)
        if contrast(muted, background) >= 3:
            return muted
    return foreground


def _cursor(background: Color, foreground: Color, primary: Color | None) -> Color:
    """The strongest tint of primary over the background that keeps text readable (4.5:1)."""
    tint = primary or foreground
    for amount in (0.5, 0.4, 0.3, 0.2):
        cursor = background.blend(tint, amount)
        if contrast(foreground, cursor) >= 4.5:
            return cursor
    return background.blend(foreground, 0.15)


def contrast(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 (none) to 21 (black on white)."""

    def luminance(colour: Color) -> float:
        def channel(value: int) -> float:
            value_01 = value / 255
            return value_01 / 12.92 if value_01 <= 0.03928 else ((value_01 + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def article_render_styles(variables: Mapping[str, str], *, dark: bool) -> RenderStyles:
    """The article renderer's styles for a theme's CSS variables (`App.theme_variables`).

    The renderer works in rich styles, not CSS, so colours go through Textual's `Color` (which
    knows `ansi_*` names and CSS colour names that rich does not). Inline code drops the
    renderer's monochrome `reverse`, which would swap the theme's colours.
    """
    # Imported with the first article, not at launch: the renderer's package costs ~20 ms.
    from newstui.article.render import RenderStyles

    def colour(name: str) -> RichColor | None:
        return _colour(variables, name)

    heading = Style(color=colour("newstui-heading"))
    quote = Style(color=colour("newstui-quote"))
    overrides = {
        "heading1": heading,
        "heading2": heading,
        "heading3": heading,
        "link": link_colour(variables),
        "quote": quote,
        "quote_bar": quote,
        "code": Style(
            color=colour("newstui-code"), bgcolor=colour("newstui-code-background"), reverse=False
        ),
        "code_block": Style(bgcolor=colour("newstui-code-background")),
    }
    styles = RenderStyles().with_overrides(overrides)
    return dataclasses.replace(styles, syntax_theme="ansi_dark" if dark else "ansi_light")


def link_colour(variables: Mapping[str, str]) -> Style:
    """A link's colour in the article pane (the renderer's `link` role, and a feed's address in
    its status, `newstui.article.feed_status`), laid over their underline."""
    return Style(color=_colour(variables, "newstui-link"))


def _colour(variables: Mapping[str, str], name: str) -> RichColor | None:
    value = variables.get(name)
    try:
        return Color.parse(value.partition(" ")[0]).rich_color if value else None
    except ColorParseError:
        return None
