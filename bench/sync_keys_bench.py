"""The reader's keys while a sync runs: Down latency with and without a sync in the background.

A throw-away Miniflux 2.2.6 + PostgreSQL on loopback (tests/support/miniflux.py) with FEEDS x
ITEMS entries; `newstui sync` fills a store with them once. Then, per run:

* `sync`:  every entry is marked read on the server, so the reader's sync on launch pulls all
           of them again (pages of 500, one transaction per feed and page) and applies the
           marks; while the status line says "Syncing", Down is pressed `--keys` times, each
           measured by the shared tools' `tuiprobe.py` until the screen changes.
* `idle`:  the same store and keys with no `[sync]` table (the peer in the same run).

Whether the sync really ran during the keys is checked from the screen ("Syncing" captured
after the last key). Run by hand: `.venv/bin/python bench/sync_keys_bench.py --tools
../shared/tools` (`--feeds 2 --items 200 --runs 1` to smoke-test). Prints the JSON summary.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sync_bench import subscribed_user  # noqa: E402
from tests.support.httpserver import HTTPServer  # noqa: E402
from tests.support.miniflux import MinifluxServer  # noqa: E402


def scenario(config: Path, data: Path, keys: int, *, syncing: bool) -> dict:
    cmd = f"exec {sys.executable} -m newstui --config {config} --data-dir {data}"
    steps: list[dict] = [
        {"wait_for": "re:\\d+ unread", "name": "launch", "timeout": 30},
        {"wait_for": "Some words of text", "name": "first-article", "timeout": 30},
    ]
    if syncing:
        steps.append({"wait_for": "Syncing", "name": "sync-started", "timeout": 30})
    else:
        steps.append({"quiet": 200})
    steps += [
        {"measure": "Down", "repeat": keys, "name": "keys", "timeout": 5},
        {"capture": "after-keys"},
    ]
    if syncing:
        steps.append({"wait_for": "re:Synced \\d", "name": "sync-done", "timeout": 120})
    steps += [{"keys": "q"}, {"wait_exit": True, "name": "quit", "timeout": 10}]
    return {"name": "sync" if syncing else "idle", "cmd": cmd, "cwd": str(REPO),
            "size": "120x40", "steps": steps}


def probe(tools: Path, spec: dict, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scenario.json").write_text(json.dumps(spec))
    run = subprocess.run(
        [sys.executable, str(tools / "tuiprobe.py"), "run", "--scenario",
         str(out / "scenario.json"), "--runs", "1", "--out", str(out), "--settle", "output",
         "--quiet-ms", "10", "--term", "xterm-256color"],
        capture_output=True, text=True, check=False,
    )
    result = out / "result.json"
    if not result.exists():
        raise SystemExit(f"tuiprobe failed: {run.stdout[-500:]} {run.stderr[-500:]}")
    document = json.loads(result.read_text())
    after = (out / "after-keys.txt").read_text() if (out / "after-keys.txt").exists() else ""
    latencies = [s["latency_ms"] for step in document["runs"][0]["steps"]
                 if step.get("name") == "keys" for s in step.get("samples", [])]
    return {"latencies": latencies, "syncing_after_keys": "Syncing" in after,
            "rss_peak_tree_mb": round((document["runs"][0].get("rss_peak_tree_kb") or 0) / 1024)}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tools", type=Path, default=REPO.parent / "shared" / "tools")
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newstui-sync-keys-"))
    site = HTTPServer()
    server = MinifluxServer().start()
    try:
        user = subscribed_user(server, site, args.feeds, args.items)
        synced = work / "feeds.toml"
        synced.write_text(f'[sync]\nserver = "miniflux"\nurl = "{server.url}"\n'
                          f'token = "{user.token}"\n[settings]\nrefresh_on_start = false\n')
        plain = work / "plain.toml"
        plain.write_text("[settings]\nrefresh_on_start = false\n")
        base = work / "base"
        subprocess.run([sys.executable, "-m", "newstui", "--config", str(synced), "--data-dir",
                        str(base), "sync"], check=True, cwd=REPO, capture_output=True)
        results: dict[str, list[dict]] = {"sync": [], "idle": []}
        for run in range(args.runs):
            entries = server.api("GET", "/v1/entries?limit=100000", user=user)["entries"]  # type: ignore[index]
            status = "read" if run % 2 == 0 else "unread"  # a change to pull every run
            server.api("PUT", "/v1/entries", {"entry_ids": [e["id"] for e in entries],
                                              "status": status}, user=user)
            for name, config in (("sync", synced), ("idle", plain)):
                data = work / f"{name}-{run}"
                shutil.copytree(base, data)
                results[name].append(probe(args.tools, scenario(config, data, args.keys,
                                                                syncing=name == "sync"),
                                           work / f"probe-{name}-{run}"))
        summary = {}
        for name, runs in results.items():
            samples = [v for r in runs for v in r["latencies"]]
            summary[name] = {
                "keys": len(samples),
                "median_ms": round(statistics.median(samples), 1) if samples else None,
                "p95_ms": round(pct(samples, 95), 1) if samples else None,
                "runs_still_syncing_after_keys": sum(r["syncing_after_keys"] for r in runs),
                "rss_peak_tree_mb": max(r["rss_peak_tree_mb"] for r in runs),
            }
        if summary["idle"]["p95_ms"]:
            summary["p95_ratio_sync_to_idle"] = round(
                summary["sync"]["p95_ms"] / summary["idle"]["p95_ms"], 2)
        print(json.dumps({"entries": args.feeds * args.items, "runs": args.runs,
                          "summary": summary}, indent=2))
    finally:
        server.close()
        site.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
