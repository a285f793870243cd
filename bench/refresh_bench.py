"""The refresh benchmark: `newstui refresh` against newsboat and the network floor.

Starts the shared tools' `feedserver.py` (`--feedserver`; not in this repository) on a free
loopback port with N generated feeds x M items (500 x 50 = 69 MB by default; `--feeds 2000
--scenarios cold` is the 2,000-feed case) and runs three clients on it: newstui, newsboat 2.21,
and `httpx_floor.py`, a bare httpx fetch of the same URLs with newstui's concurrency that keeps
the validators (the floor a Python client built on httpx cannot go below). For each client,
three timed scenarios:

* cold        an empty store/cache: every feed is a 200 that is parsed and stored;
* all-304     warm, nothing changed: every feed should be a conditional request answered 304;
* 10% changed warm after `/bump?feeds=...` gave 10% of the feeds new items (200 + parse for
              those, 304 for the rest).

Between cold and all-304 each client does one extra run, the "2nd run" (timed and reported,
no target): newsboat 2.21 stores a feed's ETag/Last-Modified only once the feed already exists
in its cache, so its first run after a cold start sends no conditional headers and downloads
and parses everything again. Without that run newsboat's "all-304" would be all-200 and the
comparison would be unfair to it; newstui gets the same extra run so both start all-304 from the
same state. The server's `/stats` is read around every timed run and the request/200/304 counts
are reported, so the table itself shows that both clients really did conditional requests.

newstui runs `python -m newstui --config feeds.toml --data-dir DIR refresh` (warm runs add
`--all`, so the schedule's next-due times don't skip feeds that were fetched seconds ago) from a
snapshot of newstui/ copied when the benchmark starts (`--live` runs the working tree instead),
so edits made during a 15-minute run don't mix code versions; newsboat runs
`newsboat -u urls -c cache.db -C config -x reload` with `reload-threads 8` and HOME pointed at
a scratch directory. Runs are repeated (`--runs`, the order of the clients alternating) and
the median of each metric is reported. Before each timed run the script waits (up to
`--quiet-timeout` s) until the machine is nearly idle, and it reports the CPU time everything
else on the machine used during each run ("other CPU") so disturbed runs are visible.

Each timed command is started by a small measuring process (this file's hidden `_measure`
mode) that is a child subreaper (PR_SET_CHILD_SUBREAPER), so every descendant -- newstui's
forkserver and parse workers included, which outlive or are orphaned by the main process -- is
finally reaped by it. It reports:

* wall: from spawning the command until its main process exits;
* cpu: user+sys of the whole process tree, from getrusage(RUSAGE_CHILDREN) of the measuring
  process after it reaped every descendant (exact: a reaped child's rusage includes its own
  reaped children); the /proc-sampled sum is kept in the JSON as a cross-check;
* peak tree RSS: the largest sum of VmRSS over the main process and all its descendants,
  sampled from /proc every `--interval-ms` (20 ms); shared pages (libraries, the forkserver's
  copy-on-write pages) are counted once per process, so it errs high;
* peak tree PSS: the same sum of Pss from /proc/<pid>/smaps_rollup (shared pages divided among
  the processes sharing them), the memory the refresh really costs; read at every 5th sample
  only (`PSS_EVERY`: each read costs the kernel a page-table walk);
* main max RSS: ru_maxrss of the main process alone (os.wait4).

Then start-up (`--startup-runs`, 5): each client on a one-feed list served by a tiny server in
this process, which notes when the request arrives: spawn → first request, and the whole run;
for newstui also `refresh` right after a refresh (nothing due, no request: the cron case).

Targets (issue 15): cold <= 0.4x newsboat (<= 0.3x at 2,000 feeds), all-304 <= 1.3x the httpx
floor, 10 % changed <= 0.2x newsboat, newstui's tree RSS < 150 MB in every scenario.

    .venv/bin/python bench/refresh_bench.py                         # 500 x 50, 3 runs
    .venv/bin/python bench/refresh_bench.py --feeds 50 --runs 1     # quick smoke test
    .venv/bin/python bench/refresh_bench.py --only newstui,httpx
    .venv/bin/python bench/refresh_bench.py --feeds 2000 --scenarios cold

Results go to bench/results/refresh-<feeds>x<items>-<time>.json (raw runs + medians); the
Markdown table is printed on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
FEEDSERVER = REPO.parent / "shared" / "tools" / "feedserver.py"
"""The default `--feedserver`: the shared tools folder beside the checkout."""
DEFAULT_PYTHON = REPO / ".venv" / "bin" / "python"

CLIENTS = ("newstui", "newsboat", "httpx")
SCENARIOS = ("cold", "second", "all304", "changed")
SCENARIO_LABEL = {
    "cold": "cold (empty store)",
    "second": "2nd run after cold (untargeted)",
    "all304": "warm, nothing changed (all 304)",
    "changed": "warm, {pct}% of feeds changed",
}
# The targets of issue 15, as (scenario, reference client, largest newstui/reference wall).
TARGET_COLD = 0.4  # cold, 500 feeds: newstui wall <= 0.4 x newsboat's
TARGET_COLD_2000 = 0.3  # cold, 2,000 feeds and more: <= 0.3 x newsboat's
TARGET_304 = 1.3  # all-304: newstui wall <= 1.3 x the bare httpx fetch of the same requests
TARGET_CHANGED = 0.2  # 10 % changed: newstui wall <= 0.2 x newsboat's
TARGET_MEMORY_MB = 150.0  # newstui peak tree RSS, every scenario

NEWSTUI_CONCURRENCY = 12  # newstui's default `concurrency` setting, given to the httpx floor

PR_SET_CHILD_SUBREAPER = 36
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------------
# The measuring process: `refresh_bench.py _measure OUT.json INTERVAL_MS STDOUT STDERR -- cmd`
# ------------------------------------------------------------------------------------------


def _read_stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, utime+stime ticks, rss pages) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            data = file.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    # fields[0] is field 3 (state) of proc(5): ppid=4, utime=14, stime=15, rss=24.
    if fields[0] in (b"Z", b"X"):  # a zombie has no memory and its CPU is in our rusage
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[21])


PSS_EVERY = 5
"""Pss is read at every 5th sample (100 ms at the default period), VmRSS at every one. Reading
smaps_rollup makes the kernel walk the process's page tables (~1 ms per 50 MB process): at every
20 ms sample it cost the measuring process ~2 s of CPU per 12 s cold refresh, ~17 % of a core
taken from a client that keeps both cores busy (newsboat, on one core, did not feel it)."""


def _read_pss(pid: int) -> int:
    """Proportional set size in bytes (shared pages divided among their sharers), or 0."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as file:
            for line in file:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _short_cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            args = file.read().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode(errors="replace") for a in args if a)
    for marker in ("forkserver", "resource_tracker", "spawn_main"):
        if marker in text:
            return f"{Path(args[0].decode(errors='replace')).name} ({marker})"
    return text[:80]


def _busy_seconds() -> float:
    """CPU time the whole machine spent busy (all processes, all cores) since boot."""
    with open("/proc/stat") as file:
        fields = [int(x) for x in file.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def _measure(out: str, interval_ms: float, stdout: str, stderr: str, cmd: list[str]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    me = os.getpid()
    before = {int(name) for name in os.listdir("/proc") if name.isdigit()}
    interval = interval_ms / 1000
    tree: set[int] = set()  # every descendant seen so far
    cpu_ticks: dict[int, int] = {}  # last sampled utime+stime per descendant
    peak_rss = peak_pss = peak_procs = samples = 0
    peak_breakdown: list[tuple[str, float]] = []
    peak_rss_main_alive = 0

    def sample() -> None:
        nonlocal peak_rss, peak_pss, peak_procs, samples, peak_breakdown
        stats: dict[int, tuple[int, int, int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) not in before:
                stat = _read_stat(int(name))
                if stat is not None:
                    stats[int(name)] = stat
        grew = True
        while grew:  # parents may be listed after their children
            grew = False
            for pid, (ppid, _, _) in stats.items():
                if pid not in tree and (ppid == me or ppid in tree):
                    tree.add(pid)
                    grew = True
        rss = pss = procs = 0
        members = [pid for pid in stats if pid in tree]
        for pid in members:
            _, ticks, pages = stats[pid]
            cpu_ticks[pid] = ticks
            rss += pages * PAGE
            if samples % PSS_EVERY == 0:
                pss += _read_pss(pid)
            procs += 1
        if rss > peak_rss:
            peak_rss = rss
            peak_breakdown = [
                (_short_cmdline(pid), stats[pid][2] * PAGE / 2**20) for pid in members
            ]
        peak_pss = max(peak_pss, pss)
        peak_procs = max(peak_procs, procs)
        samples += 1

    load = os.getloadavg()[0]
    with open(stdout, "wb") as out_file, open(stderr, "wb") as err_file:
        busy = _busy_seconds()
        spawned = time.monotonic()  # system-wide clock: compared with the start-up server's
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file)
        tree.add(proc.pid)
        while True:
            pid, status, main_usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                wall = time.perf_counter() - start
                break
            sample()
            peak_rss_main_alive = peak_rss
            time.sleep(interval)
        # Reap what is left (newstui's forkserver exits once the main process is gone).
        deadline = time.monotonic() + 30
        leftovers = 0
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                continue
            if time.monotonic() > deadline:
                for pid in tree:  # our own descendants only, by pid
                    with contextlib.suppress(OSError):
                        os.kill(pid, 9)
                        leftovers += 1
                deadline = time.monotonic() + 30
            sample()
            time.sleep(interval)
        tree_wall = time.perf_counter() - start
        busy = _busy_seconds() - busy
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "cmd": cmd,
        "returncode": os.waitstatus_to_exitcode(status),
        "wall_s": wall,
        "spawned_monotonic": spawned,
        "tree_wall_s": tree_wall,
        "cpu_s": children.ru_utime + children.ru_stime,
        "cpu_user_s": children.ru_utime,
        "cpu_sys_s": children.ru_stime,
        "cpu_sampled_s": sum(cpu_ticks.values()) / CLOCK_TICKS,
        "main_cpu_s": main_usage.ru_utime + main_usage.ru_stime,
        "main_maxrss_mb": main_usage.ru_maxrss / 1024,
        "largest_process_maxrss_mb": children.ru_maxrss / 1024,
        "peak_tree_rss_mb": peak_rss / 2**20,
        "peak_tree_rss_main_alive_mb": peak_rss_main_alive / 2**20,
        "peak_tree_pss_mb": peak_pss / 2**20,
        "peak_rss_breakdown_mb": peak_breakdown,
        "max_processes": peak_procs,
        "processes_seen": len(tree),
        "samples": samples,
        "killed_leftovers": leftovers,
        "machine_busy_s": busy,
        "sampler_cpu_s": own.ru_utime + own.ru_stime,
        "loadavg_1min_before": load,
    }
    Path(out).write_text(json.dumps(result, indent=1))


def wait_for_quiet(max_cores: float, timeout: float) -> tuple[float, float]:
    """Wait (up to `timeout` s) until the machine's other load over 0.5 s is below `max_cores`
    busy cores, so a timed run doesn't start while another job hogs the CPUs.
    Returns (busy cores in the last 0.5 s, seconds waited)."""
    start = time.monotonic()
    while True:
        before = _busy_seconds()
        time.sleep(0.5)
        cores = (_busy_seconds() - before) / 0.5
        waited = time.monotonic() - start
        if max_cores <= 0 or cores <= max_cores or waited >= timeout:
            return cores, waited


def measure(
    cmd: list[str], *, log_dir: Path, tag: str, interval_ms: float, env: dict[str, str], cwd: Path
) -> dict:
    """Run `cmd` in `cwd` under a fresh measuring process; its stdout/stderr land in `log_dir`."""
    out = log_dir / f"{tag}.measure.json"
    stdout, stderr = log_dir / f"{tag}.out", log_dir / f"{tag}.err"
    args = [sys.executable, str(Path(__file__).resolve()), "_measure", str(out), str(interval_ms)]
    subprocess.run([*args, str(stdout), str(stderr), "--", *cmd], env=env, cwd=cwd, check=True)
    result = json.loads(out.read_text())
    result["stdout_tail"] = stdout.read_text(errors="replace")[-400:]
    result["stderr_tail"] = stderr.read_text(errors="replace")[-400:]
    return result


# ------------------------------------------------------------------------------------------
# The feed server
# ------------------------------------------------------------------------------------------


class FeedServer:
    def __init__(self, script: Path, feeds: int, items: int, fmt: str, log_dir: Path) -> None:
        self.log_path = log_dir / "feedserver.log"
        self.log = self.log_path.open("wb")
        cmd = [sys.executable, str(script), "--port", "0", "--feeds", str(feeds)]
        cmd += ["--items", str(items), "--format", fmt]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 120
        while True:
            text = self.log_path.read_text(errors="replace")
            found = re.search(r"serving (http://127\.0\.0\.1:\d+)/", text)
            if found:
                self.base = found.group(1)
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise SystemExit(f"feedserver did not start:\n{text}")
            time.sleep(0.05)
        self.pregenerated = text.splitlines()[0] if text else ""
        self.get("/stats")  # answers?

    def get(self, path: str) -> tuple[dict, int]:
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            body = response.read()
        return json.loads(body), len(body)

    def reset_stats(self) -> int:
        return self.get("/stats?reset=1")[1]

    def stats_since_reset(self, reset_bytes: int) -> dict:
        """Counters since `reset_stats()`, minus the reset request itself (a 200 it counted)."""
        stats, _ = self.get("/stats")
        status = dict(stats["status"])
        status["200"] = status.get("200", 0) - 1
        return {
            "requests": stats["requests"] - 1,
            "status": {k: v for k, v in status.items() if v},
            "conditional_etag": stats["conditional_etag"],
            "conditional_date": stats["conditional_date"],
            "bytes": stats["bytes"] - reset_bytes,
            "server_cpu_s": stats["server_cpu_s"],
        }

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ------------------------------------------------------------------------------------------
# The clients
# ------------------------------------------------------------------------------------------


class Client:
    name = ""

    def __init__(self, work: Path, base: str, feeds: int) -> None:
        self.work = work
        self.urls = [f"{base}/gen/{i}.xml" for i in range(feeds)]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTUI_")}

    def fresh(self) -> None:
        """Start over with an empty store/cache."""
        shutil.rmtree(self.work / "data", ignore_errors=True)
        (self.work / "data").mkdir(parents=True)

    def command(self, warm: bool) -> list[str]:
        raise NotImplementedError

    def check(self, result: dict) -> str | None:
        """A problem with a run's output, if any."""
        if result["returncode"] != 0:
            return f"exit status {result['returncode']}: {result['stderr_tail']}"
        return None

    def store_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.work / "data").rglob("*") if p.is_file())


class Newstui(Client):
    name = "newstui"

    def __init__(self, work: Path, base: str, feeds: int, python: str, code: Path | None) -> None:
        super().__init__(work, base, feeds)
        self.python = python
        if code is not None:  # run the snapshot, not the (live) editable install
            self.env["PYTHONPATH"] = str(code)
        work.mkdir(parents=True, exist_ok=True)
        self.config = work / "feeds.toml"
        lines = ["# generated by bench/refresh_bench.py; every setting is newstui's default", ""]
        for url in self.urls:
            lines += ["[[feeds]]", f'url = "{url}"', ""]
        self.config.write_text("\n".join(lines))

    def command(self, warm: bool) -> list[str]:
        cmd = [self.python, "-m", "newstui", "--config", str(self.config)]
        cmd += ["--data-dir", str(self.work / "data")]
        return [*cmd, "refresh", *(["--all"] if warm else [])]

    def check(self, result: dict) -> str | None:
        problem = super().check(result)
        if problem:
            return problem
        summary = re.search(r"Refreshed (\d+) feeds .*?(\d+) errors", result["stdout_tail"])
        if not summary:
            return f"no summary line in the output: {result['stdout_tail']!r}"
        if int(summary.group(1)) != len(self.urls) or int(summary.group(2)):
            return f"unexpected summary: {summary.group(0)}"
        return None


class Newsboat(Client):
    name = "newsboat"

    def __init__(self, work: Path, base: str, feeds: int, executable: str, threads: int) -> None:
        super().__init__(work, base, feeds)
        self.executable = executable
        work.mkdir(parents=True, exist_ok=True)
        (work / "urls").write_text("".join(f"{url}\n" for url in self.urls))
        (work / "config").write_text(f"reload-threads {threads}\n")
        (work / "home").mkdir(exist_ok=True)
        self.env["HOME"] = str(work / "home")  # newsboat creates ~/.newsboat; keep it here
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
            self.env.pop(name, None)

    def command(self, warm: bool) -> list[str]:
        cmd = [self.executable, "-u", str(self.work / "urls"), "-C", str(self.work / "config")]
        return [*cmd, "-c", str(self.work / "data" / "cache.db"), "-x", "reload"]

    def check(self, result: dict) -> str | None:
        problem = super().check(result)
        if problem is None and result["stderr_tail"].strip():
            return f"stderr: {result['stderr_tail']}"
        return problem


class HttpxFloor(Client):
    """`httpx_floor.py`: the same URLs fetched by bare httpx with newstui's concurrency,
    validators kept between runs (so its warm runs send the same conditional requests)."""

    name = "httpx"

    def __init__(self, work: Path, base: str, feeds: int, python: str, concurrency: int) -> None:
        super().__init__(work, base, feeds)
        self.python = python
        self.concurrency = concurrency
        work.mkdir(parents=True, exist_ok=True)
        (work / "urls").write_text("".join(f"{url}\n" for url in self.urls))

    def command(self, warm: bool) -> list[str]:
        cmd = [self.python, str(HERE / "httpx_floor.py"), "--urls", str(self.work / "urls")]
        return [*cmd, "--state", str(self.work / "data" / "validators.json"),
                "--concurrency", str(self.concurrency)]  # fmt: skip

    def check(self, result: dict) -> str | None:
        problem = super().check(result)
        if problem:
            return problem
        if f"fetched {len(self.urls)}:" not in result["stdout_tail"]:
            return f"unexpected output: {result['stdout_tail']!r}"
        return None


# ------------------------------------------------------------------------------------------
# Start-up: a one-feed list, timed to the first request
# ------------------------------------------------------------------------------------------

_TINY_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
    b"<link>http://127.0.0.1/</link><description>d</description><item><title>one</title>"
    b"<link>http://127.0.0.1/1</link><guid>1</guid>"
    b"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>\n"
)


class StartupServer:
    """A loopback server of one tiny feed (ETag "1"; 304 to a matching If-None-Match) that
    notes when each request arrives, on the clock `_measure` notes the spawn on."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        arrivals = self.arrivals = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                arrivals.append(time.monotonic())
                if self.headers.get("If-None-Match") == '"1"':
                    self.send_response(304)
                    self.send_header("ETag", '"1"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", '"1"')
                self.send_header("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
                self.send_header("Content-Length", str(len(_TINY_FEED)))
                self.end_headers()
                self.wfile.write(_TINY_FEED)

            def log_message(self, *args: object) -> None:
                pass

        import threading

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def measure_startup(
    made: dict, clients: list[str], opts: argparse.Namespace, base: str, arrivals: list[float]
) -> dict[str, dict]:
    """Per client, `--startup-runs` runs on a one-feed list after two untimed ones: the time
    from spawning the command to its first request, and the whole run. newstui also without
    `--all` right after a refresh: nothing is due, no request (the cron case)."""
    variants = [(name, True) for name in clients]
    if "newstui" in clients:
        variants.append(("newstui", False))
    out: dict[str, dict] = {}
    for name, warm in variants:
        client = made[name](base)
        client.fresh()
        label = name if warm else "newstui (nothing due)"
        runs = []
        for run in range(-2, opts.startup_runs):
            wait_for_quiet(opts.quiet_cores, min(opts.quiet_timeout, 10))
            arrivals.clear()
            result = measure(
                client.command(warm=warm or run < 0),
                log_dir=opts.log_dir,
                tag=f"startup-{label.split()[0]}-{'due' if warm else 'idle'}-{run}",
                interval_ms=opts.interval_ms,
                env=client.env,
                cwd=client.work,
            )
            if result["returncode"] != 0:
                print(f"  !! start-up {label}: {result['stderr_tail']}", file=sys.stderr)
            if run < 0:
                continue
            first = arrivals[0] - result["spawned_monotonic"] if arrivals else None
            runs.append(
                {
                    "first_request_ms": first * 1000 if first is not None else None,
                    "wall_ms": result["wall_s"] * 1000,
                    "cpu_ms": result["cpu_s"] * 1000,
                    "requests": len(arrivals),
                    "peak_tree_rss_mb": result["peak_tree_rss_mb"],
                }
            )
        firsts = [r["first_request_ms"] for r in runs if r["first_request_ms"] is not None]
        out[label] = {
            "first_request_ms": statistics.median(firsts) if firsts else None,
            "wall_ms": statistics.median(r["wall_ms"] for r in runs),
            "cpu_ms": statistics.median(r["cpu_ms"] for r in runs),
            "requests": statistics.median(r["requests"] for r in runs),
            "peak_tree_rss_mb": statistics.median(r["peak_tree_rss_mb"] for r in runs),
            "runs": runs,
        }
        print(
            f"  start-up {label:<22} first request {out[label]['first_request_ms'] or 0:6.0f} ms"
            f"  whole run {out[label]['wall_ms']:6.0f} ms",
            file=sys.stderr,
            flush=True,
        )
    return out


def startup_table(startup: dict[str, dict]) -> str:
    lines = [
        "| one feed | spawn → first request ms | whole run ms | CPU ms | requests | tree RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for label, m in startup.items():
        first = f"{m['first_request_ms']:.0f}" if m["first_request_ms"] is not None else "—"
        lines.append(
            f"| {label} | {first} | {m['wall_ms']:.0f} | {m['cpu_ms']:.0f} "
            f"| {m['requests']:g} | {m['peak_tree_rss_mb']:.1f} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# The benchmark
# ------------------------------------------------------------------------------------------


def run_client(
    client: Client, server: FeedServer, *, run: int, changed: list[int], opts: argparse.Namespace
) -> dict:
    server.get("/reset")
    client.fresh()
    results: dict[str, dict] = {}
    for scenario in opts.scenarios:
        if scenario == "changed":
            server.get("/bump?feeds=" + ",".join(map(str, changed)))
        quiet = wait_for_quiet(opts.quiet_cores, opts.quiet_timeout)
        reset_bytes = server.reset_stats()
        tag = f"run{run}-{client.name}-{scenario}"
        result = measure(
            client.command(warm=scenario != "cold"),
            log_dir=opts.log_dir,
            tag=tag,
            interval_ms=opts.interval_ms,
            env=client.env,
            cwd=client.work,  # not the repo: `python -m` puts the cwd first on sys.path
        )
        result["server"] = server.stats_since_reset(reset_bytes)
        result["busy_cores_before"], result["waited_for_quiet_s"] = quiet
        # Busy CPU of everything else on the machine meanwhile (other jobs, this script's
        # sampling): a large value means the run was disturbed.
        other = result["machine_busy_s"] - result["cpu_s"] - result["server"]["server_cpu_s"]
        other -= result["sampler_cpu_s"]
        result["other_cpu_s"] = other
        result["store_mb"] = client.store_bytes() / 2**20
        problem = client.check(result)
        if problem:
            result["problem"] = problem
            print(f"  !! {tag}: {problem}", file=sys.stderr)
        server_status = result["server"]["status"]
        print(
            f"  run {run} {client.name:<8} {scenario:<7} wall {result['wall_s']:7.2f} s  "
            f"cpu {result['cpu_s']:7.2f} s  tree RSS {result['peak_tree_rss_mb']:6.1f} MB  "
            f"server {result['server']['requests']} req {server_status} "
            f"(server cpu {result['server']['server_cpu_s']:.2f} s, other {other:.2f} s)",
            file=sys.stderr,
            flush=True,
        )
        results[scenario] = result
    return results


def medians(runs: list[dict]) -> dict:
    keys = ("wall_s", "cpu_s", "peak_tree_rss_mb", "peak_tree_pss_mb", "main_maxrss_mb")
    keys += ("largest_process_maxrss_mb",)
    out: dict = {k: statistics.median(r[k] for r in runs) for k in (*keys, "other_cpu_s")}
    for key in ("requests", "conditional_etag", "conditional_date", "server_cpu_s"):
        out[key] = statistics.median(r["server"][key] for r in runs)
    for code in ("200", "304"):
        out[code] = statistics.median(r["server"]["status"].get(code, 0) for r in runs)
    out["best_wall_s"] = min(r["wall_s"] for r in runs)
    out["wall_runs"] = [r["wall_s"] for r in runs]  # in run order: pairs with the peer's run
    out["runs"] = len(runs)
    out["problems"] = [r["problem"] for r in runs if "problem" in r]
    return out


def table(summary: dict, clients: list[str], pct: int, scenarios: list[str]) -> str:
    head = "| scenario | client | wall s | CPU s | peak tree RSS MB | peak tree PSS MB "
    head += "| main max RSS MB "
    head += "| requests | 200 | 304 | conditional | server CPU s | other CPU s |"
    lines = [head, "|" + "---|" * 13]
    for scenario in scenarios:
        for name in clients:
            m = summary[name][scenario]
            label = SCENARIO_LABEL[scenario].format(pct=pct)
            lines.append(
                f"| {label} | {name} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} "
                f"| {m['peak_tree_rss_mb']:.1f} | {m['peak_tree_pss_mb']:.1f} "
                f"| {m['main_maxrss_mb']:.1f} "
                f"| {m['requests']:g} | {m['200']:g} | {m['304']:g} | {m['conditional_etag']:g} "
                f"| {m['server_cpu_s']:.2f} | {m['other_cpu_s']:.2f} |"
            )
    return "\n".join(lines)


def targets(summary: dict, feeds: int, pct: int) -> tuple[str, dict]:
    """Issue 15's verdicts: each timed scenario against its reference client, and memory."""
    ours = summary.get("newstui")
    cold_target = TARGET_COLD_2000 if feeds >= 2000 else TARGET_COLD
    checks = (
        ("cold", "newsboat", cold_target),
        ("all304", "httpx", TARGET_304),
        ("all304", "newsboat", None),
        ("changed", "newsboat", TARGET_CHANGED),
    )
    lines, verdicts = [], {}
    for scenario, reference, target in checks:
        theirs = summary.get(reference)
        if not ours or not theirs or scenario not in ours:
            continue
        wall = ours[scenario]["wall_s"] / theirs[scenario]["wall_s"]
        # The best run's own ratio: each run of ours is timed next to the peer's run of the
        # same number (same load). Dividing our fastest run by the peer's fastest, taken from
        # another run, gave a "best" worse than the median (all-304: 1.22x against 1.06x).
        best = min(
            mine / peer
            for mine, peer in zip(
                ours[scenario]["wall_runs"], theirs[scenario]["wall_runs"], strict=True
            )
        )
        cpu = ours[scenario]["cpu_s"] / theirs[scenario]["cpu_s"]
        verdict = {"wall_ratio": wall, "best_wall_ratio": best, "cpu_ratio": cpu}
        text = (
            f"- {SCENARIO_LABEL[scenario].format(pct=pct)}: newstui/{reference} wall = {wall:.2f}x"
        )
        if target is not None:
            verdict |= {"target": target, "ok": wall <= target}
            text += f" (target <= {target}x) **{'met' if wall <= target else 'MISSED'}**"
        text += f"; best-of-runs {best:.2f}x; CPU ratio {cpu:.2f}x"
        verdicts[f"{scenario}/{reference}"] = verdict
        lines.append(text)
    if ours:
        peak = max(m["peak_tree_rss_mb"] for m in ours.values())
        pss = max(m["peak_tree_pss_mb"] for m in ours.values())
        ok = peak < TARGET_MEMORY_MB
        verdicts["memory"] = {
            "peak_tree_rss_mb": peak,
            "peak_tree_pss_mb": pss,
            "target": TARGET_MEMORY_MB,
            "ok": ok,
            "ok_by_pss": pss < TARGET_MEMORY_MB,
        }
        lines.append(
            f"- newstui peak tree RSS (any scenario) = {peak:.1f} MB (target < "
            f"{TARGET_MEMORY_MB:g} MB) **{'met' if ok else 'MISSED'}**; counted as PSS "
            f"(shared pages split between processes) {pss:.1f} MB"
        )
    return "\n".join(lines), verdicts


def _output(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO).stdout.strip()
    except OSError as exc:
        return f"unavailable: {exc}"


def code_state(root: Path = REPO) -> dict:
    """Which newstui code: git HEAD, uncommitted changes and a digest of the sources in
    `root`/newstui (the working tree, or the benchmark's snapshot of it)."""
    digest = hashlib.sha256()
    for path in sorted((root / "newstui").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return {
        "git_head": _output(["git", "rev-parse", "HEAD"]),
        "git_status_newstui": _output(["git", "status", "--short", "--", "newstui"]).splitlines(),
        "newstui_digest": digest.hexdigest()[:16],
    }


def environment(opts: argparse.Namespace, server: FeedServer) -> dict:
    output = _output
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "newstui": output([opts.python, "-m", "newstui", "--version"]),
        "newsboat": output([opts.newsboat, "--version"]).splitlines()[0:1],
        "feedserver": server.pregenerated,
    }


def _names(allowed: tuple[str, ...]):
    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {','.join(allowed)}")
        return [name for name in allowed if name in names]  # in the canonical order

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500, help="generated feeds (default 500)")
    parser.add_argument("--items", type=int, default=50, help="items per feed (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (3); medians are reported")
    parser.add_argument(
        "--only",
        type=_names(CLIENTS),
        help=f"comma-separated clients to benchmark (default all: {','.join(CLIENTS)})",
    )
    parser.add_argument(
        "--scenarios",
        type=_names(SCENARIOS),
        default=list(SCENARIOS),
        help="comma-separated scenarios, always the first ones of "
        f"{','.join(SCENARIOS)} (e.g. cold for the 2,000-feed case)",
    )
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=5,
        help="start-up measurements per client on a one-feed list (5; 0 = skip)",
    )
    parser.add_argument("--changed", type=float, default=0.1, help="fraction bumped (0.1)")
    parser.add_argument("--format", choices=("rss", "atom", "mixed"), default="rss")
    parser.add_argument("--threads", type=int, default=8, help="newsboat reload-threads (8)")
    parser.add_argument("--interval-ms", type=float, default=20.0, help="/proc sampling period")
    parser.add_argument(
        "--quiet-cores",
        type=float,
        default=0.3,
        help="before each timed run wait until the machine uses fewer busy cores than this "
        "(0.3; 0 = don't wait)",
    )
    parser.add_argument("--quiet-timeout", type=float, default=60, help="...at most this long")
    parser.add_argument(
        "--python", default=str(DEFAULT_PYTHON), help="the venv's python (runs -m newstui)"
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the working tree's newstui instead of a snapshot copied at the start",
    )
    parser.add_argument("--newsboat", default=shutil.which("newsboat") or "newsboat")
    parser.add_argument(
        "--feedserver", type=Path, default=FEEDSERVER, help="feedserver.py (default: %(default)s)"
    )
    parser.add_argument("--workdir", help="scratch directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--json", help="results file (default bench/results/refresh-<feeds>x<items>-<time>.json)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    clients = opts.only or list(CLIENTS)
    if opts.scenarios != list(SCENARIOS[: len(opts.scenarios)]):
        raise SystemExit(f"--scenarios must be the first of {','.join(SCENARIOS)}")
    if "newsboat" in clients and not shutil.which(opts.newsboat):
        raise SystemExit("newsboat not found (apt-get install newsboat) -- or use --only newstui")
    if not opts.feedserver.is_file():
        raise SystemExit(f"{opts.feedserver} not found: pass --feedserver PATH")
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="refresh-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    opts.log_dir = work / "logs"
    opts.log_dir.mkdir(exist_ok=True)
    pct = round(opts.changed * 100)
    print(f"{opts.feeds} feeds x {opts.items} items; scratch dir {work}", file=sys.stderr)
    server = FeedServer(opts.feedserver, opts.feeds, opts.items, opts.format, opts.log_dir)
    try:
        print(f"  {server.pregenerated} at {server.base}", file=sys.stderr)
        code_before = code_state()
        snapshot = None
        if not opts.live:
            # Others may edit newstui/ during a long run: benchmark a frozen copy of it.
            snapshot = work / "code"
            shutil.copytree(
                REPO / "newstui",
                snapshot / "newstui",
                ignore=shutil.ignore_patterns("__pycache__"),
                dirs_exist_ok=True,
            )
            code_before["newstui_digest"] = code_state(snapshot)["newstui_digest"]
            # Bytecode, as `pip install` writes it: without it (and this machine sets
            # PYTHONDONTWRITEBYTECODE) every run would compile every module it imports.
            subprocess.run(
                [opts.python, "-m", "compileall", "-q", str(snapshot / "newstui")], check=True
            )
        made = {
            "newstui": lambda sub, base, feeds: Newstui(
                work / sub, base, feeds, opts.python, snapshot
            ),
            "newsboat": lambda sub, base, feeds: Newsboat(
                work / sub, base, feeds, opts.newsboat, opts.threads
            ),
            "httpx": lambda sub, base, feeds: HttpxFloor(
                work / sub, base, feeds, opts.python, NEWSTUI_CONCURRENCY
            ),
        }
        instances = {name: made[name](name, server.base, opts.feeds) for name in clients}
        if "newstui" in instances:
            probe = [opts.python, "-c", "import newstui; print(newstui.__file__)"]
            imported = subprocess.run(
                probe,
                env=instances["newstui"].env,
                cwd=instances["newstui"].work,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if snapshot is not None and not imported.startswith(str(snapshot)):
                raise SystemExit(f"the snapshot is not what runs: newstui from {imported}")
            code_before["imported_from"] = imported
        raw: dict[str, list[dict]] = {name: [] for name in clients}
        count = max(1, round(opts.changed * opts.feeds))
        for run in range(1, opts.runs + 1):
            # The same changed feeds for both clients within a run, different ones per run.
            changed = sorted(random.Random(f"refresh-bench:{run}").sample(range(opts.feeds), count))
            order = clients if run % 2 else clients[::-1]
            for name in order:
                raw[name].append(
                    run_client(instances[name], server, run=run, changed=changed, opts=opts)
                )
        startup: dict[str, dict] = {}
        if opts.startup_runs > 0:
            tiny = StartupServer()
            try:
                one_feed = {
                    name: partial(make, f"startup-{name}", feeds=1) for name, make in made.items()
                }
                startup = measure_startup(one_feed, clients, opts, tiny.base, tiny.arrivals)
            finally:
                tiny.close()
        env = environment(opts, server)
        env["code"], env["tree_after"] = code_before, code_state()
    finally:
        server.close()
    summary = {
        name: {s: medians([r[s] for r in raw[name]]) for s in opts.scenarios} for name in clients
    }
    verdict_text, verdicts = targets(summary, opts.feeds, pct)
    title = f"{opts.feeds} feeds x {opts.items} items, median of {opts.runs} run(s)"
    code = env["code"]
    report = f"### Refresh benchmark: {title}\n\n"
    report += f"newstui at {code['git_head'][:10]}"
    report += " plus uncommitted changes" if code["git_status_newstui"] else ""
    report += "" if opts.live else f" (snapshot {code['newstui_digest']})"
    report += f", {env['newsboat'][0] if env['newsboat'] else 'newsboat ?'}, {env['cpus']} CPUs\n\n"
    report += f"{table(summary, clients, pct, opts.scenarios)}\n\n{verdict_text}\n"
    if startup:
        report += f"\nStart-up, median of {opts.startup_runs}:\n\n{startup_table(startup)}\n"
    if opts.live and code["newstui_digest"] != env["tree_after"]["newstui_digest"]:
        report += (
            "\n**Warning: newstui's source changed while the benchmark ran "
            f"({code['git_head'][:10]} -> {env['tree_after']['git_head'][:10]}); "
            "the runs measured different code. Run it again (without --live).**\n"
        )
    print(report)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(opts.json or RESULTS / f"refresh-{opts.feeds}x{opts.items}-{stamp}.json")
    options = {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()}
    document = {
        "options": options,
        "environment": env,
        "summary": summary,
        "targets": verdicts,
        "runs": raw,
        "startup": startup,
        "report": report,
    }
    path.write_text(json.dumps(document, indent=1))
    print(f"results: {path}", file=sys.stderr)
    if not opts.keep and not opts.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_measure":
        out, interval_ms, stdout, stderr, separator, *command = sys.argv[2:]
        assert separator == "--", "usage: _measure OUT INTERVAL_MS STDOUT STDERR -- CMD..."
        _measure(out, float(interval_ms), stdout, stderr, command)
    else:
        sys.exit(main())
