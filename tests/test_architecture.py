"""Import rules a user feels: `newstui refresh` from cron must not pay for (or depend on) the
TUI toolkit, and merely importing newstui must not litter their home directory.

Each check runs in a fresh interpreter, because this test process has long since imported
whatever other tests needed.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli

HEADLESS_MODULES = (
    "newstui.feeds.refresh",
    "newstui.store",
    "newstui.feeds.parse",
    "newstui.cli",
    "newstui.commands.report",
)
REPO = Path(__file__).resolve().parents[1]


def run_python(code: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def isolated_env(home: Path) -> dict[str, str]:
    """HOME and every XDG directory inside `home`, nothing else inherited that could point out."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(REPO),
    }
    return env


@pytest.mark.slow
def test_headless_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in HEADLESS_MODULES)
        + "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    assert run_python(code, cwd=REPO).strip() == "[]"


@pytest.mark.slow
def test_importing_newstui_creates_no_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    code = (
        "import newstui, newstui.core.paths, newstui.core.config, newstui.store,"
        " newstui.feeds.refresh, newstui.cli, newstui.commands.report\n"
        "print(newstui.__version__)\n"
    )
    out = run_python(code, env=isolated_env(home), cwd=workdir)
    assert out.strip()
    assert list(home.rglob("*")) == []
    assert list(workdir.rglob("*")) == []


def test_every_layer_but_the_ui_is_kept_from_textual() -> None:
    """The Textual rule names packages, not modules: a subpackage added later must be named
    in it (or be the UI), else the rule would silently not cover it."""
    contracts = tomli.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    [rule] = [c for c in contracts["contracts"] if c.get("forbidden_modules") == ["textual"]]
    packages = {
        f"newstui.{p.name}" for p in (REPO / "newstui").iterdir() if (p / "__init__.py").is_file()
    }
    assert set(rule["source_modules"]) == packages - {"newstui.ui"}
    [layers] = [c for c in contracts["contracts"] if c["type"] == "layers"]
    layered = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    modules = {
        f"newstui.{p.stem}"
        for p in (REPO / "newstui").glob("*.py")
        if p.stem not in ("__init__", "__main__")
    }
    assert packages | modules == layered


def test_the_readers_modules_start_no_process_pool() -> None:
    """The reader's refresh runs in a process of its own started by newstui.feeds.refresh_child,
    never in a process pool of the reader's (multiprocessing's start from inside the running
    app, its resource tracker). import-linter forbids `multiprocessing` in these modules; it
    cannot name `concurrent.futures.process`, so this reads their imports."""
    contracts = tomli.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    [rule] = [
        c for c in contracts["contracts"] if c.get("forbidden_modules") == ["multiprocessing"]
    ]
    found, read = [], set()
    for name in rule["source_modules"]:
        path = REPO.joinpath(*name.split("."))
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]:
            read.add(source.relative_to(REPO).as_posix())
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [f"{node.module}.{alias.name}" for alias in node.names]
                else:
                    continue
                found += [
                    f"{source.relative_to(REPO)}:{node.lineno}: {imported}"
                    for imported in names
                    if imported.startswith("concurrent.futures.process")
                    or imported.endswith("ProcessPoolExecutor")
                ]
    assert {"newstui/ui/app.py", "newstui/cli.py"} <= read
    assert found == []


@pytest.mark.slow
def test_importing_a_module_changes_no_library_state() -> None:
    """Speed-ups and log handlers are installed by explicit calls at start-up (the parse
    worker's, the composition root's), never as a side effect of an import."""
    code = (
        "import logging, feedparser.api\n"
        "before = list(feedparser.api.PREFERRED_XML_PARSERS)\n"
        "import newstui.feeds.parse, newstui.feeds.refresh, newstui.article.extract\n"
        "assert feedparser.api.PREFERRED_XML_PARSERS == before, 'speed-ups installed on import'\n"
        "assert not logging.getLogger().handlers, 'root handler added on import'\n"
        "assert not logging.getLogger('readability.readability').handlers\n"
        "from newstui.feeds import parse_worker\n"
        "parse_worker.prepare()\n"
        "assert feedparser.api.PREFERRED_XML_PARSERS != before, 'prepare() installs them'\n"
        "print('ok')\n"
    )
    assert run_python(code, cwd=REPO).strip() == "ok"


@pytest.mark.slow
def test_a_refresh_loads_no_article_extractor() -> None:
    """`newstui refresh` runs from cron every few minutes: the page extractor (lxml,
    readability: megabytes and tens of milliseconds) loads only when a page is fetched."""
    code = (
        "import sys\n"
        "import newstui.cli, newstui.commands.report, newstui.feeds.refresh\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lxml', 'readability')))\n"
    )
    assert run_python(code, cwd=REPO).strip() == "[]"


@pytest.mark.slow
def test_the_early_frame_imports_no_textual_and_no_rich_rendering() -> None:
    """The early first frame (newstui.early_frame) is drawn before Textual is imported: it
    must not bring Textual, nor rich's console and styles, with it (only rich's cell widths)."""
    code = (
        "import sys\n"
        "import newstui.cli, newstui.early_frame\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')"
        " and not m.startswith(('rich.cells', 'rich._unicode_data', 'rich._extension'))"
        " and m != 'rich'))\n"
    )
    assert run_python(code, cwd=REPO).strip() == "[]"


@pytest.mark.slow
def test_what_runs_before_the_early_frame_imports_no_store_and_no_query_parser() -> None:
    """The early first frame waits for what comes before it: the command line, the kept
    feeds.toml, the first screen's reads and the frame itself. None of those needs the store
    (`newstui.store._store` and its mixins, ~60 ms to import), the search query parser (~20
    ms) or logging (~12 ms): they come after the frame, with Textual."""
    code = (
        "import sys\n"
        "import newstui.cli, newstui.reader_config, newstui.early_frame\n"
        "import newstui.store.first_screen, newstui.core.first_frame\n"
        "late = ('newstui.store._store', 'newstui.store._entries', 'newstui.core.query',\n"
        "        'newstui.core.query_tree', 'newstui.core.searchtext', 'logging')\n"
        "print(sorted(m for m in sys.modules if m in late))\n"
    )
    assert run_python(code, cwd=REPO).strip() == "[]"
