"""Named styles for rendered articles: roles, not colours.

The renderer never decides what an article looks like in colour; it tags each piece of text with
a *role* (heading, link, quote …) and looks the role up here. The defaults use only terminal
attributes (bold, italic, underline, dim, reverse), so an article is readable on any palette and
in monochrome. A theme layers its colours on top with `RenderStyles.with_overrides`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.style import Style


def _style(**attributes: bool) -> Style:
    return Style(**attributes)


@dataclass(frozen=True, slots=True)
class RenderStyles:
    """The style of every role the article renderer uses."""

    heading1: Style = field(default_factory=lambda: _style(bold=True, underline=True))
    """`<h1>`."""
    heading2: Style = field(default_factory=lambda: _style(bold=True))
    """`<h2>`."""
    heading3: Style = field(default_factory=lambda: _style(bold=True, italic=True))
    """`<h3>` to `<h6>`: terminals have no smaller type, so the lower levels share one style."""
    link: Style = field(default_factory=lambda: _style(underline=True))
    """The text of a numbered link."""
    link_number: Style = field(default_factory=lambda: _style(dim=True))
    """The `[3]` after a link or image."""
    quote: Style = field(default_factory=lambda: _style(italic=True))
    """Text inside `<blockquote>`."""
    quote_bar: Style = field(default_factory=lambda: _style(dim=True))
    """The `▌` bar that marks every line of a block quote."""
    code: Style = field(default_factory=lambda: _style(reverse=True))
    """Inline `<code>`, `<kbd>`, `<samp>`, `<tt>`."""
    code_block: Style = field(default_factory=Style)
    """`<pre>` blocks. When it has a background colour, lines are padded to the full width."""
    emphasis: Style = field(default_factory=lambda: _style(italic=True))
    """`<em>`, `<i>`, `<cite>`, `<var>`, `<dfn>`."""
    strong: Style = field(default_factory=lambda: _style(bold=True))
    """`<strong>`, `<b>`, `<dt>`, `<summary>`."""
    underline: Style = field(default_factory=lambda: _style(underline=True))
    """`<u>`, `<ins>`."""
    strike: Style = field(default_factory=lambda: _style(strike=True))
    """`<s>`, `<del>`, `<strike>`."""
    mark: Style = field(default_factory=lambda: _style(reverse=True))
    """`<mark>`."""
    small: Style = field(default_factory=lambda: _style(dim=True))
    """`<small>`, `<sub>`, `<sup>`: a terminal cannot shrink or raise text, so it is dimmed."""
    image: Style = field(default_factory=lambda: _style(dim=True, italic=True))
    """The `[image: alt]` placeholder."""
    hr: Style = field(default_factory=lambda: _style(dim=True))
    """The rule drawn for `<hr>`."""
    table_header: Style = field(default_factory=lambda: _style(bold=True))
    """Header cells (`<th>`, `<thead>` rows)."""
    caption: Style = field(default_factory=lambda: _style(italic=True))
    """`<figcaption>` and `<caption>`."""
    meta: Style = field(default_factory=lambda: _style(dim=True))
    """Placeholders for embedded media, table borders and similar chrome."""
    syntax_theme: str = "ansi_dark"
    """Pygments theme for code blocks with a known language. The `ansi_*` themes use the
    terminal's own 16 colours, so they follow whatever palette the user has."""

    def with_overrides(self, overrides: Mapping[str, Style | str]) -> RenderStyles:
        """Layer a theme's styles over these, role by role.

        Each override is combined with (not substituted for) the default, so a theme that only
        gives `link` a colour keeps the underline. Strings are parsed with `Style.parse`; they
        come from theme files, never from feeds.

        Raises:
            ValueError: for a role that does not exist (a typo in a theme must not pass silently)
                or a style string rich cannot parse.
        """
        roles = {f.name for f in dataclasses.fields(self) if f.name != "syntax_theme"}
        changes: dict[str, Style] = {}
        for role, value in overrides.items():
            if role not in roles:
                raise ValueError(f"unknown render style role {role!r}")
            try:
                extra = Style.parse(value) if isinstance(value, str) else value
            except Exception as error:  # rich raises StyleSyntaxError and, for colours, others
                raise ValueError(f"bad style for {role!r}: {error}") from error
            changes[role] = Style.combine([getattr(self, role), extra])
        return dataclasses.replace(self, **changes)
