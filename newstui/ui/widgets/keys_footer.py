"""KeysFooter: Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer removes and re-mounts every key of the footer whenever the screen's bindings
*may* have changed: every focus change, twice. In the reader the focus moves between panes
(`n` and Enter give the article the focus) while the keys shown stay the same, and each rebuild
cost ~35-45 ms with its CSS and a whole-screen layout: the key after `n` waited for it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

Shown = tuple[tuple[object, ...], ...]


class KeysFooter(Footer):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._composed: Shown | None = None
        """What the keys on display were built from (None: nothing built yet)."""

    def _shown(self) -> Shown:
        """What `Footer.compose` builds the keys from: the shown bindings, in order, with their
        key labels, state and tooltips, and the command palette's key."""
        app = self.app
        shown = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                binding.group,
                enabled,
                tooltip,
            )
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        )
        return (*shown, (self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE))

    def compose(self) -> ComposeResult:
        self._composed = self._shown() if self._bindings_ready else None
        yield from super().compose()

    async def recompose(self) -> None:
        if self._composed is not None and self.is_attached and self._shown() == self._composed:
            return  # the same keys: nothing to rebuild
        await super().recompose()
