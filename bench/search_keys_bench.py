"""Typing in the reader's `/` search field on the benchmark store (100,000 entries, 2,000 feeds),
measured with the shared tools' `tuiprobe.py` in tmux at 120x40, against Down in the headline
list (no search) in the same process and run.

Each run launches the reader on a copy of `make_store.py`'s store (opened once beforehand, so
no migration is timed), moves Down 20 times (the peer: a key with no search), opens `/` and
types `climate`, `kernel` and `vaccine` letter by letter, each erased again with Backspace;
after every other letter it pauses 180 ms, past the search's debounce, so the next key arrives
while that query runs on its thread and its results are drawn. Every key is timed from
send-keys to the first screen change (its echo in the field; a Down: the moved highlight).

    .venv/bin/python bench/search_keys_bench.py [--runs 3] [--tools ../shared/tools]

Target (issue 13): typing keeps key latency under 60 ms p95. Results:
`bench/results/search-keys-<time>.json` (and every tuiprobe output next to it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_store import DB_NAME, RESULTS, StoreParams, build_store

from newstui.store import Store

WORDS = ("climate", "kernel", "vaccine")
DOWNS = 20
PAUSE_MS = 180


def scenario(config: Path, data: Path) -> dict[str, object]:
    python = Path(sys.executable)
    steps: list[dict[str, object]] = [
        {"wait_for": "All unread", "name": "launch", "timeout": 60},
        {"sleep": 2500},  # the saved views' first count and the index catch-up, after launch
        {"quiet": 300},
    ]
    steps += [{"measure": "Down", "name": f"down-{i:02d}", "timeout": 5} for i in range(DOWNS)]
    steps += [{"keys": "/"}, {"quiet": 300}]
    n = 0
    for word in WORDS:
        for char in word:
            steps.append({"measure": char, "name": f"type-{n:03d}", "timeout": 5})
            n += 1
            if n % 2 == 0:
                steps.append({"sleep": PAUSE_MS})
        steps += [{"sleep": 400}, {"capture": f"results-{word}"}]
        for _ in word:
            steps.append({"measure": "BSpace", "name": f"type-{n:03d}", "timeout": 5})
            n += 1
            if n % 2 == 0:
                steps.append({"sleep": PAUSE_MS})
    steps += [{"keys": "Escape"}, {"sleep": 500}, {"keys": "q"}, {"wait_exit": True, "timeout": 10}]
    return {
        "name": "search-keys",
        "cmd": f"exec {python} -m newstui --config {config} --data-dir {data}",
        "steps": steps,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _latencies(result: dict, prefix: str) -> list[float]:
    runs = result.get("runs", [result])
    return [
        sample["latency_ms"]
        for run in runs
        for step in run["steps"]
        if step.get("name", "").startswith(prefix)
        for sample in step.get("samples", [])
        if sample.get("latency_ms") is not None
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", type=Path, default=Path(__file__).resolve().parents[2] /
                        "shared" / "tools")  # fmt: skip
    args = parser.parse_args()
    store = build_store(StoreParams())
    out = RESULTS / f"search-keys-{time.strftime('%Y%m%d-%H%M%S')}"
    data = out / "data"
    data.mkdir(parents=True)
    shutil.copy(store / "data" / DB_NAME, data / DB_NAME)
    Store(data / DB_NAME).close()  # any migration now, not in a measured launch
    path = out / "scenario.json"
    path.write_text(json.dumps(scenario(store / "feeds.toml", data), indent=1), "utf-8")
    proc = subprocess.run(
        [sys.executable, str(args.tools / "tuiprobe.py"), "run", "--scenario", str(path),
         "--runs", str(args.runs), "--term", "xterm-256color", "--size", "120x40",
         "--settle", "output", "--quiet-ms", "30", "--out", str(out / "probe")],
        capture_output=True, text=True,
    )  # fmt: skip
    (out / "tuiprobe.stdout").write_text(proc.stdout + proc.stderr, "utf-8")
    result_file = out / "probe" / "result.json"
    if not result_file.exists():
        print(proc.stdout, proc.stderr, file=sys.stderr)
        return 1
    result = json.loads(result_file.read_text("utf-8"))
    typed, downs = _latencies(result, "type-"), _latencies(result, "down-")
    summary = {
        "runs": args.runs,
        "typing_keys": len(typed),
        "typing_median_ms": round(statistics.median(typed), 1),
        "typing_p95_ms": round(_p95(typed), 1),
        "typing_max_ms": round(max(typed), 1),
        "down_keys": len(downs),
        "down_median_ms": round(statistics.median(downs), 1),
        "down_p95_ms": round(_p95(downs), 1),
        "host_busy_pct": [run.get("host_busy_pct") for run in result.get("runs", [result])],
    }
    shutil.rmtree(data)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    print(json.dumps(summary, indent=2))
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
