"""The reader's performance benchmark: what a person sees, measured with tuiprobe.

Targets (the issue: "with a store of 100,000 entries across 2,000 feeds, in tmux at 120x40 on
this 2-core machine"):

- launch to headlines on screen: median under 400 ms;
- Down in the headline list to the new article shown: p95 under 30 ms;
- keys (Down/Up) during a refresh of 500 feeds: p95 under 60 ms;
- peak memory under 150 MB.

Scenarios, each run `--runs` times (fresh process each time) by the shared tools' `tuiprobe.py`
(`--tools DIR`) in a private tmux server at 120x40, TERM=xterm-256color:

- `browse`: launch, wait for a headline that only the painted list shows (ttfp), wait for the
  first entry in the article pane, then Down x30, each measured until the *next entry's
  article* is on screen (every body starts with a unique `Ref E0001234` marker), then quit.
- `refresh`: a fresh copy of the store, a `feedserver.py --feeds 500 --items 50` on loopback,
  launch, press `R` (refresh all), then Down x20 and Up x20, each measured until the expected
  article is shown, while the refresh runs; then wait for it to finish and quit. The config
  is the same 2,000-feed one (`--refresh-config all`): R fetches all 2,000, the first 500 get
  50 items each that are new to the store (25,000 inserts, the heavy case), the other 1,500 a
  quick 404 from the same server. `--refresh-config served` instead lists only the 500 served
  feeds (the other 1,500 become hidden, so the lists hold 25,000 entries). Whether the refresh
  really was running during the keys is checked from the screen ("Refreshing n/N" before the
  first and after the last key, the refresh ending after the last key), from the server's
  request log and `/stats`, and the store is checked afterwards for the 25,000 new entries.
- `newsboat` (optional, `--newsboat`): newsboat's launch and Down on a cache of the same size,
  filled by `newsboat -x reload` from a 2,000-feed feedserver (built once). Slow: newsboat
  2.21 needed ~200 s to show its feed list with 100,000 cached articles here.

Peak memory is tuiprobe's: the main process's VmHWM, and the process tree's RSS sampled every
20 ms (during a refresh newstui parses in a forkserver pool: those processes are counted).

    .venv/bin/python bench/tui_bench.py                 # browse + refresh, 5 runs each
    .venv/bin/python bench/tui_bench.py --runs 3 --only browse
    .venv/bin/python bench/tui_bench.py --code head     # the last commit, not the work tree

Each launch gets a data dir copied from the cache and opened once beforehand with the code under
test, so a schema migration is never part of a measured launch. `--code head` runs a
`git archive` snapshot of HEAD (first on PYTHONPATH): stable numbers while the tree is edited.

Results: a Markdown table on stdout; JSON and every tuiprobe output under
`bench/results/tui-<time>/`. The store is built once and cached (see `make_store.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from make_store import RESULTS, StoreParams, build_store

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path("/work/shared/tools")
"""The default `--tools`: the shared tools folder (tuiprobe.py, feedserver.py), not in this repo."""
TUIPROBE = TOOLS / "tuiprobe.py"
FEEDSERVER = TOOLS / "feedserver.py"
NEWSTUI = ROOT / ".venv" / "bin" / "newstui"
SIZE = "120x40"
TERM = "xterm-256color"
MB = 1_000_000

TARGETS = {
    "launch": ("median", 400.0),
    "down": ("p95", 30.0),
    "refresh_keys": ("p95", 60.0),
    "memory": ("max", 150.0),  # MB (10^6 bytes)
}


# -- helpers ----------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile, the same definition tuiprobe uses."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100.0 * len(ordered) + 0.5) - 1))
    return ordered[k]


def stats(values: list[float | None]) -> dict[str, Any] | None:
    clean = [v for v in values if v is not None]
    if not clean:
        return None
    return {
        "n": len(clean),
        "median": round(statistics.median(clean), 2),
        "p95": round(pct(clean, 95) or 0.0, 2),
        "min": round(min(clean), 2),
        "max": round(max(clean), 2),
    }


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as the server will (http.server sets it): connections in TIME_WAIT do not count
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def copy_data(src: Path, dst: Path) -> Path:
    """A fresh copy of the cached data dir, migrated to the schema of the code under test
    (so a schema migration is never part of a measured launch)."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    snapshot = CODE["snapshot"]
    env = {**os.environ, "PYTHONPATH": str(snapshot)} if snapshot else None
    started = time.perf_counter()
    subprocess.run(
        [str(NEWSTUI.parent / "python"), "-c",
         "import sys; from newstui.store import Store; Store(sys.argv[1]).close()",
         str(dst / "newstui.db")],
        check=True, env=env, cwd=snapshot or ROOT,
    )  # fmt: skip
    MIGRATIONS.append(round(time.perf_counter() - started, 2))
    return dst


MIGRATIONS: list[float] = []
"""Seconds each copy took to open (and migrate) before it was measured."""


def run_tuiprobe(scenario: dict[str, Any], out: Path, runs: int, extra: list[str]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    if CODE["snapshot"] is not None:  # `python -m` puts the cwd first on sys.path
        scenario = {**scenario, "cwd": str(CODE["snapshot"])}
    path = out / "scenario.json"
    path.write_text(json.dumps(scenario, indent=1, ensure_ascii=False), encoding="utf-8")
    # Through probe_frames.py: tuiprobe itself, each sample also timed by the output its
    # frame came in (`frame_ms`), the same for every scenario and the bare app.
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "probe_frames.py"),
        "--tuiprobe",
        str(TUIPROBE),
        "run",
        "--scenario",
        str(path),
        "--runs",
        str(runs),
        "--term",
        TERM,
        "--size",
        SIZE,
        "--out",
        str(out),
        *extra,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    (out / "tuiprobe.stdout").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    result_file = out / "result.json"
    if not result_file.exists():
        raise RuntimeError(f"tuiprobe failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(result_file.read_text(encoding="utf-8"))


PSS_EVERY = 5
"""`TreeWatch` reads Pss (smaps_rollup) at every 5th sample: 100 ms at 20 ms."""
TIMELINE_S = 0.5


def _pss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
        for line in f:
            if line.startswith(b"Pss:"):
                return int(line.split()[1])
    return 0


class TreeWatch:
    """Samples the reader's process tree every `interval` s on a thread, beside tuiprobe's
    own sampler (which reports only the tree's total): the tree's peak RSS with each
    process's share at that moment, and each role's largest VmHWM, so a peak can be told
    apart into the reader, its refresh process and that process's parse worker. The reader
    is found by its `--data-dir` (each run has its own), the rest as its descendants."""

    def __init__(self, marker: str, interval: float = 0.02) -> None:
        self._marker = marker.encode()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_kb = 0
        self.at_peak: dict[str, float] = {}
        self.hwm: dict[str, float] = {}
        self.peak_pss_kb = 0
        self.timeline: list[dict[str, float]] = []
        """Every `TIMELINE_S`: the time since the first sample and each role's RSS (MB), to
        see when each process grows and whether it gives memory back."""

    def __enter__(self) -> TreeWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict[str, Any]:
        return {
            "peak_tree_mb": round(self.peak_kb * 1024 / MB, 1),
            "at_peak_mb": {k: round(v, 1) for k, v in self.at_peak.items()},
            "vmhwm_mb": {k: round(v, 1) for k, v in self.hwm.items()},
            "peak_tree_pss_mb": round(self.peak_pss_kb * 1024 / MB, 1),
            "timeline_mb": self.timeline,
        }

    @staticmethod
    def _role(cmdline: bytes) -> str:
        if b"refresh_child" in cmdline:
            return "refresh child"
        if b"parse_worker" in cmdline:
            return "parse worker"
        return "reader" if b"--data-dir" in cmdline else cmdline[:40].decode(errors="replace")

    def _run(self) -> None:
        root: int | None = None
        n = 0
        started = next_point = 0.0
        while not self._stop.wait(self._interval):
            n += 1
            procs: dict[int, tuple[int, bytes]] = {}
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                try:
                    with open(f"/proc/{name}/stat", "rb") as f:
                        stat = f.read()
                    with open(f"/proc/{name}/cmdline", "rb") as f:
                        cmdline = f.read().replace(b"\0", b" ")
                except OSError:
                    continue
                procs[int(name)] = (int(stat[stat.rindex(b")") + 2 :].split()[1]), cmdline)
                if root is None and self._marker in cmdline and b"tuiprobe" not in cmdline:
                    root = int(name)
            if root is None or root not in procs:
                continue
            tree = {root}
            grew = True
            while grew:
                grew = False
                for pid, (ppid, _) in procs.items():
                    if ppid in tree and pid not in tree:
                        tree.add(pid)
                        grew = True
            total = pss = 0
            shares: dict[str, float] = {}
            for pid in tree:
                rss = hwm = 0
                try:
                    with open(f"/proc/{pid}/status", "rb") as f:
                        for line in f:
                            if line.startswith(b"VmRSS:"):
                                rss = int(line.split()[1])
                            elif line.startswith(b"VmHWM:"):
                                hwm = int(line.split()[1])
                    if n % PSS_EVERY == 0:  # a page-table walk: not at every sample
                        pss += _pss_kb(pid)
                except OSError:
                    continue
                role = self._role(procs[pid][1])
                total += rss
                shares[role] = shares.get(role, 0.0) + rss * 1024 / MB
                self.hwm[role] = max(self.hwm.get(role, 0.0), hwm * 1024 / MB)
            if total > self.peak_kb:
                self.peak_kb = total
                self.at_peak = shares
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            now = time.monotonic()
            started = started or now
            if now >= next_point:
                next_point = now + TIMELINE_S
                point = {"t": round(now - started, 2)}
                self.timeline.append(point | {k: round(v, 1) for k, v in shares.items()})


def steps_named(run: dict, prefix: str) -> list[dict]:
    return [s for s in run["steps"] if s.get("name", "").startswith(prefix)]


def samples(runs: list[dict], prefix: str, field_: str = "latency_ms") -> list[float]:
    return [
        sample[field_]
        for run in runs
        for step in steps_named(run, prefix)
        for sample in step.get("samples", [])
        if sample.get(field_) is not None
    ]


def step_values(runs: list[dict], name: str, field_: str) -> list[float]:
    return [s[field_] for run in runs for s in steps_named(run, name) if s.get(field_) is not None]


# -- the data set -----------------------------------------------------------------------------


@dataclass
class DataSet:
    dir: Path
    manifest: dict[str, Any]
    markers: list[str] = field(default_factory=list)
    headline_text: str = ""

    @classmethod
    def load(cls, params: StoreParams) -> DataSet:
        directory = build_store(params)
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        first = manifest["first_unread"]
        data = cls(directory, manifest, [e["marker"] for e in first])
        data.headline_text = data._pick_headline_text(first)
        return data

    def _pick_headline_text(self, first: list[dict[str, Any]]) -> str:
        """Text only the painted headline list shows: the start of the 2nd..10th unread title
        (the article pane shows the 1st entry), ASCII, and absent from the 1st entry's page."""
        # Read-only and without newstui's Store: the cached store is never migrated or written.
        db_path = self.dir / "data" / "newstui.db"
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT title, content_html FROM entries WHERE id = ?", (first[0]["id"],)
            ).fetchone()
        page = " ".join(f"{row[0]} {row[1]}".split()) if row else ""
        for item in first[1:10]:
            text = item["title"][:16]
            if text.isascii() and len(text) >= 10 and text not in page:
                return text
        raise RuntimeError("no usable headline text among the first unread entries")


# -- scenarios --------------------------------------------------------------------------------


CODE: dict[str, Path | None] = {"snapshot": None}
"""With `--code head`: a copy of newstui as last committed, put first on PYTHONPATH."""


def snapshot_head(out: Path, rev: str = "HEAD") -> tuple[Path, str]:
    """Extract the newstui of commit `rev` (and the data files it reads) to run exactly that
    commit, even while the working tree is being edited. Read-only for the repository."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    target = out / f"code-{sha}"
    if not target.exists():
        names = subprocess.run(
            ["git", "ls-tree", "--name-only", sha], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.split()  # fmt: skip
        paths = [p for p in ("newstui", "themes", "feeds.toml") if p in names]
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", sha, *paths], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        # Bytecode, as `pip install` writes it: without it (and with PYTHONDONTWRITEBYTECODE,
        # set on this machine) every launch would compile all of newstui's modules first.
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(target / "newstui")], check=True
        )
    return target, sha


PRESTART_TRACKER = (
    "import multiprocessing.resource_tracker as t, sys; t.ensure_running(); "
    "from newstui.cli import main; sys.exit(main())"
)
"""Start multiprocessing's resource tracker before Textual replaces sys.stderr (whose
`fileno()` is then -1, which makes starting the forkserver pool fail with "bad value(s) in
fds_to_keep"). A bench-side workaround to measure the pool as it will be once newstui fixes it."""


TIMELINE: dict[str, Path | None] = {"dir": None}
"""With `--timeline DIR`: each reader runs under bench/key_timeline.py, its timeline in DIR."""
TIMELINE_SAMPLE_MS: list[float] = []
"""With `--timeline-sample MS`: the timeline also samples the reader's stack that often."""


def newstui_cmd(config: Path, data: Path, *, prestart_tracker: bool = False) -> str:
    snapshot = CODE["snapshot"]
    python = NEWSTUI.parent / "python"
    env = f"env PYTHONPATH={snapshot} " if snapshot is not None else ""
    args = f"--config {config} --data-dir {data}"
    if (timeline := TIMELINE["dir"]) is not None:  # its own numbers are slower: diagnosis only
        script = ROOT / "bench" / "key_timeline.py"
        sample = f" --sample-ms {TIMELINE_SAMPLE_MS[0]}" if TIMELINE_SAMPLE_MS else ""
        out = f"--out {timeline}/timeline-$$.json{sample}"
        return f"exec {env}{python} {script} {out} -- {args}"
    if prestart_tracker:
        return f'exec {env}{python} -c "{PRESTART_TRACKER}" {args}'
    if snapshot is not None:
        return f"exec {env}{python} -m newstui {args}"
    return f"exec {NEWSTUI} {args}"


def browse_scenario(ds: DataSet, data: Path, downs: int, quit_key: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [
        {"wait_for": ds.headline_text, "name": "headlines", "timeout": 30},
        {"wait_for": ds.markers[0], "name": "first-article", "timeout": 30},
        {"quiet": 200},
    ]
    for i in range(1, downs + 1):
        steps.append({"measure": "Down", "until": ds.markers[i], "name": f"down-{i:02d}"})
    steps += [
        {"capture": "after-downs"},
        {"keys": quit_key},
        {"wait_exit": True, "name": "quit", "timeout": 5},
    ]
    return {
        "name": "newstui-browse",
        "cmd": newstui_cmd(ds.dir / "feeds.toml", data),
        "size": SIZE,
        "steps": steps,
    }


def refresh_scenario(
    ds: DataSet,
    config: Path,
    data: Path,
    keys: int,
    quit_key: str,
    total_feeds: int,
    *,
    prestart_tracker: bool = False,
) -> dict[str, Any]:
    half = keys // 2
    steps: list[dict[str, Any]] = [
        {"wait_for": ds.headline_text, "name": "headlines", "timeout": 30},
        {"wait_for": ds.markers[0], "name": "first-article", "timeout": 30},
        {"quiet": 200},
        {"measure": "R", "until": "re:Refreshing \\d+/", "name": "R", "timeout": 10},
        {"capture": "refresh-before-keys"},
    ]
    # Idle is "no output for --quiet-ms" here (the status line changes all the time), and a
    # step gives up waiting for idle after its timeout, so keep that short.
    for i in range(1, half + 1):
        steps.append(
            {"measure": "Down", "until": ds.markers[i], "name": f"rkey-down-{i:02d}", "timeout": 5}
        )
    for i in range(half - 1, -1, -1):
        steps.append(
            {"measure": "Up", "until": ds.markers[i], "name": f"rkey-up-{i:02d}", "timeout": 5}
        )
    steps += [
        {"capture": "refresh-after-keys"},
        {"wait_gone": "re:Refreshing \\d+/", "name": "refresh-done", "timeout": 600},
        {"capture": "refresh-done"},
        {"keys": quit_key},
        {"wait_exit": True, "name": "quit", "timeout": 5},
    ]
    return {
        "name": "newstui-refresh",
        "cmd": newstui_cmd(config, data, prestart_tracker=prestart_tracker),
        "size": SIZE,
        "steps": steps,
        "total_feeds": total_feeds,
    }


def next_scenario(ds: DataSet, data: Path, count: int, quit_key: str) -> dict[str, Any]:
    """`n` (next unread: marks the open entry read, opens the next one) x `count`, each until
    the next unread entry's article is on screen. The first `n` opens the highlighted entry
    (already shown: the focus moves to the article, the headline is drawn read): measured
    apart, until the screen changes ("first-n", not among the `next-` samples)."""
    steps: list[dict[str, Any]] = [
        {"wait_for": ds.headline_text, "name": "headlines", "timeout": 30},
        {"wait_for": ds.markers[0], "name": "first-article", "timeout": 30},
        {"quiet": 200},
        {"measure": "n", "name": "first-n"},
        {"quiet": 200},
    ]
    for i in range(1, count + 1):
        steps.append({"measure": "n", "until": ds.markers[i], "name": f"next-{i:02d}"})
    steps += [
        {"capture": "after-next"},
        {"keys": quit_key},
        {"wait_exit": True, "name": "quit", "timeout": 5},
    ]
    return {
        "name": "newstui-next",
        "cmd": newstui_cmd(ds.dir / "feeds.toml", data),
        "size": SIZE,
        "steps": steps,
    }


def first_config(path: Path, port: int, feeds: int, *, refresh_on_start: bool) -> Path:
    """A feeds.toml of `feeds` loopback feeds with fixed titles (so the feed list's order and
    the URL in the article pane are known while the refresh renames nothing)."""
    lines = [
        "[settings]",
        f"refresh_on_start = {'true' if refresh_on_start else 'false'}",
        "auto_refresh = false",
        "",
    ]
    for i in range(feeds):
        lines += [
            "[[feeds]]",
            f'url = "http://127.0.0.1:{port}/gen/{i}.xml"',
            f'title = "Feed {i:04d}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def feed_keys(half: int) -> list[dict[str, Any]]:
    """Down `half` times from the first feed, then Up back to it: each key measured until the
    highlighted feed's URL is in the article pane."""
    steps: list[dict[str, Any]] = []
    for i in range(half):
        steps.append(
            {"measure": "Down", "until": f"/gen/{i}.xml", "name": f"fkey-down-{i:02d}",
             "timeout": 10}
        )  # fmt: skip
    for i in range(half - 2, -1, -1):
        steps.append(
            {"measure": "Up", "until": f"/gen/{i}.xml", "name": f"fkey-up-{i:02d}", "timeout": 10}
        )
    return steps


def first_scenario(
    config: Path, data: Path, keys: int, quit_key: str, *, refresh: bool
) -> dict[str, Any]:
    """A first launch (empty data dir): keys in the feed list from the moment it is drawn,
    while the first refresh (refresh_on_start) runs, or with no refresh (`refresh` False).
    Each Down/Up is measured until the highlighted feed's URL is in the article pane."""
    half = keys // 2
    steps: list[dict[str, Any]] = [
        {"wait_for": "Feed 0001", "name": "headlines", "timeout": 30},
        {"keys": "Down"},  # All unread -> Bookmarks; the feeds follow
    ]
    steps += feed_keys(half)
    # Quit during the refresh: only the keys are measured (the refresh's own speed is
    # refresh_bench.py's), and the bench's lock stays short.
    steps += [
        {"capture": "first-after-keys"},
        {"keys": quit_key},
        {"wait_exit": True, "name": "quit", "timeout": 15},
    ]
    return {
        "name": "newstui-first-refresh" if refresh else "newstui-first-norefresh",
        "cmd": newstui_cmd(config, data),
        "size": SIZE,
        "steps": steps,
    }


def later_scenario(config: Path, data: Path, keys: int, quit_key: str) -> dict[str, Any]:
    """A later launch (the data dir of a finished first refresh, the feeds changed since on
    the server): R, then the same feed-list keys as `first_scenario` while it runs."""
    half = keys // 2
    steps: list[dict[str, Any]] = [
        {"wait_for": "Feed 0001", "name": "headlines", "timeout": 30},
        {"quiet": 200},
        {"measure": "R", "until": "re:Refreshing \\d+/", "name": "R", "timeout": 10},
        {"keys": "h"},  # the headlines have the focus: to the feed list (on All unread)
        {"keys": "Down"},  # All unread -> Bookmarks; the feeds follow
    ]
    steps += feed_keys(half)
    steps += [
        {"capture": "later-after-keys"},
        {"keys": quit_key},
        {"wait_exit": True, "name": "quit", "timeout": 15},
    ]
    return {
        "name": "newstui-later-refresh",
        "cmd": newstui_cmd(config, data),
        "size": SIZE,
        "steps": steps,
    }


def first_done_scenario(config: Path, data: Path, quit_key: str) -> dict[str, Any]:
    """Not measured: a first launch left to finish its first refresh, then quit."""
    return {
        "name": "newstui-first-done",
        "cmd": newstui_cmd(config, data),
        "size": SIZE,
        "steps": [
            {"wait_for": "Feed 0001", "name": "headlines", "timeout": 30},
            {"wait_for": "Last refresh", "name": "refreshed", "timeout": 300},
            {"keys": quit_key},
            {"wait_exit": True, "name": "quit", "timeout": 15},
        ],
    }


def bare_scenario(downs: int) -> dict[str, Any]:
    """The peer: a bare Textual app (`bare_app.py`), first paint and Down."""
    python = NEWSTUI.parent / "python"
    return {
        "name": "bare-textual",
        "cmd": f"exec {python} {ROOT / 'bench' / 'bare_app.py'} --rows 1000",
        "size": SIZE,
        "steps": [
            {"wait_for": "Bare row 000001", "name": "headlines", "timeout": 30},
            {"quiet": 200},
            *(
                {"measure": "Down", "until": f"cursor at row {i:06d}", "name": f"down-{i:02d}"}
                for i in range(1, downs + 1)
            ),
            {"keys": "q"},
            {"wait_exit": True, "name": "quit", "timeout": 5},
        ],
    }


class FeedServer:
    """`feedserver.py` in a subprocess. Every request is logged (UTC wall time, path, status)."""

    def __init__(self, port: int, feeds: int, items: int, log: Path) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(FEEDSERVER),
                "--port",
                str(port),
                "--feeds",
                str(feeds),
                "--items",
                str(items),
                "--log",
                str(log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 300
        while True:
            try:
                self.stats()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    self.stop()
                    raise RuntimeError(f"feedserver did not start: {err}") from None
                time.sleep(0.2)

    def get(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(self.base + path, timeout=5) as response:
            return json.loads(response.read())

    def stats(self, reset: bool = False) -> dict[str, Any]:
        return self.get("/stats?reset=1" if reset else "/stats")

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def feed_requests(self, since: int) -> list[tuple[float, str, int]]:
        """(UTC epoch seconds, path, status) of every /gen/ request logged after byte `since`."""
        with open(self.log, "rb") as f:
            f.seek(since)
            lines = f.read().decode("utf-8", "replace").splitlines()
        out = []
        for line in lines:
            parts = line.split()
            if len(parts) > 3 and parts[2].startswith("/gen/"):
                when = datetime.fromisoformat(parts[0]).timestamp()
                out.append((when, parts[2], int(parts[3])))
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- running ----------------------------------------------------------------------------------


def run_browse(args: argparse.Namespace, ds: DataSet, out: Path) -> dict[str, Any]:
    """One warm-up launch first, reported on its own row: the reader keeps its first frame's
    colours in the data dir (newstui.ui.first_frame_palette) and every launch after the first
    draws an early frame with them; the measured launches are those later ones."""
    data = copy_data(ds.dir / "data", out / "work-browse" / "data")
    warmup = browse_scenario(ds, data, 0, args.quit_key)
    warm = run_tuiprobe(warmup, out / "browse-warmup", 1, [])
    palette = data / "first-frame-palette.json"
    scenario = browse_scenario(ds, data, args.downs, args.quit_key)
    result = run_tuiprobe(scenario, out / "browse", args.runs, ["--rss-interval-ms", "20"])
    result["warmup"] = {"runs": warm["runs"], "palette_kept": palette.exists()}
    shutil.rmtree(out / "work-browse", ignore_errors=True)
    return result


def run_refresh(args: argparse.Namespace, ds: DataSet, out: Path) -> dict[str, Any]:
    params = ds.manifest["params"]
    port = params["port"]
    if not port_is_free(port):
        raise SystemExit(
            f"port {port} is busy: the store's feed URLs point at it. Free it, or rebuild the "
            "store for another port with --port."
        )
    served = args.refresh_feeds
    config = ds.dir / "feeds.toml"
    if args.refresh_config == "served":
        config = out / "feeds-served.toml"
        text = (ds.dir / "feeds.toml").read_text(encoding="utf-8")
        head, *tables = text.split("[[feeds]]")
        config.write_text(head + "".join("[[feeds]]" + t for t in tables[:served]), "utf-8")
    if args.parse_workers is not None:
        text = config.read_text(encoding="utf-8")
        config = out / f"feeds-refresh-{args.refresh_config}-pw{args.parse_workers}.toml"
        text = text.replace(
            "[settings]\n", f"[settings]\nparse_workers = {args.parse_workers}\n", 1
        )
        config.write_text(text, encoding="utf-8")
    total_feeds = served if args.refresh_config == "served" else params["feeds"]
    variant = (
        f"config '{args.refresh_config}', parse_workers "
        f"{'default' if args.parse_workers is None else args.parse_workers}"
        + (", resource tracker pre-started" if args.prestart_tracker else "")
    )
    print(f"  starting feedserver: {served} feeds x {params['entries_per_feed']} items ...")
    server = FeedServer(port, served, params["entries_per_feed"], out / "feedserver.log")
    runs: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    result: dict[str, Any] = {}
    try:
        for i in range(args.runs):
            work = out / f"work-refresh-{i}"
            data = copy_data(ds.dir / "data", work / "data")
            scenario = refresh_scenario(
                ds,
                config,
                data,
                args.refresh_keys,
                args.quit_key,
                total_feeds,
                prestart_tracker=args.prestart_tracker,
            )
            server.get("/reset")
            server.stats(reset=True)
            log_mark = server.log_size()
            with TreeWatch(f"--data-dir {data}") as watch:
                result = run_tuiprobe(
                    scenario,
                    out / f"refresh-{i}",
                    1,
                    [
                        "--settle",
                        "output",
                        "--quiet-ms",
                        str(args.refresh_quiet_ms),
                        "--rss-interval-ms",
                        "20",
                    ],
                )
            final = server.stats()
            run = result["runs"][0]
            run["run"] = i
            run["tree_watch"] = watch.result()
            runs.append(run)
            requests = server.feed_requests(log_mark)
            check = check_refresh_run(run, requests, final, out / f"refresh-{i}")
            check["store_after"] = store_after(data / "newstui.db")
            checks.append(check)
            shutil.rmtree(work, ignore_errors=True)
            print(f"  refresh run {i + 1}/{args.runs}: {checks[-1]['verdict']}")
    finally:
        server.stop()
    return {
        "runs": runs,
        "checks": checks,
        "config": str(config),
        "served": served,
        "total_feeds": total_feeds,
        "variant": variant,
        "scenario": result.get("scenario"),
    }


def run_next(args: argparse.Namespace, ds: DataSet, out: Path) -> dict[str, Any]:
    """`n` marks entries read: every launch gets a fresh copy of the store."""
    runs: list[dict[str, Any]] = []
    for i in range(args.runs):
        data = copy_data(ds.dir / "data", out / "work-next" / "data")
        scenario = next_scenario(ds, data, args.nexts, args.quit_key)
        result = run_tuiprobe(scenario, out / f"next-{i}", 1, ["--rss-interval-ms", "20"])
        runs.extend(result["runs"])
    shutil.rmtree(out / "work-next", ignore_errors=True)
    return {"runs": runs}


def run_first(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """First launches on an empty data dir, with the first refresh and without, alternated."""
    port = args.port + 1
    if not port_is_free(port):
        raise SystemExit(f"port {port} is busy (the first-refresh feed server)")
    feeds = args.first_feeds
    configs = {
        refresh: first_config(
            out / f"first-{'refresh' if refresh else 'norefresh'}.toml", port, feeds,
            refresh_on_start=refresh,
        )
        for refresh in (True, False)
    }  # fmt: skip
    print(f"  starting feedserver: {feeds} feeds x 50 items on port {port} ...")
    server = FeedServer(port, feeds, 50, out / "feedserver-first.log")
    result: dict[str, Any] = {"refresh": [], "norefresh": [], "checks": [], "feeds": feeds}
    try:
        for i in range(args.runs):
            for refresh in (True, False):
                name = "refresh" if refresh else "norefresh"
                work = out / f"work-first-{name}"
                shutil.rmtree(work, ignore_errors=True)
                (work / "data").mkdir(parents=True)
                scenario = first_scenario(
                    configs[refresh], work / "data", args.first_keys, args.quit_key,
                    refresh=refresh,
                )  # fmt: skip
                log_mark = server.log_size()
                extra = ["--settle", "output", "--quiet-ms", str(args.refresh_quiet_ms),
                         "--rss-interval-ms", "20"]  # fmt: skip
                probe = run_tuiprobe(scenario, out / f"first-{name}-{i}", 1, extra)
                run = probe["runs"][0]
                result[name].append(run)
                if refresh:
                    check = check_first_run(run, server.feed_requests(log_mark), feeds)
                    result["checks"].append(check)
                    print(f"  first refresh run {i + 1}/{args.runs}: {check['verdict']}")
                shutil.rmtree(work, ignore_errors=True)
    finally:
        server.stop()
    return result


def check_first_run(
    run: dict, requests: list[tuple[float, str, int]], feeds: int, *, start: float | None = None
) -> dict:
    """Which keys were surely sent while the first refresh ran: before its last feed request
    was answered (t=0 placed as late as it can be: at the first feed request). `start`: the
    refresh was started later, by a key sent at this time after launch (ms): the first feed
    request is placed there (it came after it)."""
    keys = [smp for s in steps_named(run, "fkey-") for smp in s.get("samples", [])]
    check: dict[str, Any] = {"ok": run["ok"], "error": run.get("error"), "keys": len(keys)}
    if not keys or not requests:
        check.update(during=[], verdict=f"NO DATA ({run.get('error')})")
        return check
    times = sorted(t for t, _, _ in requests)
    last_ms = (times[-1] - times[0]) * 1000 + (start or 0.0)  # after t=0, at least
    during = [smp["latency_ms"] for smp in keys if smp["t_launch_ms"] <= last_ms]
    check.update(
        during=during,
        requests=len(requests),
        last_request_ms=round(last_ms),
        verdict=(
            f"{len(during)}/{len(keys)} keys before the last of {len(requests)} feed requests "
            f"(>= {last_ms / 1000:.1f} s after launch)"
        ),
    )
    return check


def run_later(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """Keys during a later refresh of the first scenario's feeds: one first launch finishes
    its refresh (not measured); each run starts from a copy of that data dir, with
    `--later-bump` of the feeds given new items on the server, and presses R."""
    port = args.port + 1
    if not port_is_free(port):
        raise SystemExit(f"port {port} is busy (the first-refresh feed server)")
    feeds = args.first_feeds
    on_start = first_config(out / "later-first.toml", port, feeds, refresh_on_start=True)
    config = first_config(out / "later.toml", port, feeds, refresh_on_start=False)
    print(f"  starting feedserver: {feeds} feeds x 50 items on port {port} ...")
    server = FeedServer(port, feeds, 50, out / "feedserver-later.log")
    result: dict[str, Any] = {"runs": [], "checks": [], "feeds": feeds, "bump": args.later_bump}
    try:
        base = out / "work-later-base" / "data"
        base.mkdir(parents=True)
        done = run_tuiprobe(first_done_scenario(on_start, base, args.quit_key),
                            out / "later-first", 1, [])  # fmt: skip
        if not done["runs"][0]["ok"]:
            raise RuntimeError(f"the first refresh did not finish: {done['runs'][0]}")
        for i in range(args.runs):
            work = out / "work-later"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(base, work / "data")
            server.get("/reset")
            server.get(f"/bump?fraction={args.later_bump}")
            log_mark = server.log_size()
            extra = ["--settle", "output", "--quiet-ms", str(args.refresh_quiet_ms),
                     "--rss-interval-ms", "20"]  # fmt: skip
            probe = run_tuiprobe(
                later_scenario(config, work / "data", args.first_keys, args.quit_key),
                out / f"later-{i}", 1, extra,
            )  # fmt: skip
            run = probe["runs"][0]
            result["runs"].append(run)
            r_sent = next((s["samples"][0]["t_launch_ms"] for s in steps_named(run, "R")
                           if s.get("samples")), None)  # fmt: skip
            check = check_first_run(run, server.feed_requests(log_mark), feeds, start=r_sent)
            result["checks"].append(check)
            print(f"  later refresh run {i + 1}/{args.runs}: {check['verdict']}")
            shutil.rmtree(work, ignore_errors=True)
    finally:
        server.stop()
        shutil.rmtree(out / "work-later-base", ignore_errors=True)
    return result


def run_bare(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    return run_tuiprobe(
        bare_scenario(args.downs), out / "bare", args.runs, ["--rss-interval-ms", "20"]
    )


def store_after(db_path: Path) -> dict[str, Any]:
    """What the refresh left in the store: did it store the served feeds' entries?"""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        entries = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        kinds = dict(
            db.execute(
                "SELECT coalesce(error_kind, 'ok'), count(*) FROM feeds"
                " WHERE last_fetched_at IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
        internal = db.execute(
            "SELECT last_error FROM feeds WHERE error_kind = 'internal' LIMIT 1"
        ).fetchone()
    return {
        "entries": entries,
        "feeds_by_outcome": kinds,
        "internal_error": internal and internal[0],
    }


def _status_progress(capture: Path) -> str | None:
    if not capture.exists():
        return None
    first = capture.read_text(encoding="utf-8").splitlines()[0]
    marker = first.find("Refreshing")
    return first[marker:].split()[1] if marker >= 0 else None


def check_refresh_run(
    run: dict, requests: list[tuple[float, str, int]], final: dict, outdir: Path
) -> dict[str, Any]:
    """Was the refresh running while the keys were measured? Screen and server evidence."""
    keys = [s for s in run["steps"] if s.get("name", "").startswith("rkey-")]
    key_samples = [smp for s in keys for smp in s.get("samples", [])]
    done = [s for s in run["steps"] if s.get("name") == "refresh-done"]
    r_step = [s for s in run["steps"] if s.get("name") == "R"]
    check: dict[str, Any] = {"ok": run["ok"], "error": run.get("error")}
    if not key_samples or not r_step or not r_step[0].get("samples"):
        check["verdict"] = "NO KEY SAMPLES" + (f" ({run.get('error')})" if run.get("error") else "")
        check["during_refresh"] = False
        return check
    t_r = r_step[0]["samples"][0]["t_launch_ms"]
    first_key = key_samples[0]["t_launch_ms"]
    last = key_samples[-1]
    last_key_end = last["t_launch_ms"] + last["latency_ms"]
    statuses: dict[int, int] = {}
    for _, _, status in requests:
        statuses[status] = statuses.get(status, 0) + 1
    check.update(
        {
            "R_sent_ms": t_r,
            "keys_from_ms": first_key,
            "keys_until_ms": round(last_key_end, 1),
            "refresh_done_ms": done[0].get("t_launch_ms") if done else None,
            "status_before_keys": _status_progress(outdir / "refresh-before-keys.txt"),
            "status_after_keys": _status_progress(outdir / "refresh-after-keys.txt"),
            # /stats counts its own calls too: minus the one /stats?reset=1 before the run
            "server_stats_requests": final.get("requests", 1) - 1,
            "server_stats_status": final.get("status"),
            "server_cpu_s": final.get("server_cpu_s"),
            "feed_requests_logged": len(requests),
            "feed_statuses_logged": statuses,
        }
    )
    if requests:
        # tuiprobe's t=0 on the wall clock, at the latest: the first feed request cannot come
        # before R was sent. Using the latest possible t=0 places the keys as late as they can
        # have been, so "requests still to come after the last key" is a safe conclusion.
        zero = requests[0][0] - t_r / 1000.0
        times = sorted(t for t, _, _ in requests)
        check["feed_requests_before_first_key"] = sum(t <= zero + first_key / 1000 for t in times)
        check["feed_requests_before_last_key"] = sum(t <= zero + last_key_end / 1000 for t in times)
        check["last_feed_request_ms"] = round((times[-1] - zero) * 1000)
    during = (
        check["status_before_keys"] is not None
        and check["status_after_keys"] is not None
        and check["refresh_done_ms"] is not None
        and check["refresh_done_ms"] > last_key_end
    )
    check["during_refresh"] = during
    check["verdict"] = (
        f"keys {first_key / 1000:.1f}-{last_key_end / 1000:.1f} s after launch (R at "
        f"{t_r / 1000:.1f} s); status line {check['status_before_keys']} -> "
        f"{check['status_after_keys']}; refresh done at "
        f"{(check['refresh_done_ms'] or 0) / 1000:.1f} s; feed requests answered "
        f"{check.get('feed_requests_before_first_key')} -> "
        f"{check.get('feed_requests_before_last_key')} of {len(requests)} {statuses}, last at "
        f"{(check.get('last_feed_request_ms') or 0) / 1000:.1f} s: "
        f"{'OK, during the refresh' if during else 'NOT during the refresh'}"
    )
    return check


# -- newsboat (optional) ----------------------------------------------------------------------


def run_newsboat(args: argparse.Namespace, ds: DataSet, out: Path) -> dict[str, Any] | None:
    if shutil.which("newsboat") is None:
        print("  newsboat not installed: skipped (apt-get install -y newsboat)")
        return None
    params = ds.manifest["params"]
    feeds, items = params["feeds"], params["entries_per_feed"]
    cache_root = RESULTS / f"newsboat-{feeds}x{items}"
    cache = cache_root / "cache.db"
    urls = cache_root / "urls"
    conf = cache_root / "config"
    port = 18799
    if not cache.exists():
        if not port_is_free(port):
            raise SystemExit(f"port {port} busy (newsboat cache build)")
        cache_root.mkdir(parents=True, exist_ok=True)
        conf.write_text("reload-threads 8\nshow-read-feeds yes\n", encoding="utf-8")
        print(f"  building the newsboat cache: {feeds} feeds x {items} items (once) ...")
        server = FeedServer(port, feeds, items, cache_root / "feedserver.log")
        try:
            urls.write_text(
                "".join(f"http://127.0.0.1:{port}/gen/{i}.xml\n" for i in range(feeds)), "utf-8"
            )
            subprocess.run(
                ["newsboat", "-u", str(urls), "-c", str(cache), "-C", str(conf), "-x", "reload"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        finally:
            server.stop()
    work = out / "work-newsboat"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(cache, work / "cache.db")
    scenario = {
        "name": "newsboat",
        "cmd": f"exec newsboat -u {urls} -c {work / 'cache.db'} -C {conf}",
        "size": SIZE,
        "steps": [
            {"wait_for": "Generated feed 1 ", "name": "headlines", "timeout": 900},
            {"quiet": 200},
            {"measure": "Down", "repeat": args.downs, "name": "down"},
            {"keys": "q"},
            {"wait_exit": True, "name": "quit", "timeout": 10},
        ],
    }
    result = run_tuiprobe(scenario, out / "newsboat", args.runs, ["--rss-interval-ms", "20"])
    shutil.rmtree(work, ignore_errors=True)
    return result


# -- report -----------------------------------------------------------------------------------


def fmt(v: float | None, unit: str = "ms") -> str:
    if v is None:
        return "-"
    return f"{v:,.0f} {unit}" if v >= 100 else f"{v:.1f} {unit}"


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "no data"
    return "pass" if value < limit else "**FAIL**"


def build_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def row(
        name: str,
        st: dict | None,
        target: str = "",
        result: str = "",
        unit: str = "ms",
        note: str = "",
    ) -> None:
        rows.append(
            {
                "scenario": name,
                "stats": st,
                "target": target,
                "result": result,
                "unit": unit,
                "note": note,
            }
        )

    browse = results.get("browse")
    if browse:
        runs = browse["runs"]
        launch = stats(step_values(runs, "headlines", "t_launch_ms"))
        row(
            "launch → headlines on screen",
            launch,
            "median < 400 ms",
            verdict(launch and launch["median"], 400.0),
        )
        row(
            "launch → first article shown", stats(step_values(runs, "first-article", "t_launch_ms"))
        )
        if warmup := browse.get("warmup"):
            kept = "palette kept" if warmup["palette_kept"] else "NO palette kept after it"
            row(
                "first launch → headlines (the warm-up: no palette kept yet)",
                stats(step_values(warmup["runs"], "headlines", "t_launch_ms")),
                note=kept,
            )
        down = stats(samples(runs, "down-"))
        row("Down → new article shown", down, "p95 < 30 ms", verdict(down and down["p95"], 30.0))
        row("Down → first byte written", stats(samples(runs, "down-", "first_output_ms")))
        row("Down → the article's frame (tmux's output)", stats(samples(runs, "down-", "frame_ms")))
        quit_ok = [r for r in runs if r.get("exit_status") is not None]
        row(
            f"quit ({results['quit_key']} → exit)",
            stats(step_values(quit_ok, "quit", "t_step_ms")),
            note=""
            if len(quit_ok) == len(runs)
            else f"{len(runs) - len(quit_ok)}/{len(runs)} runs did not exit",
        )
        mem = stats([r.get("rss_peak_main_kb", 0) * 1024 / MB for r in runs])
        row(
            "peak memory, browse (main VmHWM)",
            mem,
            "< 150 MB",
            verdict(mem and mem["max"], 150.0),
            "MB",
        )
    refresh = results.get("refresh")
    if refresh:
        runs = refresh["runs"]
        good = [r for r, c in zip(runs, refresh["checks"], strict=True) if c.get("during_refresh")]
        keys = stats(samples(good, "rkey-"))
        note = f"{refresh['variant']}; {len(good)}/{len(runs)} runs verified during the refresh"
        row(
            "Down/Up during refresh → article shown",
            keys,
            "p95 < 60 ms",
            verdict(keys and keys["p95"], 60.0),
            note=note,
        )
        row("R → 'Refreshing' on screen", stats(samples(runs, "R")))
        durations = [
            c["refresh_done_ms"] - c["R_sent_ms"]
            for c in refresh["checks"]
            if c.get("refresh_done_ms") and c.get("R_sent_ms") is not None
        ]
        row(
            f"refresh duration ({refresh['total_feeds']} feeds, {refresh['served']} served)",
            stats(durations),
        )
        after = [c.get("store_after") or {} for c in refresh["checks"]]
        internal = sum(a.get("feeds_by_outcome", {}).get("internal", 0) for a in after)
        expected = (
            results["manifest"]["entries"]
            + refresh["served"] * (results["manifest"]["params"]["entries_per_feed"])
        )
        stored_ok = all(a.get("entries") == expected for a in after)
        rows.append(
            {
                "scenario": "refresh stored the served feeds' entries",
                "stats": None,
                "target": f"{expected:,} entries after",
                "result": "pass" if stored_ok else "**FAIL**",
                "unit": "",
                "note": f"entries after each run: {[a.get('entries') for a in after]}; "
                f"{internal} feed parses failed with 'internal' errors"
                + (f" ({after[0].get('internal_error')})" if internal else ""),
            }
        )
        tree = stats([r.get("rss_peak_tree_kb", 0) * 1024 / MB for r in runs])
        row(
            "peak memory, refresh (process tree, sampled 20 ms)",
            tree,
            "< 150 MB",
            verdict(tree and tree["max"], 150.0),
            "MB",
            note=f"up to {max(r.get('procs_max', 0) for r in runs)} processes",
        )
        main = stats([r.get("rss_peak_main_kb", 0) * 1024 / MB for r in runs])
        row(
            "peak memory, refresh (main VmHWM)",
            main,
            "< 150 MB",
            verdict(main and main["max"], 150.0),
            "MB",
        )
        hwm = stats([r.get("vmhwm_sum_kb", 0) * 1024 / MB for r in runs])
        row("peak memory, refresh (sum of each process's VmHWM: upper bound)", hwm, unit="MB")
        watched = [r["tree_watch"] for r in runs if r.get("tree_watch")]
        if watched:
            row(
                "peak memory, refresh (process tree, bench's own 20 ms sampler)",
                stats([w["peak_tree_mb"] for w in watched]),
                "< 150 MB",
                verdict(max(w["peak_tree_mb"] for w in watched), 150.0),
                "MB",
                note="at the peak, per run: "
                + "; ".join(
                    ", ".join(f"{k} {v}" for k, v in w["at_peak_mb"].items()) for w in watched
                )
                + ". VmHWM per role: "
                + "; ".join(
                    ", ".join(f"{k} {v}" for k, v in w["vmhwm_mb"].items()) for w in watched
                )
                + ". Peak tree PSS (every 100 ms): "
                + ", ".join(f"{w.get('peak_tree_pss_mb', 0)} MB" for w in watched),
            )
    nxt = results.get("next")
    if nxt:
        runs = nxt["runs"]
        n_keys = stats(samples(runs, "next-"))
        row("n → next unread article shown", n_keys, "p95 < 30 ms",
            verdict(n_keys and n_keys["p95"], 30.0))  # fmt: skip
        row("n → first byte written", stats(samples(runs, "next-", "first_output_ms")))
        row("n → the article's frame (tmux's output)", stats(samples(runs, "next-", "frame_ms")))
        row("first n after launch → screen change", stats(samples(runs, "first-n")))
        failed = [r.get("error") for r in runs if not r["ok"]]
        if failed:
            rows[-1]["note"] = f"failed runs: {failed}"
    first = results.get("first")
    if first:
        during = [v for c in first["checks"] for v in c.get("during", [])]
        st = stats(during)
        row(
            f"keys during the first refresh ({first['feeds']} feeds, empty data dir)",
            st,
            "p95 < 60 ms",
            verdict(st and st["p95"], 60.0),
            note=f"{len(during)} of {sum(c['keys'] for c in first['checks'])} keys surely "
            "during the refresh",
        )
        row(
            "keys at the same first launch, no refresh",
            stats(samples(first["norefresh"], "fkey-")),
        )
        row(
            "first launch → feed list on screen (with the refresh)",
            stats(step_values(first["refresh"], "headlines", "t_launch_ms")),
        )
        tree = stats([r.get("rss_peak_tree_kb", 0) * 1024 / MB for r in first["refresh"]])
        row("peak memory, first refresh (process tree)", tree, "< 150 MB",
            verdict(tree and tree["max"], 150.0), "MB")  # fmt: skip
    later = results.get("later")
    if later:
        during = [v for c in later["checks"] for v in c.get("during", [])]
        st = stats(during)
        row(
            f"keys during a later refresh ({later['feeds']} feeds, R; {later['bump']:.0%} "
            "of them changed)",
            st,
            "p95 < 60 ms",
            verdict(st and st["p95"], 60.0),
            note=f"{len(during)} of {sum(c['keys'] for c in later['checks'])} keys surely "
            "during the refresh",
        )
    bare = results.get("bare")
    if bare:
        runs = bare["runs"]
        launch_b = stats(step_values(runs, "headlines", "t_launch_ms"))
        down_b = stats(samples(runs, "down-"))
        frame_b = stats(samples(runs, "down-", "frame_ms"))
        row("bare Textual app: launch → first paint", launch_b)
        row("bare Textual app: Down → screen change", down_b)
        row("bare Textual app: Down → its frame (tmux's output)", frame_b)
        row(
            "bare Textual app: peak memory (main VmHWM)",
            stats([r.get("rss_peak_main_kb", 0) * 1024 / MB for r in runs]),
            unit="MB",
        )
        for r in list(rows):
            st = r["stats"]
            if not st or r["unit"] != "ms" or r["scenario"].startswith("bare"):
                continue
            # "launch →" rows time a launch; "keys at the same first launch" times keys.
            peer = launch_b if "launch →" in r["scenario"] else down_b
            if "(tmux's output)" in r["scenario"]:  # timed the same way as the peer's
                peer = frame_b
            if peer and peer["median"] and peer["p95"]:
                r["note"] = (
                    (f"{r['note']}; " if r["note"] else "")
                    + f"x bare: median {st['median'] / peer['median']:.2f}, "
                    f"p95 {st['p95'] / peer['p95']:.2f}"
                )
    nb = results.get("newsboat")
    if nb:
        runs = nb["runs"]
        row("newsboat: launch → headlines", stats(step_values(runs, "headlines", "t_launch_ms")))
        row("newsboat: Down → screen change", stats(samples(runs, "down")))
        row(
            "newsboat: peak memory (main VmHWM)",
            stats([r.get("rss_peak_main_kb", 0) * 1024 / MB for r in runs]),
            unit="MB",
        )
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | median | p95 | max | n | target | result | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        st, unit = r["stats"] or {}, r["unit"]
        lines.append(
            f"| {r['scenario']} | {fmt(st.get('median'), unit)} | {fmt(st.get('p95'), unit)} | "
            f"{fmt(st.get('max'), unit)} | {st.get('n', 0)} | {r['target']} | {r['result']} | "
            f"{r['note']} |"
        )
    return "\n".join(lines)


def host_info(results: dict[str, Any]) -> str:
    busy = [
        r.get("host_busy_pct")
        for key in ("bare", "browse", "newsboat")
        if results.get(key)
        for r in results[key]["runs"]
    ] + [r.get("host_busy_pct") for r in (results.get("refresh") or {}).get("runs", [])]
    busy += [r.get("host_busy_pct") for r in (results.get("next") or {}).get("runs", [])]
    busy_st = stats(busy)
    return (
        f"host: {os.cpu_count()} cores, loadavg at start {results['loadavg']}; "
        f"host CPU busy during runs: median {busy_st['median'] if busy_st else '-'} %"
    )


def git_info() -> dict[str, Any]:
    def git(*cmd: str) -> str:
        proc = subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.strip()

    return {
        "head": git("rev-parse", "--short", "HEAD"),
        "dirty": git("status", "--porcelain", "--", "newstui").splitlines(),
    }


# -- main -------------------------------------------------------------------------------------


def use_tools(folder: Path) -> None:
    """Take tuiprobe.py and feedserver.py from `folder`; they are not part of this repository."""
    global TUIPROBE, FEEDSERVER
    TUIPROBE, FEEDSERVER = folder / "tuiprobe.py", folder / "feedserver.py"
    for tool in (TUIPROBE, FEEDSERVER):
        if not tool.is_file():
            raise SystemExit(f"{tool} not found: pass --tools DIR")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches per scenario (default 5)")
    parser.add_argument(
        "--only",
        default="bare,browse,next,first,later,refresh",
        help="comma list of: bare, browse, next, first, later, refresh (default all)",
    )
    parser.add_argument("--nexts", type=int, default=30, help="n keys in next (default 30)")
    parser.add_argument(
        "--first-feeds", type=int, default=306, help="feeds of the first-refresh scenario"
    )
    parser.add_argument(
        "--first-keys", type=int, default=40, help="keys during the first refresh (default 40)"
    )
    parser.add_argument(
        "--later-bump",
        type=float,
        default=1.0,
        help="later: the fraction of the feeds given new items before each R (default 1.0)",
    )
    parser.add_argument(
        "--timeline",
        type=Path,
        help="run each reader under bench/key_timeline.py, its timelines in this folder "
        "(slower: to see where a key's time goes, not for the numbers)",
    )
    parser.add_argument(
        "--timeline-sample",
        type=float,
        metavar="MS",
        help="with --timeline: also sample the reader's stack every MS ms (long steps' frames)",
    )
    parser.add_argument("--newsboat", action="store_true", help="also run newsboat's launch")
    parser.add_argument("--downs", type=int, default=30, help="Down keys in browse (default 30)")
    parser.add_argument(
        "--refresh-keys",
        type=int,
        default=40,
        help="keys during the refresh, half Down then half Up (default 40)",
    )
    parser.add_argument("--refresh-feeds", type=int, default=500, help="feeds the server serves")
    parser.add_argument(
        "--refresh-config",
        choices=("all", "served"),
        default="all",
        help="all: the 2,000-feed config (R fetches all; the feeds past --refresh-feeds get a "
        "quick 404); served: a config of only the served feeds over the same store (the other "
        "feeds are hidden, so the lists hold only their entries)",
    )
    parser.add_argument(
        "--refresh-quiet-ms",
        type=float,
        default=10.0,
        help="tuiprobe --quiet-ms during the refresh (output settle)",
    )
    parser.add_argument(
        "--parse-workers",
        type=int,
        help="write parse_workers = N into the refresh scenario's [settings] (default: unset, "
        "i.e. newstui's default, a process pool of one worker per core; 1 = a parse thread)",
    )
    parser.add_argument(
        "--code",
        default="worktree",
        help="worktree: the editable install as it is on disk (default); head: a snapshot of "
        "the last commit (stable numbers while the tree is being edited); any other commit "
        "(e.g. main~3): a snapshot of it, to compare before and after in one session",
    )
    parser.add_argument(
        "--prestart-tracker",
        action="store_true",
        help="refresh scenario: start multiprocessing's resource tracker before newstui, a "
        "bench-side workaround so the parse process pool can start under Textual",
    )
    parser.add_argument("--quit-key", default="q", help="key that quits (default q)")
    parser.add_argument("--feeds", type=int, default=StoreParams.feeds)
    parser.add_argument("--entries", type=int, default=StoreParams.entries_per_feed)
    parser.add_argument("--port", type=int, default=StoreParams.port)
    parser.add_argument("--out", type=Path, help="output dir (default bench/results/tui-TIME)")
    parser.add_argument(
        "--tools",
        type=Path,
        default=TOOLS,
        help="folder holding tuiprobe.py and feedserver.py (default: %(default)s)",
    )
    args = parser.parse_args()
    use_tools(args.tools)

    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if args.timeline is not None:
        args.timeline.mkdir(parents=True, exist_ok=True)
        TIMELINE["dir"] = args.timeline.resolve()
        if args.timeline_sample:
            TIMELINE_SAMPLE_MS.append(args.timeline_sample)
    out = args.out or RESULTS / f"tui-{datetime.now():%Y%m%d-%H%M%S}"
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    params = StoreParams(feeds=args.feeds, entries_per_feed=args.entries, port=args.port)
    code = "working tree"
    if args.code == "worktree":  # bytecode as an installed package has it (see snapshot_head)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "newstui")], check=True
        )
    if args.code != "worktree":
        CODE["snapshot"], sha = snapshot_head(out, "HEAD" if args.code == "head" else args.code)
        code = f"snapshot of commit {sha}"
    print(f"newstui code: {code}")
    print(f"store: {params.key()} (building it if needed) ...")
    ds = DataSet.load(params)
    m = ds.manifest
    print(f"  {m['entries']} entries, {m['unread']} unread, {m['db_bytes'] / MB:.0f} MB database")
    with open("/proc/loadavg") as f:
        loadavg = f.read().split()[0]
    results: dict[str, Any] = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "store": str(ds.dir),
        "manifest": {k: v for k, v in m.items() if k != "first_unread"},
        "headline_text": ds.headline_text,
        "quit_key": args.quit_key,
        "loadavg": loadavg,
        "git": git_info(),
        "code": code,
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    if "bare" in only:
        print(f"bare Textual app: launch + Down x{args.downs}, {args.runs} runs ...")
        results["bare"] = run_bare(args, out)
    if "browse" in only:
        print(f"browse: launch + Down x{args.downs}, {args.runs} runs ...")
        results["browse"] = run_browse(args, ds, out)
    if "next" in only:
        print(f"next: launch + n x{args.nexts}, {args.runs} runs (a fresh copy each) ...")
        results["next"] = run_next(args, ds, out)
    if "first" in only:
        print(f"first: empty data dir, {args.first_feeds} feeds, keys during the first refresh")
        results["first"] = run_first(args, out)
    if "later" in only:
        print(f"later: {args.first_feeds} feeds refreshed once, R, keys during the refresh")
        results["later"] = run_later(args, out)
    if "refresh" in only:
        print(f"refresh: R + {args.refresh_keys} keys during it, {args.runs} runs ...")
        results["refresh"] = run_refresh(args, ds, out)
    if args.newsboat:
        print(f"newsboat: launch + Down x{args.downs}, {args.runs} runs ...")
        results["newsboat"] = run_newsboat(args, ds, out)
    results["open_copy_seconds"] = MIGRATIONS
    rows = build_rows(results)
    table = markdown(rows)
    results["table"] = rows
    (out / "summary.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    code_line = (
        f"newstui code measured: {code} (HEAD {results['git']['head']}; uncommitted in "
        f"newstui/: {results['git']['dirty'] or 'none'})"
    )
    (out / "summary.md").write_text(f"{table}\n\n{host_info(results)}\n{code_line}\n", "utf-8")
    print()
    print(table)
    print()
    print(host_info(results))
    print(code_line)
    if results.get("refresh"):
        for check in results["refresh"]["checks"]:
            print(f"  refresh check: {check['verdict']}")
    print(f"\nresults: {out}")
    failed = any(r["result"] == "**FAIL**" for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
