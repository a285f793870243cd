"""The reader's subscription dialogs: add a feed (with discovery), remove one, edit one.

Each dialog changes feeds.toml through `newstui.core.config_writer`, on a thread (only the
feed's own lines change; a file changed on disk meanwhile is refused), and hands the new
`Config` back in an `Edited`; `SubscriptionActions` (mixed into the main screen) applies it.
Discovery runs in a worker: its fetches are asynchronous and its parsing is on a thread, so keys
stay responsive. Feed-supplied text is shown as `Text`, never as markup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from newstui.core.errors import ConfigError, ConfigWriteError
from newstui.core.models import Feed, FeedSpec
from newstui.core.settings import Config
from newstui.core.subscriptions import already_subscribed, split_tags, web_address
from newstui.core.views import View
from newstui.ui.writes import Write

if TYPE_CHECKING:
    from newstui.core.config_writer import FeedsFile
    from newstui.feeds.discover import Candidate
    from newstui.ui.screens.main import MainScreen


@dataclass(frozen=True, slots=True)
class Edited:
    """feeds.toml was changed: the new configuration, and what to tell the user."""

    config: Config
    message: str
    added: str | None = None
    """The URL of a feed just added (fetched at once)."""


async def save_change(path: Path, change: Callable[[FeedsFile], str]) -> Edited:
    """Open feeds.toml, apply `change` (which returns the message), save: all on a thread.

    Raises:
        ConfigError, ConfigWriteError: one line, shown in the dialog.
    """

    def run() -> Edited:
        # Imported when feeds.toml is first edited: tomlkit cost the launch ~15 ms.
        from newstui.core.config_writer import FeedsFile

        feeds = FeedsFile.open(path)
        copied = feeds.starter
        message = change(feeds)
        written = feeds.save()
        if copied:
            message += f" (the starter list was copied to {written} first: edit that one)"
        return Edited(feeds.config, message)

    return await asyncio.to_thread(run)


def _label(title: str, url: str) -> str:
    return f"{title} ({url})" if title and title != url else url


class AddFeedDialog(ModalScreen[Edited | None]):
    """`a`: an address (feed or web page), an optional title and tags; Enter looks for feeds.
    Several found: they are listed to choose from. Problems are shown in the dialog."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, config: Config) -> None:
        super().__init__(id="add-feed-dialog")
        self.config = config
        self.candidates: list[Candidate] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Add a feed", style="bold"))
            yield Input(placeholder="Feed or web page address", id="add-url")
            yield Input(placeholder="Title (optional)", id="add-title")
            yield Input(placeholder="Tags, comma-separated (optional)", id="add-tags")
            yield OptionList(id="add-candidates")
            yield Static(Text("Enter: look for feeds. Escape: cancel."), id="add-message")

    def on_mount(self) -> None:
        self.query_one("#add-candidates", OptionList).display = False
        self.query_one("#add-url", Input).focus()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#add-message", Static)
        message.update(Text(text, style="bold red" if error else ""))
        message.set_class(error, "-error")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def submitted(self) -> None:
        url = web_address(self.query_one("#add-url", Input).value)
        if url is None:
            self.say("Type a web address: a feed's, or any page's.", error=True)
            return
        known = already_subscribed(self.config.feeds, [url])
        if known is not None:
            self.say(f"Already subscribed: {_label(known.title or '', known.url)}", error=True)
            return
        self.say(f"Looking for feeds at {url} ...")
        self.look_for_feeds(url)

    @work(exclusive=True, group="discover", exit_on_error=False)
    async def look_for_feeds(self, url: str) -> None:
        from newstui.feeds.discover import discover
        from newstui.feeds.fetch import make_client

        settings = self.config.settings
        client = await asyncio.to_thread(
            make_client, max_redirects=settings.max_redirects, user_agent=settings.user_agent
        )
        async with client:
            found = await discover(
                client, url, timeout=settings.timeout, max_bytes=settings.max_feed_size
            )
        if found.error is not None:
            self.say(found.error, error=True)
            return
        self.candidates = list(found.feeds)
        if len(self.candidates) == 1:
            await self.subscribe(self.candidates[0])
            return
        options = self.query_one("#add-candidates", OptionList)
        options.clear_options()
        options.add_options(
            Option(Text(f"{c.title or '(untitled)'}  {c.url}  ({c.entries} entries)"))
            for c in self.candidates
        )
        options.display = True
        options.highlighted = 0
        options.focus()
        self.say(f"{len(self.candidates)} feeds {found.how}: choose one (Enter).")

    @on(OptionList.OptionSelected, "#add-candidates")
    async def chosen(self, event: OptionList.OptionSelected) -> None:
        await self.subscribe(self.candidates[event.option_index])

    async def subscribe(self, candidate: Candidate) -> None:
        known = already_subscribed(self.config.feeds, [candidate.url, candidate.final_url])
        if known is not None:
            self.say(f"Already subscribed: {_label(known.title or '', known.url)}", error=True)
            return
        title = self.query_one("#add-title", Input).value.strip() or None
        tags = split_tags(self.query_one("#add-tags", Input).value)
        spec = FeedSpec(candidate.url, title=title, tags=tags)

        def add(feeds: FeedsFile) -> str:
            feeds.add(spec)
            return f"Added {_label(title or candidate.title, candidate.url)}"

        try:
            edited = await save_change(self.config.path, add)
        except (ConfigError, ConfigWriteError) as error:
            self.say(str(error), error=True)
            return
        self.dismiss(Edited(edited.config, edited.message, added=spec.url))


class ConfirmRemoveDialog(ModalScreen[bool]):
    """`d`: "Remove <feed>?" y removes; n, Enter or Escape keep it (as the command's [y/N])."""

    BINDINGS = [
        Binding("y", "answer(True)", "Remove", id="dialog.yes"),
        Binding("n,enter,escape", "answer(False)", "Keep", id="dialog.no"),
    ]

    def __init__(self, label: str) -> None:
        super().__init__(id="remove-feed-dialog")
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Remove {self.label}?", style="bold"))
            yield Static(
                Text("Its entries and read state are kept, and come back if you add it again.")
            )
            yield Static(Text("y: remove   n or Enter: keep"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class EditFeedDialog(ModalScreen[Edited | None]):
    """`e`: the feed's title (empty: the feed's own) and tags; Enter saves, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, config: Config, spec: FeedSpec, feed_title: str) -> None:
        super().__init__(id="edit-feed-dialog")
        self.config = config
        self.spec = spec
        self.feed_title = feed_title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Edit {self.spec.url}", style="bold"))
            yield Input(
                self.spec.title or "", placeholder=f"Title ({self.feed_title})", id="edit-title"
            )
            yield Input(
                ", ".join(self.spec.tags), placeholder="Tags, comma-separated", id="edit-tags"
            )
            yield Static(Text("Enter: save. Escape: cancel."), id="edit-message")

    def on_mount(self) -> None:
        self.query_one("#edit-title", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    async def save(self) -> None:
        title = self.query_one("#edit-title", Input).value.strip() or None
        tags = split_tags(self.query_one("#edit-tags", Input).value)
        url = self.spec.url

        def edit(feeds: FeedsFile) -> str:
            feeds.edit(url, title=title, tags=tags)
            return f"Saved {_label(title or self.feed_title, url)}"

        try:
            edited = await save_change(self.config.path, edit)
        except (ConfigError, ConfigWriteError) as error:
            message = self.query_one("#edit-message", Static)
            message.update(Text(str(error), style="bold red"))
            return
        self.dismiss(edited)


class SubscriptionActions:
    """The main screen's `a`, `d` and `e`, applying an edited configuration, and keeping the
    store's feed rows in step with it."""

    if TYPE_CHECKING:
        app: object
        config: Config
        feeds: dict[str, Feed]

    def sync_feed_list(self: MainScreen, specs: Sequence[FeedSpec]) -> None:
        """Make the store's feed rows match feeds.toml, never waiting for the database.

        Through the write queue like a key's write: done at once when the database takes it,
        else kept and retried while another program holds the write lock (the status line
        says so, and the reader goes on with the feeds the store has). Nothing is lost if it
        never happens: the next start does it again.
        """
        now = self.clock()
        change = Write("feed list", 0, lambda store: store.sync_feeds(specs, now=now))
        self._feeds_waiting = not self.writes.submit(change)

    def start_refresh(
        self: MainScreen,
        *,
        force: bool,
        view: View | None = None,
        quiet: bool = False,
        sync: bool = False,
    ) -> None:
        """`RefreshController.start`, once the store has feeds.toml's feed rows (a refresh
        writes into those rows): asked for before, it starts when they are saved."""
        if not self._feeds_waiting:
            self.refresher.start(force=force, view=view, quiet=quiet, sync=sync)
            return
        waiting = self._refresh_waiting
        if waiting is not None:  # two asks: the wider one
            force = force or waiting[0]
            view = view if view == waiting[1] else None
            quiet = quiet and waiting[2]
            sync = sync or waiting[3]
        self._refresh_waiting = (force, view, quiet, sync)
        if not quiet:
            why = self.writes.problem() or "saving the feed list"
            self.notify(  # `why` may quote SQLite's own message: not markup
                f"The refresh starts once the feed list is saved ({why}).", markup=False, timeout=4
            )

    def _selected_feed(self: MainScreen) -> FeedSpec | None:
        view = self.feed_list.current_view
        spec = None
        if view is not None and view.kind == "feed":
            spec = next((s for s in self.config.feeds if s.url == view.key), None)
        if spec is None:
            self.notify("Highlight a feed in the feed list first.", timeout=3)
        return spec

    def action_add_feed(self: MainScreen) -> None:
        self.app.push_screen(AddFeedDialog(self.config), self.apply_edit)

    def action_edit_feed(self: MainScreen) -> None:
        spec = self._selected_feed()
        if spec is not None:
            feed = self.feeds.get(spec.url)
            title = feed.title if feed else spec.url
            self.app.push_screen(EditFeedDialog(self.config, spec, title), self.apply_edit)

    def action_remove_feed(self: MainScreen) -> None:
        view = self.feed_list.current_view
        key = view.key if view is not None and view.kind == "feed" else ""
        feed = self.feeds.get(key)
        # A sync server's feed (feeds.toml may list it or not) is unsubscribed there too.
        on_server = feed is not None and feed.origin == "server" and self.config.sync is not None
        if on_server:
            spec = next((s for s in self.config.feeds if s.url == key), None)
            url = key
        else:
            spec = self._selected_feed()
            if spec is None:
                return
            url = spec.url
        label = _label(feed.title if feed else (spec.title if spec else "") or "", url)
        where = " (and unsubscribe on the sync server)" if on_server else ""

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            if on_server:  # the server first, in a worker: no key waits for it
                self.run_worker(
                    self._unsubscribe(url, label, listed=spec is not None),
                    group="unsubscribe", exit_on_error=False,
                )  # fmt: skip
                return
            await self._remove_listed(url, label)

        self.app.push_screen(ConfirmRemoveDialog(label + where), answered)

    async def _remove_listed(self: MainScreen, url: str, label: str, done: str = "") -> None:
        def remove(feeds: FeedsFile) -> str:
            feeds.remove(url)
            return done or f"Removed {label}"

        try:
            edited = await save_change(self.config.path, remove)
        except (ConfigError, ConfigWriteError) as error:
            self.notify(str(error), severity="error", markup=False, timeout=8)
            return
        self.apply_edit(edited)

    async def _unsubscribe(self: MainScreen, url: str, label: str, *, listed: bool) -> None:
        """Unsubscribe on the server, then here; if the server cannot, nothing changes."""
        from newstui.core.errors import SyncError
        from newstui.feeds.sync import unsubscribe

        sync = self.config.sync
        assert sync is not None
        remote_id = self.store.feed_origins().get(url, (None, None))[1]
        try:
            if remote_id is None:
                raise SyncError("server", "the sync server's id of it is not known yet")
            await unsubscribe(sync, remote_id)
        except SyncError as error:
            self.notify(
                f"Not removed: {label}: {error.message}. Nothing changed; try again when the"
                " server answers.",
                severity="error", markup=False, timeout=8,
            )  # fmt: skip
            return
        self.writes.submit(Write("feed list", 0, lambda store: store.leave_server(url)))
        done = f"Unsubscribed from {label} on the sync server"
        if listed:
            await self._remove_listed(url, label, done)
            return
        self.reload_feeds()
        self.reload_entries()
        self.notify(done, markup=False, timeout=4)

    def apply_edit(self: MainScreen, edited: Edited | None) -> None:
        """Use the edited feeds.toml at once: store, lists, and the refresh's feed list."""
        if edited is None:
            return
        config = edited.config
        self.config = config
        self.app.config = config  # type: ignore[attr-defined]
        self.refresher.config = config
        if self.syncer is not None:  # it tells the sync server which feeds are local
            self.syncer.config = config
        self.sync_feed_list(config.feeds)
        self.reload_feeds()
        if edited.added:
            # Its row: under its first tag when it has tags.
            rows = [v for v in self.feed_list.views if v.kind == "feed" and v.key == edited.added]
            if rows:
                self.select_view(rows[0])
            self.start_refresh(force=True, view=View.feed(edited.added))
        else:
            self.reload_entries()
        self.notify(edited.message, markup=False, timeout=4)
