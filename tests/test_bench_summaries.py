"""The benchmarks' summaries: the ratios against the peer that the reports quote.

The benchmarks themselves run by hand (`bench/README.md`); these tests feed their summary code
made-up measurements and check the numbers a reader of the report would compare.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def tui_bench():
    sys.path.insert(0, str(BENCH))  # the benchmarks import their siblings (make_store)
    try:
        import tui_bench

        yield tui_bench
    finally:
        sys.path.remove(str(BENCH))


def _steps(name: str, values: list[float], field: str = "latency_ms") -> dict:
    return {"steps": [{"name": name, "samples": [{field: v} for v in values]}]}


def test_first_launch_keys_are_compared_with_the_bare_apps_keys(tui_bench) -> None:
    """The row "keys at the same first launch, no refresh" times key presses: its ratio is to
    the bare Textual app's Down, not to its launch (a word the row's name also holds)."""
    bare_run = {
        "steps": [
            {"name": "headlines", "t_launch_ms": 200.0},
            {"name": "down-1", "samples": [{"latency_ms": 10.0}]},
        ]
    }
    results = {
        "first": {
            "feeds": 3,
            "checks": [],
            "norefresh": [_steps("fkey-1", [20.0])],
            "refresh": [{"steps": [{"name": "headlines", "t_launch_ms": 600.0}]}],
        },
        "bare": {"runs": [bare_run]},
    }
    rows = {row["scenario"]: row for row in tui_bench.build_rows(results)}
    keys = rows["keys at the same first launch, no refresh"]
    assert "x bare: median 2.00, p95 2.00" in keys["note"]  # 20 ms / the bare app's 10 ms
    launch = rows["first launch → feed list on screen (with the refresh)"]
    assert "x bare: median 3.00, p95 3.00" in launch["note"]  # 600 ms / 200 ms
