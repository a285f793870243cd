"""The main screen's link keys: o, y, the digits (links past 9 too), L and f.

Mixed into `MainScreen`; the article's links and reader mode belong to `ArticlePresenter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newstui.ui.screens.main import MainScreen

LINK_DIGIT_WAIT = 0.6
"""Seconds a first digit waits for a second one (1 then 2: link [12]) when there could be one."""


class LinkActions:
    def action_open_in_browser(self: MainScreen) -> None:
        self.articles.open_entry_link(self.current_entry_id())

    def action_open_link(self: MainScreen, digit: int) -> None:
        """Digit keys: link [digit], or with a second digit typed quickly, link [12]."""
        if self._link_digits:
            number = int(self._link_digits + str(digit))
            self._cancel_link_digits()
            self.articles.open_link(number)
            return
        if digit and digit * 10 <= len(self.articles.links()):
            # There is a link [10 x digit]: wait a moment for a second digit.
            self._link_digits = str(digit)
            self._link_timer = self.set_timer(LINK_DIGIT_WAIT, self._open_pending_link)
            self.status_update(f"Link [{digit}…]")
            return
        self.articles.open_link(digit)

    def _open_pending_link(self: MainScreen) -> None:
        number = int(self._link_digits or "0")
        self._cancel_link_digits()
        self.articles.open_link(number)

    def _cancel_link_digits(self: MainScreen) -> None:
        self._link_digits = ""
        if self._link_timer is not None:
            self._link_timer.stop()
            self._link_timer = None
        self.status_update(self.refresher.idle_text())

    def action_show_links(self: MainScreen) -> None:
        self.articles.choose_link()

    def action_toggle_full_text(self: MainScreen) -> None:
        self.articles.toggle_full_text()

    def action_copy_link(self: MainScreen) -> None:
        self.articles.copy_entry_link(self.current_entry_id())
