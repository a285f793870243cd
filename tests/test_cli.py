"""The `newstui` command as a user (or cron) runs it: a real subprocess, real files, a real
HTTP server on 127.0.0.1.

Output is checked the way a person reads it: exit codes, one-line errors naming file and line,
plain lines when stdout is not a terminal, and files left exactly as they were.
HOME and the XDG directories point into tmp_path, so the user's own files are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from newstui import __version__
from newstui.core import paths
from tests.support.httpserver import HTTPServer, Response

pytestmark = pytest.mark.slow  # every test starts the real command

DATA = Path(__file__).parent / "data" / "config"
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
ESC = "\x1b"


def rss(title: str, *ids: str) -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='false'>{i}</guid><title>Story {i}</title></item>" for i in ids
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link>{items}</channel></rss>"
    ).encode()


class Home:
    """A user's world inside tmp_path: HOME, XDG dirs, a config dir and a data dir."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.xdg_config = root / "xdg-config"
        self.xdg_data = root / "xdg-data"
        self.config_dir = root / "conf"
        self.config = self.config_dir / "feeds.toml"
        self.data_dir = root / "data"
        self.db = self.data_dir / "newstui.db"
        self.home.mkdir()
        self.config_dir.mkdir()

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("NEWSTUI_") and "proxy" not in key.lower()
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.xdg_config),
            XDG_DATA_HOME=str(self.xdg_data),
            XDG_CACHE_HOME=str(self.root / "xdg-cache"),
            XDG_STATE_HOME=str(self.root / "xdg-state"),
        )
        for name in ("COLUMNS", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
            env.pop(name, None)
        env.update(extra)
        return env

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """`newstui ARGS` with this home's config and data dir given by environment variables."""
        if env is None:
            env = self.env(NEWSTUI_CONFIG=str(self.config), NEWSTUI_DATA_DIR=str(self.data_dir))
        done = subprocess.run(
            [sys.executable, "-m", "newstui", *args],
            env=env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        assert "Traceback" not in done.stdout + done.stderr, done.stderr
        return done

    def write_config(self, feeds: Sequence[dict[str, object]], path: Path | None = None) -> Path:
        path = path or self.config
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["[settings]", "parse_workers = 1", "timeout = 10", ""]
        for feed in feeds:
            lines.append("[[feeds]]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in feed.items()]
            lines.append("")
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


def one_line(stream: str) -> str:
    lines = stream.splitlines()
    assert len(lines) == 1, stream
    return lines[0]


def good_and_broken(server: HTTPServer, home: Home) -> tuple[str, str]:
    good = server.route("/good.xml", Response(200, RSS_TYPE, rss("Alpha News", "a1", "a2")))
    broken = server.url("/gone.xml")  # no route: 404
    home.write_config(
        [
            {"url": good, "tags": ["world"]},
            {"url": broken, "title": "Broken Feed", "tags": ["tech", "misc"]},
        ]
    )
    return good, broken


# --- version and help -----------------------------------------------------------------------


def test_version(home: Home) -> None:
    done = home.run("--version")
    assert done.returncode == 0
    assert done.stdout == f"newstui {__version__}\n"
    assert not home.data_dir.exists()


def test_help_lists_the_commands(home: Home) -> None:
    done = home.run("--help")
    assert done.returncode == 0
    assert "refresh" in done.stdout and "status" in done.stdout
    assert "--config" in done.stdout and "--data-dir" in done.stdout
    assert not home.data_dir.exists()


# --- bad configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "problem", "via"),
    [
        ("invalid_toml.toml", 5, "invalid TOML", "--config"),
        (
            "unknown_setting.toml",
            3,
            "settings: unknown key 'refersh_interval'; did you mean 'refresh_interval'?",
            "env",
        ),
        ("bad_url.toml", 2, "feeds[1].url: not an http(s) or file URL", "--config"),
        ("duplicate_url.toml", 10, "feeds[3].url: duplicate of feeds[1] (line 4)", "env"),
    ],
)
def test_bad_config_is_one_line_exit_2_and_the_file_is_untouched(
    home: Home, name: str, line: int, problem: str, via: str
) -> None:
    shutil.copyfile(DATA / name, home.config)
    before = home.config.read_bytes()
    stat_before = home.config.stat()
    if via == "--config":
        args = ["--config", str(home.config), "--data-dir", str(home.data_dir), "refresh"]
        env = home.env()
    else:
        args = ["refresh"]
        env = home.env(NEWSTUI_CONFIG=str(home.config), NEWSTUI_DATA_DIR=str(home.data_dir))

    done = home.run(*args, env=env)

    assert done.returncode == 2
    assert done.stdout == ""
    message = one_line(done.stderr)
    assert message.startswith(f"newstui: {home.config}:{line}: "), message
    assert problem in message
    assert home.config.read_bytes() == before
    assert home.config.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert sorted(p.name for p in home.config_dir.iterdir()) == ["feeds.toml"]
    assert not home.data_dir.exists(), "nothing is created when the config is refused"


def test_missing_config_file_is_one_line_exit_2(home: Home) -> None:
    done = home.run("--config", str(home.root / "nope.toml"), "status")
    assert done.returncode == 2
    assert one_line(done.stderr).startswith(f"newstui: {home.root / 'nope.toml'}: cannot read")


# --- refresh --------------------------------------------------------------------------------


def test_refresh_prints_a_line_per_feed_and_a_summary_then_nothing_is_due(
    http_server: HTTPServer, home: Home
) -> None:
    good, _ = good_and_broken(http_server, home)
    config_before = home.config.read_bytes()

    done = home.run("refresh")

    assert done.returncode == 0, done.stderr
    assert done.stderr == "", "no progress bar when stderr is not a terminal"
    assert ESC not in done.stdout, "plain text when stdout is not a terminal"
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    failing = [line for line in lines if "Broken Feed" in line]
    assert len(failing) == 1 and "404" in failing[0], done.stdout
    assert failing[0].startswith("error")
    succeeded = [line for line in lines if good in line or "Alpha News" in line]
    assert len(succeeded) == 1 and "2 new" in succeeded[0], done.stdout
    summary = lines[-1]
    assert summary.startswith("Refreshed 2 feeds"), summary
    assert "2 new" in summary and "1 error." in summary

    assert home.db.is_file()
    assert sorted(p.name for p in home.config_dir.iterdir()) == ["feeds.toml"]
    assert home.config.read_bytes() == config_before
    assert not home.xdg_data.exists(), "the user data dir is not used when one is given"
    requests = len(http_server.requests)

    again = home.run("refresh")

    assert again.returncode == 0
    assert one_line(again.stdout).startswith("Nothing to refresh")
    assert len(http_server.requests) == requests, "nothing was due, nothing was fetched"


def test_cron_refresh_imports_only_what_it_uses(http_server: HTTPServer, home: Home) -> None:
    """cron runs `newstui refresh` every few minutes, mostly to find nothing due: it must not
    import the progress bar (rich), reader mode (lxml), the parser (it runs in workers, when
    a body needs it) or httpx's command-line tool (click, pygments)."""
    good_and_broken(http_server, home)
    assert home.run("refresh").returncode == 0
    env = home.env(NEWSTUI_CONFIG=str(home.config), NEWSTUI_DATA_DIR=str(home.data_dir))

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newstui", "refresh"],
        env=env,
        cwd=home.root,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )

    assert done.returncode == 0, done.stderr
    assert one_line(done.stdout).startswith("Nothing to refresh")
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "httpx" in imported, "the check sees the imports"
    assert not {"rich", "lxml", "feedparser", "click", "pygments"} & imported


def test_refresh_named_feeds_forces_only_those(http_server: HTTPServer, home: Home) -> None:
    urls = {
        name: http_server.route(f"/{name}.xml", Response(200, RSS_TYPE, rss(name, f"{name}1")))
        for name in ("alpha", "beta", "gamma")
    }
    home.write_config(
        [
            {"url": urls["alpha"], "tags": ["x"]},
            {"url": urls["beta"], "title": "Beta Daily"},
            {"url": urls["gamma"]},
        ]
    )
    assert home.run("refresh").returncode == 0

    def refresh_only(name: str) -> str:
        counts = {n: len(http_server.requests_to(f"/{n}.xml")) for n in urls}
        done = home.run("refresh", name)
        assert done.returncode == 0, done.stderr
        fetched = {n for n in urls if len(http_server.requests_to(f"/{n}.xml")) > counts[n]}
        lines = done.stdout.splitlines()
        assert len(lines) == 2 and lines[-1].startswith("Refreshed 1 feed "), done.stdout
        (only,) = fetched
        return only

    assert refresh_only(urls["gamma"]) == "gamma"
    assert refresh_only("beta daily") == "beta"  # titles match in any case
    assert refresh_only("tag:x") == "alpha"


def test_refresh_unknown_feed_is_one_line_exit_2(http_server: HTTPServer, home: Home) -> None:
    good_and_broken(http_server, home)

    done = home.run("refresh", "No Such Feed")

    assert done.returncode == 2
    assert done.stdout == ""
    assert one_line(done.stderr) == "newstui: command line: no feed matches 'No Such Feed'"
    assert http_server.requests == []


# --- status ---------------------------------------------------------------------------------


def test_status_json_and_table_after_a_refresh(http_server: HTTPServer, home: Home) -> None:
    good, broken = good_and_broken(http_server, home)
    assert home.run("refresh").returncode == 0

    done = home.run("status", "--json")

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["format"] == 1
    keys = {"title", "url", "tags", "total", "unread", "bookmarks"}
    keys |= {"last_success_at", "last_error", "next_due_at"}
    feeds = document["feeds"]
    assert [feed["url"] for feed in feeds] == [good, broken], "in feeds.toml order"
    for feed in feeds:
        assert keys <= set(feed), keys - set(feed)
        assert datetime.fromisoformat(feed["next_due_at"]).tzinfo is not None
    alpha, gone = feeds
    assert (alpha["title"], alpha["tags"], alpha["total"], alpha["unread"]) == (
        "Alpha News",
        ["world"],
        2,
        2,
    )
    assert (alpha["bookmarks"], alpha["last_error"]) == (0, None)
    assert datetime.fromisoformat(alpha["last_success_at"]).tzinfo is not None
    assert (gone["title"], gone["tags"], gone["total"]) == ("Broken Feed", ["tech", "misc"], 0)
    assert gone["last_success_at"] is None
    assert "404" in gone["last_error"]

    table = home.run("status")

    assert table.returncode == 0, table.stderr
    assert "Alpha News" in table.stdout and "Broken Feed" in table.stdout
    assert "404" in table.stdout
    assert ESC not in table.stdout


def test_status_creates_the_data_dir_on_demand_and_writes_nothing_by_the_config(
    http_server: HTTPServer, home: Home
) -> None:
    good_and_broken(http_server, home)
    data_dir = home.root / "new" / "nested" / "data"

    done = home.run(
        "--config", str(home.config), "--data-dir", str(data_dir), "status", env=home.env()
    )

    assert done.returncode == 0, done.stderr
    assert "Broken Feed" in done.stdout
    assert (data_dir / "newstui.db").is_file()
    assert sorted(p.name for p in home.config_dir.iterdir()) == ["feeds.toml"]
    assert not home.data_dir.exists() and not home.xdg_data.exists()
    assert http_server.requests == [], "status never fetches"


# --- where the config and the data live ----------------------------------------------------


def test_lookup_order_config_then_env_then_user_dir_then_bundled(home: Home) -> None:
    explicit = home.write_config([{"url": "https://cli.example/feed"}], home.root / "cli.toml")
    from_env = home.write_config([{"url": "https://env.example/feed"}], home.root / "env.toml")
    user_file = home.write_config(
        [{"url": "https://user.example/feed"}], home.xdg_config / "newstui" / "feeds.toml"
    )
    cli_data, env_data = home.root / "cli-data", home.root / "env-data"
    env = home.env(NEWSTUI_CONFIG=str(from_env), NEWSTUI_DATA_DIR=str(env_data))

    def status(*args: str, env: dict[str, str]) -> dict:
        done = home.run(*args, "status", "--json", env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    first = status("--config", str(explicit), "--data-dir", str(cli_data), env=env)
    assert first["config"] == str(explicit)
    assert [f["url"] for f in first["feeds"]] == ["https://cli.example/feed"]
    assert first["database"] == str(cli_data / "newstui.db")

    second = status(env=env)
    assert second["config"] == str(from_env)
    assert [f["url"] for f in second["feeds"]] == ["https://env.example/feed"]
    assert second["database"] == str(env_data / "newstui.db")

    third = status(env=home.env())
    assert third["config"] == str(user_file)
    assert [f["url"] for f in third["feeds"]] == ["https://user.example/feed"]
    assert third["database"] == str(home.xdg_data / "newstui" / "newstui.db")

    user_file.unlink()
    fourth = status(env=home.env())
    assert Path(fourth["config"]) == paths.bundled_feeds_file()
    assert len(fourth["feeds"]) > 3
    assert all(f["url"].startswith("https://") for f in fourth["feeds"])
    assert sorted(p.name for p in (home.xdg_config / "newstui").iterdir()) == []
