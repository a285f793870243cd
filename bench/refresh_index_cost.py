"""What the search index costs a cold refresh: `newstui refresh` of 500 feeds x 50 items from
the shared tools' `feedserver.py` into an empty data dir, with the index kept as a refresh keeps
it and with indexing switched off (`Store.index_pending` a no-op and the parse workers' index
columns not computed, in that process and its workers only), in the same run, alternating which
goes first. Wall and CPU (user + sys of the whole process tree: refresh_bench.py's measuring
process, a child subreaper) per run; medians and their ratios.

    .venv/bin/python bench/refresh_index_cost.py [--feeds 500] [--items 50] [--runs 3]

Target (issue 13): the cold refresh no more than 10 % slower because of the index.
Results: `bench/results/refresh-index-<time>.json`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
NO_INDEX = (
    "import sys; from newstui.store import Store; Store.index_pending = lambda self, p=None: 0;"
    # The parse workers compute each entry's own index columns (`newstui.core.rows.with_index`):
    # without the index they would not, so the workers this process starts skip it too.
    " import newstui.feeds.parse_lanes as pool;"
    " pool._BOOT = pool._BOOT.replace('from newstui.feeds',"
    " 'import newstui.core.rows as r; r.with_index = lambda rows: rows; from newstui.feeds');"
    " from newstui.cli import main; sys.argv[0] = 'newstui'; raise SystemExit(main())"
)


def start_server(tools: Path, feeds: int, items: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, str(tools / "feedserver.py"), "--port", "0", "--feeds", str(feeds),
         "--items", str(items)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        found = re.search(r"serving (http://127\.0\.0\.1:\d+)/", line)
        if found:
            return server, found.group(1)
    server.kill()
    raise RuntimeError("feedserver did not start")


def run_once(work: Path, config: Path, indexed: bool, tag: str) -> dict[str, float]:
    data = work / f"data-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    python = sys.executable
    args = ["--config", str(config), "--data-dir", str(data), "refresh"]
    cmd = [python, "-m", "newstui", *args] if indexed else [python, "-c", NO_INDEX, *args]
    out = work / f"{tag}.json"
    subprocess.run(
        [python, str(BENCH / "refresh_bench.py"), "_measure", str(out), "50",
         str(work / f"{tag}.out"), str(work / f"{tag}.err"), "--", *cmd],
        check=True, cwd=BENCH.parent,
    )  # fmt: skip
    result = json.loads(out.read_text())
    entries = _count(data / "newstui.db")
    shutil.rmtree(data)
    return {"wall_s": round(result["wall_s"], 2), "cpu_s": round(result["cpu_s"], 2),
            "entries": entries, "returncode": result["returncode"]}  # fmt: skip


def _count(db: Path) -> int:
    import sqlite3

    raw = sqlite3.connect(db)
    try:
        return raw.execute("SELECT count(*) FROM entries").fetchone()[0]
    finally:
        raw.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", type=Path, default=BENCH.parents[1] / "shared" / "tools")
    args = parser.parse_args()
    server, base = start_server(args.tools, args.feeds, args.items)
    runs: dict[str, list[dict[str, float]]] = {"indexed": [], "no index": []}
    try:
        with tempfile.TemporaryDirectory(prefix="refresh-index-") as tmp:
            work = Path(tmp)
            config = work / "feeds.toml"
            config.write_text("".join(f'[[feeds]]\nurl = "{base}/gen/{i}.xml"\n\n'
                                      for i in range(args.feeds)), "utf-8")  # fmt: skip
            for run in range(args.runs):
                order = ["indexed", "no index"] if run % 2 == 0 else ["no index", "indexed"]
                for kind in order:
                    result = run_once(work, config, kind == "indexed", f"{kind[:2]}{run}")
                    runs[kind].append(result)
                    print(f"  run {run} {kind:9} {result}", file=sys.stderr)
    finally:
        server.kill()
    summary: dict[str, object] = {"feeds": args.feeds, "items": args.items, "runs": runs}
    for key in ("wall_s", "cpu_s"):
        with_index = statistics.median(r[key] for r in runs["indexed"])
        without = statistics.median(r[key] for r in runs["no index"])
        summary[f"{key} median indexed / no index"] = [with_index, without]
        summary[f"{key} ratio"] = round(with_index / without, 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"refresh-index-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
