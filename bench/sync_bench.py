"""The sync benchmark: a first sync of N entries from a real Miniflux, newstui vs newsboat.

Starts a throw-away Miniflux 2.2.6 + PostgreSQL on loopback (tests/support/miniflux.py), serves
FEEDS feeds of ITEMS items each from a loopback server, subscribes a fresh Miniflux user to all
of them (Miniflux fetches them itself), then times, in the same run:

* newstui   `python -m newstui sync` on an empty data dir (API key in the config), as a
            subprocess: wall time, CPU time and peak RSS (that process's own, from wait4);
* newsboat  `newsboat -x reload` with `urls-source "miniflux"` (login + password), the peer
            with a Miniflux backend: the same three numbers, when newsboat is installed.

Then a second newstui sync with nothing changed (the cursor at work) and, with `--marks`, a
sync that pushes that many read marks. Each run is done `--runs` times (fresh data dir each
time) and the median is reported. Run by hand: `.venv/bin/python bench/sync_bench.py`
(5,000 entries, 3 runs) or `--feeds 2 --items 50 --runs 1` for a smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.httpserver import HTTPServer, Response  # noqa: E402
from tests.support.miniflux import MinifluxServer, User  # noqa: E402


def rss(feed: int, items: int) -> bytes:
    body = "".join(
        f"<item><guid isPermaLink='false'>f{feed}-i{i}</guid><title>Feed {feed} item {i}</title>"
        f"<link>https://example.org/{feed}/{i}</link><pubDate>Mon, 0{1 + i % 9} Jun 2026"
        f" 10:00:00 GMT</pubDate><description>{'Some words of text. ' * 30}</description>"
        "</item>"
        for i in range(items)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed {feed}</title>"
        f"<link>https://example.org/{feed}</link>{body}</channel></rss>"
    ).encode()


def subscribed_user(server: MinifluxServer, site: HTTPServer, feeds: int, items: int) -> User:
    """A new Miniflux user subscribed to `feeds` feeds of `items` items each, served by `site`."""
    user = server.new_user()
    for feed in range(feeds):
        url = site.route(f"/f{feed}.xml", Response(200, {"Content-Type": "application/rss+xml"},
                                                   rss(feed, items)))
        server.api("POST", "/v1/feeds", {"feed_url": url}, user=user)
    return user


def timed(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Wall, CPU and peak RSS of one child process (os.wait4: that child's own numbers)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({child.returncode}): {stderr[-500:]}")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stdout": stdout.strip()[-300:],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--marks", type=int, default=1000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newstui-sync-bench-"))
    site = HTTPServer()
    server = MinifluxServer().start()
    try:
        user = subscribed_user(server, site, args.feeds, args.items)
        total = server.api("GET", "/v1/entries?limit=1", user=user)["total"]  # type: ignore[index]
        print(f"Miniflux holds {total} entries in {args.feeds} feeds", file=sys.stderr)
        env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
        results: dict[str, list[dict[str, float]]] = {"newstui": [], "newstui-again": [],
                                                      "newstui-push": [], "newsboat": []}
        newsboat = shutil.which("newsboat")
        for run in range(args.runs):
            data = work / f"newstui-{run}"
            config = work / "feeds.toml"
            config.write_text(f'[sync]\nserver = "miniflux"\nurl = "{server.url}"\n'
                              f'token = "{user.token}"\n')
            command = [sys.executable, "-m", "newstui", "--config", str(config),
                       "--data-dir", str(data), "sync"]
            results["newstui"].append(timed(command, env, REPO))
            results["newstui-again"].append(timed(command, env, REPO))
            if args.marks:
                script = ("import sys; from newstui.store import Store; "
                          "from newstui.core.timefmt import utc_now; s = Store(sys.argv[1]); "
                          f"s.set_read(s.entry_ids()[:{args.marks}], True, now=utc_now())")
                subprocess.run([sys.executable, "-c", script, str(data / "newstui.db")],
                               check=True, cwd=REPO)
                results["newstui-push"].append(timed(command, env, REPO))
                # Unread again on the server, for the next run's peer to see the same state.
                ids = [e["id"] for e in server.api(
                    "GET", "/v1/entries?status=read&limit=100000", user=user)["entries"]]  # type: ignore[index]
                if ids:
                    server.api("PUT", "/v1/entries", {"entry_ids": ids, "status": "unread"},
                               user=user)
            if newsboat:
                home = work / f"newsboat-{run}"
                home.mkdir()
                (home / "config").write_text(
                    f'urls-source "miniflux"\nminiflux-url "{server.url}/"\n'
                    f'miniflux-login "{user.username}"\nminiflux-password "{user.password}"\n'
                    "reload-threads 8\n"
                )
                (home / "urls").write_text("")
                command = [newsboat, "-u", str(home / "urls"), "-c", str(home / "cache.db"),
                           "-C", str(home / "config"), "-x", "reload"]
                result = timed(command, {**env, "HOME": str(home)}, home)
                with sqlite3.connect(home / "cache.db") as cache:
                    result["items"] = cache.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]
                results["newsboat"].append(result)
        for runs in results.values():
            for r in runs:
                # The sync's own time, as newstui reports it (without Python's start-up).
                found = re.search(r" in ([0-9.]+) s:", str(r["stdout"]))
                if found:
                    r["sync_s"] = float(found[1])
        summary = {
            name: {key: statistics.median(r[key] for r in runs)
                   for key in ("wall_s", "cpu_s", "peak_rss_mb", "sync_s", "items")
                   if key in runs[0]}
            for name, runs in results.items() if runs
        }
        print(json.dumps({"entries": total, "feeds": args.feeds, "runs": args.runs,
                          "median": summary, "last_output": {
                              name: runs[-1]["stdout"] for name, runs in results.items() if runs
                          }}, indent=2))
        if "newsboat" in summary:
            ratio = summary["newstui"]["wall_s"] / summary["newsboat"]["wall_s"]
            print(f"first sync: newstui {summary['newstui']['wall_s']} s vs newsboat "
                  f"{summary['newsboat']['wall_s']} s: ratio {ratio:.2f}", file=sys.stderr)
    finally:
        server.close()
        site.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
