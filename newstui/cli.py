"""The `newstui` command: the composition root. Nothing imports this module.

It resolves paths, creates the data directory, loads the configuration, opens the store and
hands them to the right command (the arguments: `newstui.arguments`; the reader's launch:
`newstui.launch`). Errors a user can cause (bad configuration, an unusable database) end in
one line on stderr and a non-zero exit, never a traceback: exit 2 for bad configuration or
usage, 1 for other failures, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newstui.arguments import build_parser
from newstui.core import paths
from newstui.core.errors import ConfigError, ConfigWriteError, StoreError
from newstui.launch import read_first_screen, run_reader

if TYPE_CHECKING:
    from newstui.core.models import FeedSpec
    from newstui.core.settings import Config

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `newstui` command; returns the exit status."""
    try:
        status = _main(argv)
        # Flushed here, inside the try, so a reader that went away (`| head -1`) is noticed now
        # and not at interpreter exit, where Python would print its own traceback.
        sys.stdout.flush()
    except BrokenPipeError:
        # The recipe from Python's documentation (signal module, "Note on SIGPIPE"): whoever
        # reads our output has stopped; point stdout at devnull so the final flush cannot fail
        # again, and exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    return status


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is not None:  # the reader does it after its early frame (`before_textual`)
        _quiet_library_logs()
    # httpx imports its command-line tool whenever click is installed, and with it click,
    # pygments and rich's syntax highlighter (~25 ms of every `newstui refresh` before the
    # first request); a None entry makes that optional import fail as httpx expects when
    # click is missing. httpx itself is imported later, by the refresh machinery.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    if args.command is not None:  # the reader (no command) handles signals itself
        _stop_like_ctrl_c(signal.SIGTERM, signal.SIGHUP)
    try:
        if args.command == "doctor":  # needs no configuration: it may be what is broken too
            from newstui.commands.doctor import doctor_command

            return doctor_command(_database(args.data_dir))
        first_screen = read_first_screen(args.data_dir) if args.command is None else None
        # The configuration's modules (~60 ms to import) load while those reads run.
        from newstui.reader_config import config_for

        config = config_for(args.command, args.config, args.data_dir)  # creates no directory
        db_path = _database(args.data_dir)
        # The reader upgrades after its early frame (drawn only when no upgrade is due).
        upgrade = args.command not in (None, "themes")
        if upgrade and (status := _upgrade(db_path, args.command)) is not None:
            return status
        if args.command == "refresh":
            return _refresh(config, db_path, args.feeds, force_all=args.all)
        if args.command == "themes":
            return _list_themes(args.theme_dir)
        if args.command == "read":
            import asyncio

            from newstui.commands.read import read_command

            return asyncio.run(read_command(config, db_path, args.url, full_text=args.full_text))
        if args.command in ("import", "export"):
            from newstui.commands.importing import export_command, import_command

            if args.command == "export":
                return export_command(config, db_path)
            return import_command(
                config, db_path, args.files, newsboat=args.newsboat, dry_run=args.dry_run
            )
        if args.command in ("add", "remove"):
            return _subscribe(args, config, db_path)
        if args.command == "sync":
            from newstui.commands.sync import sync_command

            return sync_command(config, db_path, as_json=args.json)
        if args.command in ("search", "filter"):
            return _search_command(args, config, db_path)
        if args.command == "status":
            from newstui.commands.report import print_status

            return print_status(config, db_path, as_json=args.json, width=args.width)
        first_screen = first_screen or read_first_screen(args.data_dir)

        def before_textual(remove_early_frame: Callable[[], None]) -> int | None:
            _quiet_library_logs()
            return _upgrade(db_path, None, remove_early_frame)

        return run_reader(config, db_path, args.theme, args.theme_dir, first_screen, before_textual)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except (StoreError, ConfigWriteError) as exc:
        return _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)


def _quiet_library_logs() -> None:
    """Libraries log failures with tracebacks (readability does, for pages it cannot read);
    without a handler Python prints them to stderr, over the TUI or into `newstui read`'s
    output. newstui reports every failure itself, as a value or a one-line message."""
    import logging  # not at the top: ~12 ms the reader's early frame does not wait for

    logging.getLogger().addHandler(logging.NullHandler())


def _upgrade(
    db_path: Path, command: str | None, before: Callable[[], None] | None = None
) -> int | None:
    """Upgrade an older database before anything else opens it, with progress on a terminal
    (a new schema may index every stored entry); an exit status when the user gave up.
    `before`: called first when there is an upgrade to make (the reader's early frame goes).

    A command waits for another program's write lock as long as the store's busy timeout, then
    says "locked" in one line. The reader (no command) tries briefly, then shows a screen that
    says what it waits for and lets `q` leave (`newstui.ui.upgrade_wait`)."""
    from newstui.store import Store

    if not Store.needs_upgrade(db_path):
        return None
    if before is not None:
        before()
    from newstui.commands.search import open_store

    if command is not None:
        open_store(db_path).close()
        return None
    from newstui.ui.upgrade_wait import TRY_FOR, WaitForUpgrade

    try:
        open_store(db_path, busy_timeout=TRY_FOR).close()
        return None
    except StoreError as error:
        if error.kind != "locked":
            raise
    outcome = WaitForUpgrade(db_path).run()
    if isinstance(outcome, StoreError):
        raise outcome
    if outcome is not True:
        locked = f"{db_path}: not upgraded: the database is locked by another program"
        return _fail(locked, EXIT_FAILURE)
    return None


def _search_command(args: argparse.Namespace, config: Config, db_path: Path) -> int:
    from newstui.commands.search import UsageError, run_filters, run_search

    try:
        if args.command == "filter":
            return run_filters(config, db_path, apply=args.apply, dry_run=args.dry_run)
        if args.limit < 1:
            raise UsageError("--limit must be at least 1")
        return run_search(config, db_path, args.query, limit=args.limit, as_json=args.json)
    except UsageError as exc:
        return _fail(f"search: {exc}" if args.command == "search" else str(exc), EXIT_CONFIG)


def _stop_like_ctrl_c(*signals: signal.Signals) -> None:
    """`kill` (SIGTERM) and a closed terminal (SIGHUP) end a command the way Ctrl+C does: the
    refresh is cancelled, finishes its current write, stops its parse workers, and newstui
    prints one line and exits 130. Python's default would die at once (exit 143, no message)
    and leave the parse workers to be reaped by their own parent-death guard."""

    def as_interrupt(signum: int, frame: object) -> None:
        # Whoever handles Ctrl+C now (asyncio, or Python). Not by raising SIGINT: a command
        # started in the background (`newstui refresh &`, cron, CI) inherits SIGINT ignored,
        # and SIGTERM would then be ignored too.
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    for number in signals:
        signal.signal(number, as_interrupt)


def _fail(message: str, code: int) -> int:
    print(f"newstui: {message}", file=sys.stderr)
    return code


def _database(explicit_dir: str | None) -> Path:
    directory = paths.data_dir(explicit_dir, os.environ)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            directory, f"cannot create the data directory: {exc.strerror or exc}"
        ) from None
    return directory / paths.DB_FILENAME


def select_feeds(specs: Sequence[FeedSpec], names: Sequence[str]) -> list[FeedSpec]:
    """Feeds named on the command line by URL, by title (any case) or by `tag:NAME`.

    Raises:
        ConfigError: a name matches no feed (with line None: the problem is the argument).
    """
    from newstui.core.config import normalize_url

    chosen: dict[str, FeedSpec] = {}
    for name in names:
        lowered = name.casefold()
        url = normalize_url(name.strip()) or name
        matches = [
            spec
            for spec in specs
            if spec.url == url
            or (spec.title or "").casefold() == lowered
            or (lowered.startswith("tag:") and lowered[4:] in {t.casefold() for t in spec.tags})
        ]
        if not matches:
            raise ConfigError("command line", None, "", f"no feed matches {name!r}")
        chosen.update((spec.url, spec) for spec in matches)
    return [spec for spec in specs if spec.url in chosen]


def _subscribe(args: argparse.Namespace, config: Config, db_path: Path) -> int:
    from newstui.commands.subscribe import add_command, remove_command

    if args.command == "remove":
        return remove_command(config, db_path, args.feed, yes=args.yes, local=args.local)
    import asyncio  # not at the top: the reader's launch has no use for it before Textual

    return asyncio.run(
        add_command(
            config,
            db_path,
            args.url,
            title=args.title,
            tags=args.tag,
            full_text=args.full_text,
            pick=args.pick,
            take_all=args.all,
            local=args.local,
        )
    )


def _refresh(config: Config, db_path: Path, names: Sequence[str], *, force_all: bool) -> int:
    import asyncio

    from newstui.commands.report import run_refresh

    specs = select_feeds(config.feeds, names) if names else list(config.feeds)
    if config.sync is None:
        return asyncio.run(run_refresh(config, db_path, specs, force=force_all or bool(names)))
    from newstui.commands.sync import print_outcome, server_source

    # The server's feeds are synced in the same pass; named feeds sync only if one of them
    # is the server's.
    source = server_source(config, when_due=not names)
    code = asyncio.run(
        run_refresh(config, db_path, specs, force=force_all or bool(names), sources=[source])
    )
    if source.report is not None:  # like a feed's failure, a failed sync is said, exit 0
        print_outcome(source.report)
    return code


def _list_themes(theme_dirs: list[str]) -> int:
    from newstui.ui.themes import format_failures, load_themes, theme_listing

    load = load_themes([Path(d).expanduser() for d in theme_dirs])
    rows = theme_listing(load)
    width = max(len(row.name) for row in rows)
    for row in rows:
        kind = "dark " if row.dark else "light"
        print(f"{row.name:<{width}}  {kind}  {row.source}  {row.description}".rstrip())
    if load.failures:
        print(format_failures(load.failures), file=sys.stderr)
    return EXIT_OK
