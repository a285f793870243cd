"""A database error in a handler is a message, and the reader goes on.

Textual ends a node's message loop when one of its handlers raises (the app is expected to
exit on it): a `StoreError` there (a damaged page met while showing an entry, a disk gone)
would leave the reader on screen with its keys dead. The nodes that reach the store (the app,
the main screen, its lists and article pane) take this mixin first in their bases, so the error
is shown and the next message is handled as usual.
"""

from __future__ import annotations

from typing import Any

from newstui.core.errors import StoreError


class StoreErrorsShown:
    """Mixin for a Textual node whose handlers may meet a `StoreError`."""

    async def _dispatch_message(self, message: Any) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except StoreError as error:
            self.app.store_problem(error)  # type: ignore[attr-defined]
