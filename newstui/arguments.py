"""The `newstui` command line's arguments (argparse), for `newstui.cli`."""

from __future__ import annotations

import argparse

from newstui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newstui",
        description="A terminal news reader. Without a command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"newstui {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="feeds.toml to use (default: $NEWSTUI_CONFIG, then the user config dir, "
        "then the bundled starter list)",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the database lives (default: $NEWSTUI_DATA_DIR, then the user data dir)",
    )
    parser.add_argument("--theme", metavar="NAME", help="the theme to use this time")
    parser.add_argument(
        "--theme-dir",
        metavar="DIR",
        action="append",
        default=[],
        help="another folder of theme files (may be repeated)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("themes", help="list the available themes and where each comes from")
    refresh = commands.add_parser(
        "refresh", help="fetch feeds that are due (or the named ones) and store new entries"
    )
    refresh.add_argument(
        "feeds",
        nargs="*",
        metavar="FEED",
        help="a feed's URL or title, or tag:NAME; named feeds are fetched even if not due",
    )
    refresh.add_argument("--all", action="store_true", help="fetch every feed, due or not")
    status = commands.add_parser("status", help="one row per feed: counts, last success, errors")
    status.add_argument("--json", action="store_true", help="a stable JSON document for scripts")
    status.add_argument(
        "--width",
        type=int,
        metavar="COLUMNS",
        help="lay the table out for this many columns (default: the terminal's, 80 when piped)",
    )
    read = commands.add_parser(
        "read", help="print an article (a feed entry's link or any web page) and exit"
    )
    read.add_argument("url", metavar="URL")
    read.add_argument(
        "--full-text",
        action="store_true",
        help="fetch the web page and show its article (reader mode) instead of the feed's text",
    )
    add = commands.add_parser(
        "add", help="subscribe to a feed, or find the feed of a web page (autodiscovery)"
    )
    add.add_argument("url", metavar="URL", help="a feed's address or any web page")
    add.add_argument("--title", metavar="T", help="the title to show instead of the feed's own")
    add.add_argument(
        "--tag", metavar="TAG", action="append", default=[], help="a tag (may be repeated)"
    )
    add.add_argument(
        "--full-text", action="store_true", help="fetch each new article's page (reader mode)"
    )
    add.add_argument(
        "--local",
        action="store_true",
        help="with [sync]: keep the feed in feeds.toml, fetched here, not on the sync server",
    )
    choice = add.add_mutually_exclusive_group()
    choice.add_argument(
        "--pick", metavar="N", type=int, help="when the page has several feeds, take the Nth"
    )
    choice.add_argument(
        "--all", action="store_true", help="when the page has several feeds, take them all"
    )
    sync = commands.add_parser(
        "sync", help="sync once with the [sync] server: push marks, pull what changed"
    )
    sync.add_argument("--json", action="store_true", help="a stable JSON document for scripts")
    remove = commands.add_parser("remove", help="unsubscribe (read state is kept)")
    remove.add_argument("feed", metavar="FEED", help="the feed's URL, title or a unique prefix")
    remove.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    remove.add_argument(
        "--local",
        action="store_true",
        help="with [sync]: remove the feed from feeds.toml only, not from the sync server",
    )
    imports = commands.add_parser(
        "import", help="subscribe to the feeds of OPML files or newsboat's urls and cache.db"
    )
    imports.add_argument("files", nargs="*", metavar="FILE", help="OPML, urls or cache.db")
    imports.add_argument(
        "--newsboat", action="store_true", help="import newsboat's own urls and cache.db"
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="say what would change, change nothing"
    )
    export = commands.add_parser("export", help="write the feed list as OPML 2.0 to stdout")
    export.add_argument("--format", choices=["opml"], default="opml")
    search = commands.add_parser("search", help="full-text search of the stored entries")
    search.add_argument("query", metavar="QUERY", help='words, "phrases", -word, OR, title:...')
    search.add_argument("--json", action="store_true", help="a stable JSON document for scripts")
    search.add_argument(
        "--limit", type=int, default=20, metavar="N", help="at most N results (default 20)"
    )
    filters = commands.add_parser(
        "filter", help="the [[filters]] of feeds.toml and what each has caught"
    )
    filters.add_argument(
        "--apply", action="store_true", help="apply them once to every entry already stored"
    )
    filters.add_argument(
        "--dry-run", action="store_true", help="with --apply: say what would change, change nothing"
    )
    commands.add_parser(
        "doctor",
        help="check the database; rebuild it from its readable rows if it is damaged",
    )
    return parser
