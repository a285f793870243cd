"""KeysFooter: the shown keys as one line of text in one widget, redrawn when they change.

Textual's Footer is a container of one widget per key (~20 here), mounted once the screen's
bindings are first known, just after the first frame: ~30-50 ms of compose, CSS and mount,
then two or three whole-screen layouts (~100 ms in all), which the first key after the feed
list appeared waited for. It also removed and re-mounted them on every focus change. This
widget draws the same keys, in the same order and colours, as text: a change of keys is a
redraw of one line, never a layout. A key is clicked as in Textual's Footer (its key is
pressed), and hovering one shows its tooltip. As there, the command palette's key is docked
right, over the keys that do not fit.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.widget import Widget

Shown = tuple[tuple[object, ...], ...]


class _Key(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


class KeysFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--hover",
        "keys-footer--separator",
    }
    # The colours of Textual's Footer and FooterKey (the same theme variables).
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .keys-footer--hover {
            background: $block-hover-background;
        }
        & > .keys-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: Shown | None = None
        """What the keys on display were made from (None: not yet known)."""
        self.keys: list[_Key] = []
        """The keys on display, left to right; the command palette's last."""
        self._palette: _Key | None = None
        self._spans: list[tuple[int, int, _Key]] = []
        """Each key's cells as last drawn: (start, end, key)."""
        self._hover: _Key | None = None

    @property
    def labels(self) -> list[tuple[str, str]]:
        """(key, description) of each key shown, as Textual's FooterKey has them."""
        return [(key.key, key.description) for key in self.keys]

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        if self.is_attached and self._read():
            self.refresh()  # one line redrawn, no layout

    def _read(self) -> bool:
        """Read the keys to show; whether they changed."""
        app = self.app
        active = self.screen.active_bindings
        shown: dict[str, _Key] = {}  # Footer shows the first binding of each action
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = _Key(
                    binding.key, app.get_key_display(binding), binding.description,
                    enabled, tooltip,
                )  # fmt: skip
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = _Key(
                binding.key, app.get_key_display(binding), binding.description, enabled,
                binding.tooltip or binding.description,
            )  # fmt: skip
        keys = list(shown.values())
        state = (*(tuple(k) for k in keys), (palette,))
        if state == self._shown:
            return False  # the same keys: nothing to redraw
        self._shown, self._palette = state, palette
        self.keys = keys if palette is None else [*keys, palette]
        return True

    def render(self) -> Text:
        if self._shown is None:
            self._read()  # the first frame: the keys as known now
        key_style = self.get_component_rich_style("keys-footer--key", partial=True)
        text_style = self.get_component_rich_style("keys-footer--description", partial=True)
        hover = self.get_component_rich_style("keys-footer--hover", partial=True)
        line, spans = Text(no_wrap=True, overflow="crop"), []
        keys = self.keys if self._palette is None else self.keys[:-1]
        for key in keys:
            start = line.cell_len
            extra = hover if key is self._hover else None
            line.append(f" {key.display} ", key_style + extra if extra else key_style)
            if key.description:
                line.append(f"{key.description} ", text_style + extra if extra else text_style)
            if not key.enabled:
                line.stylize("dim", start)
            spans.append((start, line.cell_len, key))
        width = self.size.width
        if self._palette is not None and width:
            key = self._palette
            label = Text.assemble(
                ("▏", self.get_component_rich_style("keys-footer--separator")),
                (key.display, key_style),
                (f" {key.description}", text_style),
                " ",
            )
            start = width - label.cell_len
            if start >= 0:  # docked right over the keys, as in Textual's Footer
                if line.cell_len > start:
                    line.truncate(start)
                    spans = [(a, min(b, start), k) for a, b, k in spans if a < start]
                line.append(" " * (start - line.cell_len))
                spans.append((start + 1, width - 1, key))
                line.append_text(label)
        self._spans = spans
        return line

    def _key_at(self, x: int) -> _Key | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key is not self._hover:
            self._hover = key
            self.tooltip = (key.tooltip or key.description) if key is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()
