"""Where newstui's start-up (and a Down key, and a refresh) spends its time, in process.

Runs the real `newstui` command with timers wrapped around the functions that matter (store
queries, the main screen's mount steps, the feed and headline lists, Textual's layout, CSS and
frame writes) and writes a timeline to `--out` when the app exits. Run it in a terminal, or
under tuiprobe (see bench/README.md), and quit with q:

    .venv/bin/python bench/profile_startup.py --out /tmp/startup.txt -- \\
        --config bench/results/store-.../feeds.toml --data-dir /tmp/copy/data

With `--cprofile`, cProfile runs from the start until the first frame that shows the main
screen and its top functions (cumulative) are appended. With `--cprofile-keys`, it runs from
the first key action (Down, or R) until exit instead. Frames Textual drops while a batch update
is in progress are not counted as the first frame (they are listed as skipped).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import atexit  # noqa: E402
import cProfile  # noqa: E402
import functools  # noqa: E402
import importlib  # noqa: E402
import importlib.abc  # noqa: E402
import inspect  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

TARGETS = [
    "newstui.core.config:load_config",
    "newstui.reader_config:load_config_kept",
    "newstui.store._store:Store.__init__",
    "newstui.store._store:Store.sync_feeds",
    "newstui.store._store:Store.feeds",
    "newstui.store._store:Store.entry_ids",
    "newstui.store._store:Store.headlines",
    "newstui.store._store:Store.entry",
    "newstui.ui.screens.main:MainScreen.on_mount",
    "newstui.ui.screens.main:MainScreen.reload_feeds",
    "newstui.ui.screens.main:MainScreen.reload_entries",
    "newstui.ui.screens.main:MainScreen.select_view",
    "newstui.ui.screens.main:MainScreen.status_update",
    "newstui.ui.screens.main:MainScreen.display_entry",
    "newstui.ui.screens.main:MainScreen.preview",
    "newstui.ui.screens.main:MainScreen.action_move",
    "newstui.ui.screens.main:MainScreen.action_refresh_all",
    "newstui.ui.screens.main:MainScreen.action_next_unread",
    "newstui.ui.screens.main:MainScreen.open_entry",
    "newstui.ui.screens.main:MainScreen.set_read",
    "newstui.ui.screens.main:MainScreen.apply_counts",
    "newstui.ui.screens.marks:Marks.set_read",
    "newstui.ui.screens.marks:Marks.headlines",
    "newstui.ui.writes:WriteQueue.submit",
    "newstui.store._store:Store.hidden_bookmarks",
    "newstui.store.first_screen:FirstScreen.take",
    "newstui.store.first_screen:FirstScreen.wait",
    "newstui.early_frame:draw_early_frame",
    "newstui.store.first_screen:FirstScreen._read",
    "newstui.store._store:Store.get_state",
    "newstui.store._store:Store.pending_count",
    "newstui.store.view_queries:ViewQueries.ids",
    "newstui.ui.widgets.feed_list:FeedList.update_counts",
    "newstui.ui.widgets.entry_list:EntryList.replace_rows",
    "newstui.ui.app:NewsApp.on_mount",
    "newstui.ui.app:NewsApp.__init__",
    "newstui.ui.themes:load_themes",
    "newstui.ui.screens.refreshing:RefreshController._flush",
    "newstui.article.compose:render_entry",
    "newstui.ui.widgets.feed_list:build_rows",
    "newstui.ui.widgets.feed_list:FeedList.set_rows",
    "newstui.ui.widgets.entry_list:EntryList.show",
    "newstui.ui.widgets.entry_list:EntryList.update_ids",
    "newstui.ui.widgets.entry_list:EntryList.render_line",
    "newstui.ui.widgets.entry_view:EntryView.show",
    "textual.app:App._display",
    "textual.app:App._on_compose",
    "textual.app:App._process_messages",
    "textual.screen:Screen._refresh_layout",
    "textual.screen:Screen._compose",
    "textual._compositor:Compositor.reflow",
    "textual._compositor:Compositor.render_update",
    "textual._compositor:Compositor.render_full_update",
    "textual.css.stylesheet:Stylesheet.read_all",
    "textual.css.stylesheet:Stylesheet.parse",
    "textual.css.stylesheet:Stylesheet.apply",
    "textual.css.stylesheet:Stylesheet.update_nodes",
    "textual.widgets._option_list:OptionList._update_lines",
    "textual.widgets._option_list:OptionList.add_options",
    "textual.widgets._option_list:OptionList.clear_options",
    "textual.widgets._option_list:OptionList.replace_option_prompt_at_index",
    "textual.widget:Widget.render_lines",
    "textual.widget:Widget.recompose",
    "textual.screen:Screen.set_focus",
]

MARKED_IMPORTS = (
    "textual.app",
    "newstui.store",
    "newstui.ui.screens.main",
    "newstui.ui.app",
    "newstui.article.compose",
)
"""Modules whose import's end is a mark on the timeline."""

calls: dict[str, list[tuple[float, float]]] = defaultdict(list)
marks: list[tuple[float, str]] = [(0.0, "python started this script")]
state: dict[str, Any] = {"profiler": None, "first_main_frame": None, "key_profiler": None}


def ms() -> float:
    return (time.perf_counter() - T0) * 1000.0


KEY_ACTIONS = (
    "MainScreen.action_move",
    "MainScreen.action_refresh_all",
    "MainScreen.action_next_unread",
)
PER_CLASS = {"Widget.render_lines", "Screen._refresh_layout"}
"""Timed per class of `self` (which widget's lines are slow)."""


def _wrap(name: str, fn: Any) -> Any:
    if name in PER_CLASS:

        @functools.wraps(fn)
        def per_class(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = ms()
            try:
                return fn(self, *args, **kwargs)
            finally:
                calls[f"{name} [{type(self).__name__}]"].append((start, ms() - start))

        return per_class
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def awrapper(*args: Any, **kwargs: Any) -> Any:
            start = ms()
            try:
                return await fn(*args, **kwargs)
            finally:
                calls[name].append((start, ms() - start))

        return awrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = ms()
        first_key = name in KEY_ACTIONS and not any(calls[k] for k in KEY_ACTIONS)
        if first_key and state["key_profiler"] is not None:
            state["key_profiler"].enable()
        try:
            return fn(*args, **kwargs)
        finally:
            calls[name].append((start, ms() - start))

    return wrapper


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Wraps a module's targets right after the module first runs, so that measuring imports
    nothing early: the timeline shows the imports where the command makes them (the first
    screen's reads overlapping Textual's, the article renderer on the first article)."""

    def __init__(self, pending: dict[str, list[Callable[[Any], None]]]) -> None:
        self.pending = pending

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in self.pending:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        run = spec.loader.exec_module
        patches = self.pending.pop(name)

        def exec_module(module: Any) -> None:
            run(module)
            for patch in patches:
                patch(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    pending: dict[str, list[Callable[[Any], None]]] = defaultdict(list)
    for target in TARGETS:
        module_name, _, attr = target.partition(":")
        pending[module_name].append(functools.partial(_patch, attr=attr))
    pending["textual.app"].append(_patch_display)
    for name in MARKED_IMPORTS:
        pending[name].append(lambda module: marks.append((ms(), f"imported {module.__name__}")))
    pending["textual.widget"].append(_patch_refresh)
    sys.meta_path.insert(0, _PatchOnImport(dict(pending)))


def _patch(module: Any, attr: str) -> None:
    owner: Any = module
    *path, leaf = attr.split(".")
    try:
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, leaf)
    except AttributeError:  # renamed since: say so rather than break the import
        marks.append((ms(), f"not found, not timed: {module.__name__}:{attr}"))
        return
    wrapped = _wrap(attr, original)
    setattr(owner, leaf, wrapped)
    if not path:  # a module-level function: patch where it was imported too
        for mod in list(sys.modules.values()):
            if getattr(mod, "__name__", "").startswith("newstui") and (
                getattr(mod, leaf, None) is original
            ):
                setattr(mod, leaf, wrapped)


def _patch_display(module: Any) -> None:
    App = module.App
    display = App._display

    def first_frame_hook(self: Any, screen: Any, renderable: Any) -> None:
        skipped = renderable is None or bool(self._batch_count)  # Textual drops these
        display(self, screen, renderable)
        if skipped:
            calls["App._display skipped (batch update in progress)"].append((ms(), 0.0))
            return
        if state["first_main_frame"] is None and type(screen).__name__ == "MainScreen":
            state["first_main_frame"] = ms()
            marks.append((state["first_main_frame"], "first frame of MainScreen written"))
            profiler = state["profiler"]
            if profiler is not None:
                profiler.disable()

    App._display = first_frame_hook


def _patch_refresh(module: Any) -> None:
    Widget = module.Widget
    refresh = Widget.refresh

    def counting_refresh(self: Any, *regions: Any, **kwargs: Any) -> Any:
        """Who asks for layouts (each costs a whole-screen arrange and render)."""
        if kwargs.get("layout"):
            calls[f"refresh(layout=True) [{type(self).__name__}]"].append((ms(), 0.0))
        return refresh(self, *regions, **kwargs)

    Widget.refresh = counting_refresh


def report(out_path: str) -> None:
    lines = [f"# newstui start-up timeline (ms since this script started), pid {os.getpid()}"]
    lines.append("")
    lines.append("## marks")
    lines += [f"{t:9.1f}  {label}" for t, label in sorted(marks)]
    first = state["first_main_frame"] or float("inf")
    lines.append("")
    lines.append("## calls before the first MainScreen frame: first start, count, total, max")
    rows = []
    for name, entries in calls.items():
        before = [(s, d) for s, d in entries if s < first]
        if before:
            rows.append((before[0][0], name, len(before), sum(d for _, d in before),
                         max(d for _, d in before)))  # fmt: skip
    for start, name, count, total, worst in sorted(rows):
        lines.append(f"{start:9.1f}  {name:55s} n={count:<6d} total={total:8.1f}  max={worst:7.1f}")
    keys = [s for name, entries in calls.items() if name.endswith(KEY_ACTIONS) for s, _ in entries]
    first_key = min(keys, default=float("inf"))
    windows = [
        ("after the first frame, before the first key (action_move/refresh)", first, first_key),
        ("from the first key on", first_key, float("inf")),
    ]
    for title, lo, hi in windows:
        lines.append("")
        lines.append(f"## calls {title}: count, total, max")
        rows = []
        for name, entries in calls.items():
            inside = [d for s, d in entries if lo <= s < hi]
            if inside:
                rows.append((sum(inside), name, len(inside), max(inside)))
        for total, name, count, worst in sorted(rows, reverse=True):
            lines.append(
                f"           {name:55s} n={count:<6d} total={total:8.1f}  max={worst:7.1f}"
            )
    lines.append("")
    lines.append("## every call from the first key on, in order (start, duration)")
    ordered = sorted(
        (s, d, n) for n, entries in calls.items() for s, d in entries if s >= first_key
    )
    lines += [f"{s:9.1f}  {n:55s} {d:8.1f}" for s, d, n in ordered]
    lines.append("")
    lines.append("## slowest single calls from the first key on (start, duration)")
    singles = sorted(
        ((d, s, n) for n, entries in calls.items() for s, d in entries if s >= first_key),
        reverse=True,
    )[:40]
    lines += [f"{s:9.1f}  {n:55s} {d:8.1f}" for d, s, n in singles]
    for key, title in (
        ("profiler", "until the first MainScreen frame"),
        ("key_profiler", "from the first key action to exit"),
    ):
        profiler = state[key]
        if profiler is None:
            continue
        profiler.disable()
        for order in ("cumulative", "tottime"):
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(50)
            lines.append("")
            lines.append(f"## cProfile {title} ({order})")
            lines.append(buffer.getvalue())
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where the timeline is written")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--cprofile-keys", action="store_true")
    parser.add_argument(
        "--prestart-tracker",
        action="store_true",
        help="start multiprocessing's resource tracker first, so the parse pool can start "
        "under Textual (see tui_bench.py --prestart-tracker)",
    )
    parser.add_argument("newstui_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    argv = [a for a in args.newstui_args if a != "--"]
    if args.cprofile:
        state["profiler"] = cProfile.Profile()
        state["profiler"].enable()
    if args.prestart_tracker:
        import multiprocessing.resource_tracker

        multiprocessing.resource_tracker.ensure_running()
    if args.cprofile_keys:
        state["key_profiler"] = cProfile.Profile()
    install()
    atexit.register(report, args.out)
    from newstui.cli import main as newstui_main

    marks.append((ms(), "newstui.cli.main() starts"))
    return newstui_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
