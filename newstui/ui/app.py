"""NewsApp: wiring only (stylesheet, screens, keymap, links). No feed logic lives here."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import shutil
import signal
import subprocess
import sys
import time
import webbrowser
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen
from textual.theme import Theme

from newstui.core.errors import StoreError
from newstui.core.settings import Config
from newstui.core.timefmt import utc_now
from newstui.store import READER_CACHE_KIB, Store
from newstui.store.first_screen import FirstScreen
from newstui.ui.bindings import APP_BINDINGS, MAIN_BINDINGS, check_keymap, known_bindings
from newstui.ui.collector import raise_backstop
from newstui.ui.screens.main import MainScreen
from newstui.ui.store_errors import StoreErrorsShown
from newstui.ui.theme_colors import newstui_variable_defaults
from newstui.ui.themes import (
    LaterThemes,
    ThemeLoad,
    format_failures,
    load_themes,
    unknown_theme_problem,
)
from newstui.ui.writes import Write, WriteQueue, describe_unsaved

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""`kill` and a closed terminal: the reader quits as `q` does, its waiting writes saved first."""
CONSOLE_BROWSERS = ("w3m", "lynx", "elinks", "links", "www-browser")
OPENABLE_SCHEMES = ("http://", "https://", "mailto:")


class PreviewedThemes(Provider):
    """The themes, for the picker: highlighting one shows it (NewsApp._preview_theme),
    choosing one keeps it."""

    async def discover(self) -> Hits:
        for name in sorted(self.app.available_themes):
            yield DiscoveryHit(name, partial(self._choose, name), text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name in sorted(self.app.available_themes):
            if (score := matcher.match(name)) > 0:
                # Content, not markup: a user theme's name is only checked against a pattern.
                yield Hit(score, matcher.highlight(name), partial(self._choose, name), text=name)

    def _choose(self, name: str) -> None:
        self.app.theme_picked(name)  # type: ignore[attr-defined]


class NewsApp(StoreErrorsShown, App[None]):
    CSS_PATH = "newstui.tcss"
    TITLE = "newstui"
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        config: Config,
        store: Store,
        db_path: Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        themes: ThemeLoad | LaterThemes | None = None,
        theme: str | None = None,
        first_screen: FirstScreen | None = None,
    ) -> None:
        # With NO_COLOR, Textual picks its colour filter once, here, from the theme current at
        # that moment: asking for ANSI colours gives the NoColor filter (attributes kept)
        # instead of a grey Monochrome one that ignores the terminal's palette.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.set_reactive(App.ansi_color, None)
        self.config = config
        self.store = store
        self.db_path = db_path
        self.clock = clock
        self.first_screen = first_screen
        """The first screen's reads, started before Textual was imported (cli._run_tui)."""
        self.writes = WriteQueue(db_path, self._writes_report)
        self.store_failure: StoreError | None = None
        """The database error that ended the reader before it could show anything."""
        self._last_problem: tuple[str, float] = ("", 0.0)
        """Every write a key makes goes through here: never waits, never lost silently."""
        self._loop: asyncio.AbstractEventLoop | None = None
        # Scrolling must feel instant, as in newsboat: animations cost 30 ms to 1 s per key.
        self.animation_level = "none"
        self._reported_clashes: set[frozenset[str]] = set()
        self._theme_before_preview: str | None = None
        """The theme when the picker opened (None: it is closed)."""
        self._theme_chosen: str | None = None
        self.keymap: dict[str, str] = {}
        """The keymap applied (preset and the user's `[keymap]`), by binding id."""
        if isinstance(themes, LaterThemes) and themes.needed_for(self._wanted_theme(theme)):
            themes = themes.load()  # the first frame may be drawn in one of them
        self._later_themes = themes if isinstance(themes, LaterThemes) else None
        """Theme files to read after the first frame (`load_later_themes`)."""
        self.theme_load = ThemeLoad({}) if isinstance(themes, LaterThemes) else themes
        if self.theme_load is None:
            self.theme_load = load_themes()
        for loaded in self.theme_load.themes.values():
            self.register_theme(loaded.theme)
        self._theme_problem = self._choose_theme(theme)

    def load_later_themes(self) -> None:
        """Read the theme files left for later (`LaterThemes`), once: when the keys after the
        first frame pause (`MainScreen`), or when the picker opens."""
        later, self._later_themes = self._later_themes, None
        if later is None:
            return
        self.theme_load = later.load()
        for loaded in self.theme_load.themes.values():
            self.register_theme(loaded.theme)
        if self.theme_load.failures:
            self.notify(
                format_failures(self.theme_load.failures),
                title="Themes",
                severity="warning",
                markup=False,
                timeout=10,
            )

    def _choose_theme(self, explicit: str | None) -> str | None:
        """--theme, else the theme last picked in the reader, else feeds.toml, else the default.

        A pick made in the reader is remembered with the feeds.toml value of that moment, so
        editing `theme` in feeds.toml later wins over the old pick.
        """
        wanted = self._wanted_theme(explicit)
        if not wanted:
            return None
        problem = unknown_theme_problem(wanted, self.available_themes)
        if problem is None:
            self.theme = wanted
        return problem

    def _wanted_theme(self, explicit: str | None) -> str | None:
        configured = self.config.settings.theme
        picked = self.store.get_state("theme")
        picked_over = self.store.get_state("theme.configured")
        return explicit or (picked if picked and picked_over == (configured or "") else configured)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return newstui_variable_defaults(self.current_theme)

    def _remember_theme(self, theme: Theme) -> None:
        """Keep the user's choice in the data dir: feeds.toml is theirs, never rewritten."""
        if self._theme_before_preview is not None:
            return  # a preview while the picker is open: remembered only once chosen
        name, configured = theme.name, self.config.settings.theme or ""

        def save(store: Store) -> None:
            store.set_state("theme", name)
            store.set_state("theme.configured", configured)

        self.writes.submit(Write("theme choice", 1, save))

    def _stop_on_signal(self) -> None:
        # The marks waiting on the write thread (`n`'s, a moment after the key; longer while
        # another program holds the write lock) are saved first: after a SIGHUP the terminal
        # is gone, and restoring it on the way out may fail.
        self.writes.drain()
        self.exit()

    def _writes_report(self, problem: str | None) -> None:
        """From the write thread: hop to the event loop without waiting for it."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing to show
            loop.call_soon_threadsafe(self._show_writes, problem)

    def _show_writes(self, problem: str | None) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.writes_changed(problem)

    def _handle_exception(self, error: Exception) -> None:
        if isinstance(error, StoreError):
            self.store_problem(error)
            return
        super()._handle_exception(error)

    def store_problem(self, error: StoreError) -> None:
        """A database the reader cannot read (damaged, gone) is a message, not a crash: the
        action that met it stops there and the reader stays open (`StoreErrorsShown`). Met
        before the main screen could show anything, it ends the reader with that one line
        (`run_app` prints it): there is nothing to read."""
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is None or not main.started:
            self.store_failure = error
            self.exit(return_code=1)
            return
        text, shown_at = self._last_problem
        now = time.monotonic()
        if text == str(error) and now - shown_at < 10:
            return  # the same error on every frame or key: once is enough
        self._last_problem = (str(error), now)
        self.notify(f"Database problem: {error}", severity="error", markup=False, timeout=10)

    async def on_event(self, event: events.Event) -> None:
        # A key that comes back to the app (its bindings are checked here) after `/` opened
        # the search is the query's letter: `MainScreen.typed_ahead`.
        if (
            isinstance(event, events.Key)
            and event.is_forwarded
            and isinstance(self.screen, MainScreen)
            and self.screen.typed_ahead(event)
        ):
            event.stop()
            return
        await super().on_event(event)

    def on_ready(self) -> None:
        if not gc.isenabled():
            # The command paused the collector for start-up (cli._run_tui). What exists now
            # lives as long as the app; frozen, full collections skip it: they cost 10-25 ms
            # pauses, in the middle of key presses, with 2,000 feeds.
            gc.freeze()
            raise_backstop()  # full passes once the keys pause (`MainScreen.collector`)
            gc.enable()

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                self._loop.add_signal_handler(number, self._stop_on_signal)
        problems = []
        if self._theme_problem:
            problems.append(f"{self._theme_problem}; using {self.theme}")
        if self.theme_load.failures:
            problems.append(format_failures(self.theme_load.failures))
        if problems:
            self.notify(
                "\n".join(problems), title="Themes", severity="warning", markup=False, timeout=10
            )
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        check = check_keymap(self.config.keymap, self.config.settings.keys)
        self.keymap = check.keymap
        if check.keymap:
            self.set_keymap(check.keymap)
        if check.problems:
            self.notify(
                "\n".join(check.problems),
                title=f"[keymap] in {self.config.path}",
                severity="warning",
                markup=False,
                timeout=10,
            )
        # Pushed once start-up's batch update is over: pushed inside it, the main screen's
        # first render is thrown away and redone (~25 ms later headlines at launch).
        self.call_later(
            self.push_screen,
            MainScreen(
                self.config,
                self.store,
                self.db_path,
                self.clock,
                self.writes,
                first_screen=self.first_screen,
            ),
        )

    def key_label(self, binding_id: str) -> str:
        """The first key bound to `binding_id` now, as the footer shows it ("U", "?"), so a
        message that names a key names the user's key (preset and `[keymap]` applied)."""
        keys = self.keymap.get(binding_id) or known_bindings()[binding_id].key
        return self.get_key_display(Binding(keys.split(",")[0].strip(), ""))

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """Textual drops one of two bindings on the same key: say so once, don't hide it."""
        # Textual also reports a binding "clashing" with itself when a keymap gives it a key it
        # already had among several (the newsboat preset's tab): nothing is lost then.
        ids = frozenset(
            b.id or b.action
            for b in clashed_bindings
            if not (b.id and b.key in self.keymap.get(b.id, "").split(","))
        )
        if not ids or ids in self._reported_clashes:
            return
        self._reported_clashes.add(ids)
        self.notify(
            f"Key clash in [keymap]: {', '.join(sorted(ids))} share a key; one of them is lost.",
            severity="warning",
            markup=False,
        )

    # -- the theme picker (T): each highlighted theme is shown at once, Escape goes back ------

    def action_change_theme(self) -> None:
        self.load_later_themes()  # pressed before the first frame was done
        self._theme_before_preview = self.theme
        palette = CommandPalette(providers=[PreviewedThemes], placeholder="Search for themes…")
        self.push_screen(palette, self._theme_picker_closed)

    @on(CommandPalette.OptionHighlighted)
    def _preview_theme(self, event: CommandPalette.OptionHighlighted) -> None:
        option = event.highlighted_event.option
        name = getattr(getattr(option, "hit", None), "text", None)
        if self._theme_before_preview is not None and name in self.available_themes:
            self.theme = name

    def theme_picked(self, name: str) -> None:
        """A theme was chosen in the picker (before or after it closes: Textual runs the
        command after dismissing the palette)."""
        self._theme_chosen = name
        self._theme_before_preview = None
        self.theme = name
        self._remember_theme(self.current_theme)

    def _theme_picker_closed(self, _result: object = None) -> None:
        before, self._theme_before_preview = self._theme_before_preview, None
        if self._theme_chosen is None and before is not None:
            self.theme = before  # closed without choosing (yet): the preview is undone
        self._theme_chosen = None

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for binding in MAIN_BINDINGS:
                action = binding.action
                yield SystemCommand(
                    binding.description,
                    f"{binding.id} ({binding.key})",
                    lambda action=action: self.run_action(action, screen),  # type: ignore[misc]
                )

    def open_link(self, url: str) -> None:
        """Open a link from a feed: http(s) and mailto only, never javascript:, file: ..."""
        if not url.lower().startswith(OPENABLE_SCHEMES):
            self.notify(f"Not opening {url}: only web and mail links are opened.", markup=False)
            return
        browser = os.environ.get("BROWSER", "").split(":")[0]
        console = browser if browser and shutil.which(browser) else None
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if console and (not has_display or os.path.basename(console) in CONSOLE_BROWSERS):
            with self.suspend():
                subprocess.run([console, url], check=False)
            return
        if has_display or sys.platform in ("darwin", "win32"):
            webbrowser.open(url)
            self.notify(f"Opened {url}", markup=False, timeout=2)
            return
        fallback = next((b for b in CONSOLE_BROWSERS if shutil.which(b)), None)
        if fallback:
            with self.suspend():
                subprocess.run([fallback, url], check=False)
            return
        self.copy_to_clipboard(url)
        self.notify(
            f"No browser found (set $BROWSER). Copied the link instead: {url}",
            markup=False,
            severity="warning",
        )


def run_app(
    config: Config,
    db_path: Path,
    *,
    themes: ThemeLoad | LaterThemes,
    theme: str | None,
    first_screen: FirstScreen | None = None,
) -> int:
    # No multiprocessing resource tracker is started here any more (a 12 MB process beside the
    # reader from launch to quit, 1/12 of the memory target): parse workers are plain
    # subprocesses (`newstui.feeds.parse_pool`), started by the refresh process, and nothing
    # in the reader uses multiprocessing's semaphores or shared memory.
    with Store(db_path, cache_kib=READER_CACHE_KIB) as store:
        app = NewsApp(config, store, db_path, themes=themes, theme=theme, first_screen=first_screen)
        try:
            app.run()
        finally:
            problem = app.writes.problem()
            unsaved = app.writes.close()  # one more try of whatever still waits
    if app.store_failure is not None:
        print(f"newstui: {app.store_failure}", file=sys.stderr)
        return 1
    if unsaved:
        why = f" ({problem})" if problem else ""
        print(f"newstui: not saved: {describe_unsaved(unsaved)}{why}", file=sys.stderr)
        return 1
    return 0
