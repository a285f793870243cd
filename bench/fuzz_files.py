"""Counts for issue 10's file fuzzing: seeded mutations of feeds.toml and of a theme file, each
run through `newstui.cli.main` in-process, classified by outcome.

    python bench/fuzz_files.py [--count 256] [--seed 10]

Outcomes: `valid` (the mutation left a usable file), `path:line: problem` (one line of the
required shape), `other shape` (an error without a line, or on several lines) and `traceback`
(an exception escaped `main`). To measure another checkout, put it first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from newstui.cli import main  # as installed, or the checkout first on PYTHONPATH

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "tests" / "hostile"))
from mutations import mutations  # noqa: E402  (this checkout's, whichever newstui is measured)


def run(args: list[str]) -> tuple[object, str]:
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status: object = main(args)
    except SystemExit as exit_:
        status = exit_.code
    except BaseException as error:  # counting exactly these
        return "traceback", f"{type(error).__name__}: {str(error)[:120]}"
    return status, err.getvalue()


def fuzz(which: str, count: int, seed: int, tmp: Path) -> tuple[Counter[str], dict[str, str]]:
    base = ROOT / ("feeds.toml" if which == "config" else "themes/nord.toml")
    outcomes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for number, (kind, data) in enumerate(mutations(base.read_bytes(), count, seed)):
        if which == "config":
            path = tmp / f"c{number}.toml"
            path.write_bytes(data)
            args = ["--config", str(path), "--data-dir", str(tmp / "data"), "refresh", "zz"]
            valid = "newstui: command line: no feed matches 'zz'\n"
            shape = rf"newstui: {re.escape(str(path))}:\d+: [^\n]+\n"
        else:
            folder = tmp / f"t{number}"
            folder.mkdir()
            path = folder / "mine.toml"
            path.write_bytes(data)
            args = ["--config", str(ROOT / "feeds.toml"), "--theme-dir", str(folder), "themes"]
            valid = ""
            shape = rf"[^\n]+\n• {re.escape(str(path))}:\d+: [^\n]+\n"
        status, err = run(args)
        if status == "traceback":
            outcome = "traceback"
        elif err == valid:
            outcome = "valid"
        elif re.fullmatch(shape, err):
            outcome = "path:line: problem"
        else:
            outcome = "other shape"
        outcomes[outcome] += 1
        examples.setdefault(outcome, f"{kind}: {err.strip()[-160:]}")
    return outcomes, examples


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=256)
    parser.add_argument("--seed", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for which in ("config", "theme"):
            start = time.perf_counter()
            outcomes, examples = fuzz(which, options.count, options.seed, Path(tmp))
            took = time.perf_counter() - start
            print(f"{which}: {options.count} mutations in {took:.1f} s: {dict(outcomes)}")
            for outcome in ("traceback", "other shape"):
                if outcome in examples:
                    print(f"  e.g. {outcome}: {examples[outcome]}")


if __name__ == "__main__":
    main_()
