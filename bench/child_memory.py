"""The reader's refresh process alone: its memory and time during the reader's 500-feed refresh.

`tui_bench.py`'s refresh scenario measures the whole reader (tmux, keys, the tree's peak); this
runs only what the reader starts for `R`: `newstui/feeds/refresh_child.py` with the same `Job`
(the tui store's 2,000-feed feeds.toml, forced: 500 feeds x 50 new items and 1,500 quick 404s
from `feedserver.py`), started as `newstui/ui/screens/refreshing.py` starts it. Every 20 ms it
samples the child's process tree (VmRSS, and Pss from smaps_rollup every 5th sample): the
tree's peak with each role's share at that moment, each role's VmHWM, wall, CPU (child and
parse worker), and checks that every served entry was stored. For comparing one variable at
a time (an environment variable, a cap) in the same run, alternating:

    .venv/bin/python bench/child_memory.py --runs 2
    .venv/bin/python bench/child_memory.py --runs 2 --env MALLOC_ARENA_MAX= --env X=1
    .venv/bin/python bench/child_memory.py --set MODULE:NAME=8_000_000

A second variant (B) runs when `--env NAME=VALUE` (empty value: unset) or `--set
module:NAME=VALUE` (assigned in the child before its refresh) is given. `--diag`: the child's
smaps (RSS per mapping) at its peak. Environment: `CHILD_MEMORY_PYSPY=/path/to/py-spy` profiles
the child, `CHILD_MEMORY_TRACE=FILE` runs it under tracemalloc (slower: for where, not how much).
Uses the cached tui store (`make_store.py`, port 18765 in its feed URLs); a feedserver already
on that port is reused (reset before each run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from make_store import StoreParams, build_store
from tui_bench import FEEDSERVER, FeedServer, port_is_free

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MB = 1_000_000
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
SPY = os.environ.get("CHILD_MEMORY_PYSPY")
"""A py-spy binary: set, the child is profiled (raw folded stacks to RESULTS_SPY)."""
RESULTS_SPY = Path(tempfile.gettempdir()) / "child-memory-spy.txt"
TRACE = os.environ.get("CHILD_MEMORY_TRACE")
"""A file: set, the child runs under tracemalloc (slower) and writes there the Python
allocations (by line) at the largest traced total seen every 0.5 s."""
TRACE_BOOT = r"""
import sys, threading, tracemalloc, atexit
tracemalloc.start(1)
best = [0, None]
def watch():
    import time
    while True:
        time.sleep(0.5)
        cur = tracemalloc.get_traced_memory()[0]
        if cur > best[0]:
            best[:] = [cur, tracemalloc.take_snapshot()]
threading.Thread(target=watch, daemon=True).start()
def dump():
    if best[1] is None:
        return
    with open(sys.argv[2], "w") as f:
        f.write(f"traced at peak {best[0] / 1e6:.1f} MB\n")
        for stat in best[1].statistics("lineno")[:40]:
            f.write(f"{stat.size / 1e6:8.2f} MB {stat.count:8d} {stat.traceback}\n")
atexit.register(dump)
"""


def _status(pid: int) -> tuple[int, int]:
    rss = hwm = 0
    with open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith(b"VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
        for line in f:
            if line.startswith(b"Pss:"):
                return int(line.split()[1])
    return 0


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read()
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    """Children of every thread of `pid` (a worker is started from a thread)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                found += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return found


class Watch(threading.Thread):
    """The child's tree every 20 ms: RSS (and PSS every 5th sample) per role."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.stop = threading.Event()
        self.peak_rss = 0
        self.peak_pss = 0
        self.at_peak: dict[str, float] = {}
        self.hwm: dict[str, float] = {}
        self.cpu: dict[int, float] = {}
        self.roles: dict[int, str] = {}
        self.diag = False
        self.maps_at_peak: dict[str, int] = {}
        self._diag_peak = 0

    def run(self) -> None:
        n = 0
        while not self.stop.wait(0.02):
            n += 1
            pids = [self.root, *_children(self.root)]
            total = pss = 0
            shares: dict[str, float] = {}
            for pid in pids:
                role = "child" if pid == self.root else "worker"
                try:
                    rss, hwm = _status(pid)
                    self.cpu[pid] = _cpu(pid)
                    if n % 5 == 0:
                        pss += _pss(pid)
                except OSError:
                    continue
                self.roles[pid] = role
                total += rss
                shares[role] = shares.get(role, 0.0) + rss * 1024 / MB
                self.hwm[role] = max(self.hwm.get(role, 0.0), hwm * 1024 / MB)
            if total > self.peak_rss:
                self.peak_rss = total
                self.at_peak = shares
            self.peak_pss = max(self.peak_pss, pss)
            if self.diag and n % 10 == 0:
                child_rss = shares.get("child", 0.0)
                if child_rss > self._diag_peak:
                    self._diag_peak = child_rss
                    with contextlib.suppress(OSError):
                        self.maps_at_peak = _maps(self.root)


def _maps(pid: int) -> dict[str, int]:
    """Rss (kB) per mapping name: which library, the heap, anonymous memory (malloc arenas)."""
    out: dict[str, int] = {}
    name = ""
    with open(f"/proc/{pid}/smaps", "rb") as f:
        for line in f:
            first = line.split(maxsplit=1)[0]
            if b"-" in first and not first.endswith(b":"):
                parts = line.split()
                name = parts[5].decode() if len(parts) > 5 else "[anon]"
            elif first == b"Rss:":
                out[name] = out.get(name, 0) + int(line.split()[1])
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:15])


def _set_line(item: str) -> str:
    """`module:NAME=VALUE` as a line run in the child before its refresh (a variant's knob)."""
    target, _, value = item.partition("=")
    module, _, name = target.partition(":")
    return (
        f"import sys; sys.path.insert(0, sys.argv[1]); import {module} as _m; _m.{name} = {value}\n"
    )


class Running:
    """A feedserver started by someone else: reset before each run, never stopped."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(self.base + path, timeout=5) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        pass


def one_run(
    ds_dir: Path,
    server: Any,
    env_extra: dict[str, str | None],
    diag: bool = False,
    sets: tuple[str, ...] = (),
) -> dict[str, Any]:
    from newstui.core.config import load_config
    from newstui.core.timefmt import utc_now
    from newstui.feeds.refresh_child import BOOT, Job

    work = Path(tempfile.mkdtemp(prefix="child-mem-"))
    try:
        data = work / "data"
        shutil.copytree(ds_dir / "data", data)
        db = data / "newstui.db"
        before = sqlite3.connect(db).execute("SELECT count(*) FROM entries").fetchone()[0]
        config = load_config(ds_dir / "feeds.toml")
        job = Job(
            db, config.settings, list(config.feeds), True, filters=tuple(config.filters),
            local_urls=[spec.url for spec in config.feeds if not spec.sync],
            clock_offset=utc_now() - utc_now(),
        )  # fmt: skip
        env = dict(os.environ)
        env.setdefault("MALLOC_ARENA_MAX", "2")  # as refreshing._start_child
        for name, value in env_extra.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        server.get("/reset")
        started = time.monotonic()
        prefix = "".join(_set_line(item) for item in sets)
        boot = [prefix + BOOT, str(ROOT)]
        if TRACE:
            boot = [TRACE_BOOT + prefix + BOOT, str(ROOT), TRACE]
        child = subprocess.Popen(
            [sys.executable, "-P", "-c", *boot], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        watch = Watch(child.pid)
        watch.diag = diag
        spy = None
        if SPY:
            spy = subprocess.Popen(
                [SPY, "record", "-p", str(child.pid), "-r", "100", "-f", "raw", "-o",
                 str(RESULTS_SPY), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        watch.start()
        assert child.stdin and child.stdout
        pickle.dump(job, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.flush()
        updates = errors = 0
        failed = None
        while True:
            kind, value = pickle.load(child.stdout)
            if kind == "update":
                updates += 1
                errors += value.status.name == "ERROR"
            elif kind in ("error", "stopped"):
                failed = value
            elif kind == "done":
                break
        wall = time.monotonic() - started
        child.stdin.close()
        _, _status, usage = os.wait4(child.pid, 0)
        if spy is not None:
            spy.wait(30)
        watch.stop.set()
        watch.join()
        after = sqlite3.connect(db).execute("SELECT count(*) FROM entries").fetchone()[0]
        worker_cpu = sum(c for pid, c in watch.cpu.items() if watch.roles.get(pid) == "worker")
        return {
            "wall_s": round(wall, 2),
            "child_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "worker_cpu_s": round(worker_cpu, 2),
            "peak_rss_mb": round(watch.peak_rss * 1024 / MB, 1),
            "peak_pss_mb": round(watch.peak_pss * 1024 / MB, 1),
            "at_peak_mb": {k: round(v, 1) for k, v in watch.at_peak.items()},
            "vmhwm_mb": {k: round(v, 1) for k, v in watch.hwm.items()},
            "child_maxrss_mb": round(usage.ru_maxrss * 1024 / MB, 1),
            "updates": updates,
            "errors": errors,
            "new_entries": after - before,
            "failed": failed,
            **({"maps_at_child_peak_kb": watch.maps_at_peak} if diag else {}),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--served", type=int, default=500)
    parser.add_argument("--diag", action="store_true", help="the child's smaps at its peak")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE (variant B)")
    parser.add_argument(
        "--set", action="append", default=[], help="module:NAME=VALUE set in variant B's child"
    )
    args = parser.parse_args()
    params = StoreParams()
    ds_dir = build_store(params)
    server: Any
    if port_is_free(params.port):
        print(f"feedserver {FEEDSERVER}: {args.served} feeds x {params.entries_per_feed}")
        server = FeedServer(params.port, args.served, params.entries_per_feed, Path(os.devnull))
    else:  # another bench's server on the store's port: used if it serves the same feeds
        server = Running(params.port)
        print(f"using the feedserver already on port {params.port}")
    variants: dict[str, dict[str, str | None]] = {"A": {}}
    if args.env or args.set:
        variants["B"] = {k: (v or None) for k, _, v in (item.partition("=") for item in args.env)}
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    try:
        for i in range(args.runs):
            for name, extra in variants.items():
                sets = tuple(args.set) if name == "B" else ()
                result = one_run(ds_dir, server, extra, args.diag, sets)
                results[name].append(result)
                print(name, i, json.dumps(result))
    finally:
        server.stop()
    for name, runs in results.items():
        med = {
            key: statistics.median(run[key] for run in runs)
            for key in ("wall_s", "child_cpu_s", "worker_cpu_s", "peak_rss_mb", "peak_pss_mb")
        }
        knobs = {**variants[name], **({"set": args.set} if name == "B" else {})}
        print(name, knobs, "median", json.dumps(med))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
