"""Presentational widgets: data comes down as attributes, events go up as messages.

Widgets never import the store, fetch, refresh or config modules.
"""

from __future__ import annotations

from typing import Protocol


class Pane(Protocol):
    """What every pane answers, so one key means one thing everywhere: j/k, PageDown/PageUp
    and g/G move rows (in the lists) or lines (in the article)."""

    def move(self, delta: int) -> None: ...
    def page(self, direction: int) -> None: ...
    def jump(self, end: bool) -> None: ...
