"""Where each key's time goes in the running reader: an in-process timeline of the event loop.

Runs the real `newstui` command with timers around every step the event loop runs (each
asyncio callback or task step, with its CPU time: wall time well above it is time spent
waiting for the GIL or a core), Textual's message dispatch (nested), the screen's layouts and
the frames written. When the reader exits, it writes the raw events (JSON) to `--out` and a
per-key report to `--out` + `.txt`: for every key, when the driver thread read it, when the
app took it, when the frame after it was written, and what the loop ran in between.

    .venv/bin/python bench/key_timeline.py --out /tmp/keys.json -- --config C --data-dir D

`bench/tui_bench.py --timeline DIR` runs every reader of its scenarios under it (under tuiprobe).
"""

from __future__ import annotations

import argparse
import asyncio.events
import atexit
import json
import sys
import threading
import time
from typing import Any

EVENTS: list[tuple] = []
"""(kind, start, duration, cpu, depth, label): times in ms of time.monotonic()."""
KEYS: list[dict[str, Any]] = []
"""Per key: its name, when the driver read it, the app took it, its handling ended (ms)."""
DEPTH = [0]
THRESHOLD_MS = 0.3
"""Steps shorter than this are not kept (keys and frames always are)."""
SAMPLES: list[tuple[float, list[str]]] = []
"""With `--sample-ms`: (time in ms, the main thread's stack, innermost first)."""


def now() -> float:
    return time.monotonic() * 1000.0


def _label_of_handle(handle: Any) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        name = getattr(coro, "__qualname__", repr(coro))
        return f"task {name}"
    return f"cb {getattr(callback, '__qualname__', repr(callback))[:80]}"


def install() -> None:
    run = asyncio.events.Handle._run

    def timed_run(self: Any) -> None:
        start, cpu = now(), time.thread_time()
        DEPTH[0] += 1
        try:
            run(self)
        finally:
            DEPTH[0] -= 1
            duration = now() - start
            if duration >= THRESHOLD_MS:
                used = (time.thread_time() - cpu) * 1000.0
                EVENTS.append(("step", start, duration, used, 0, _label_of_handle(self)))

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    _time_collections()

    from textual import events
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

    dispatch = MessagePump._dispatch_message

    async def timed_dispatch(self: Any, message: Any) -> Any:
        start, cpu = now(), time.thread_time()
        DEPTH[0] += 1
        try:
            return await dispatch(self, message)
        finally:
            DEPTH[0] -= 1
            duration = now() - start
            if isinstance(message, events.Key):
                # The key comes to the app, is forwarded to the focused widget and bubbles
                # back up: taken at the first dispatch, handled at the end of the last.
                record = getattr(message, "_timeline", None)
                if record is None:
                    record = {"key": message.key, "read": message.time * 1000.0, "taken": start}
                    message._timeline = record
                    KEYS.append(record)
                record["handled"] = start + duration
            if duration >= THRESHOLD_MS:
                used = (time.thread_time() - cpu) * 1000.0
                label = f"{type(message).__name__} -> {type(self).__name__}"
                EVENTS.append(("dispatch", start, duration, used, DEPTH[0] + 1, label))

    MessagePump._dispatch_message = timed_dispatch  # type: ignore[method-assign]

    for owner, name in (
        (Screen, "_refresh_layout"),
        (Screen, "_on_timer_update"),
        (App, "_display"),
    ):
        _time_method(owner, name)

    from textual._compositor import Compositor

    for name in ("render_update", "reflow", "update_widgets"):
        _time_method(Compositor, name)


def _time_collections() -> None:
    """The cyclic collector's passes (any thread's), as calls: "gc gen 2 (N objects)"."""
    import gc

    started: list[tuple[float, float]] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append((now(), time.thread_time()))
            return
        if not started:
            return
        start, cpu = started.pop()
        duration = now() - start
        if duration >= THRESHOLD_MS or info["generation"] == 2:
            used = (time.thread_time() - cpu) * 1000.0
            where = "" if threading.current_thread() is threading.main_thread() else " (thread)"
            label = f"gc gen {info['generation']}{where} ({info['collected']} collected)"
            EVENTS.append(("call", start, duration, used, DEPTH[0] + 1, label))

    gc.callbacks.append(callback)


def _time_method(owner: Any, name: str) -> None:
    original = getattr(owner, name)

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        start, cpu = now(), time.thread_time()
        DEPTH[0] += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            DEPTH[0] -= 1
            duration = now() - start
            if name == "_display" or duration >= THRESHOLD_MS:
                used = (time.thread_time() - cpu) * 1000.0
                kind = "frame" if name == "_display" else "call"
                label = f"{owner.__name__}.{name}"
                if name == "_refresh_layout":
                    label += f" [{type(self).__name__}]"
                EVENTS.append((kind, start, duration, used, DEPTH[0] + 1, label))

    setattr(owner, name, timed)


def start_sampler(interval_ms: float) -> None:
    """Sample the main thread's stack every `interval_ms` (a daemon thread): what a long step
    ran, where the wrappers above see only the step. The sampler needs the GIL to look, so a
    step that never lets it go is sampled every switch interval (5 ms) at best."""
    main_id = threading.main_thread().ident

    def sample() -> None:
        while True:
            time.sleep(interval_ms / 1000.0)
            frame = sys._current_frames().get(main_id)
            stack = []
            while frame is not None and len(stack) < 60:
                code = frame.f_code
                where = code.co_filename.rsplit("site-packages/", 1)[-1].rsplit("/newstui/", 1)
                stack.append(f"{where[-1]}:{code.co_name}:{frame.f_lineno}")
                frame = frame.f_back
            SAMPLES.append((now(), stack))

    threading.Thread(target=sample, name="key-timeline-sampler", daemon=True).start()


def _hot_stacks(start: float, end: float, top: int = 4) -> list[str]:
    """The most sampled innermost frames (with their callers) between `start` and `end`."""
    from collections import Counter

    inner: Counter[str] = Counter()
    for at, stack in SAMPLES:
        if start <= at <= end and stack:
            inner[" < ".join(stack[:14])] += 1
    return [f"{count:3d}x {stack}" for stack, count in inner.most_common(top)]


def report(events: list[tuple], keys: list[dict[str, Any]], keep: int = 12) -> str:
    """Per key: read (driver) -> taken by the app -> handled -> the next frame's end, and the
    steps in between; the `keep` slowest keys in detail."""
    events = sorted(events, key=lambda e: e[1])
    frames = [e for e in events if e[0] == "frame"]
    rows = []
    for key in keys:
        frame = next((f for f in frames if f[1] >= key["handled"] - 0.01), None)
        if frame is not None:
            rows.append((frame[1] + frame[2] - key["read"], key, frame))
    lines = [f"{len(rows)} keys; latency = the next frame's end - the key's read time (ms)"]
    lats = sorted(r[0] for r in rows)
    if lats:
        pick = lambda p: lats[min(len(lats) - 1, max(0, round(p * len(lats) + 0.5) - 1))]  # noqa: E731
        lines.append(f"p50 {pick(0.5):.1f}  p95 {pick(0.95):.1f}  max {lats[-1]:.1f}")
    t0 = events[0][1] if events else 0.0
    lines.append("")
    lines.append("key    at(ms)  latency  queued  handled  to-frame  frame")
    for lat, key, frame in rows:
        lines.append(
            f"{key['key']:6s} {key['read'] - t0:7.0f} {lat:8.1f} {key['taken'] - key['read']:7.1f}"
            f" {key['handled'] - key['taken']:8.1f} {frame[1] - key['handled']:8.1f}"
            f" {frame[2]:6.1f}"
        )
    for lat, key, frame in sorted(rows, key=lambda r: -r[0])[:keep]:
        lo, hi = key["read"] - 5, frame[1] + frame[2]
        lines.append("")
        lines.append(f"## {key['key']} at {key['read'] - t0:.0f} ms: {lat:.1f} ms")
        for e in events:
            if lo <= e[1] <= hi and (e[2] >= 1.0 or e[0] == "frame"):
                lines.append(
                    f"  {e[1] - key['read']:+8.1f} {e[2]:7.1f} (cpu {e[3]:6.1f}) "
                    f"{'  ' * min(e[4], 6)}{e[0]} {e[5]}"
                )
                if e[0] == "step" and e[2] >= 10.0:
                    lines.extend(f"        {hot}" for hot in _hot_stacks(e[1], e[1] + e[2]))
    return "\n".join(lines) + "\n"


def hook_textual() -> None:
    """Patch Textual as soon as the reader imports it (after its early frame)."""
    import importlib.abc

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
            if name != "textual.app":
                return None
            sys.meta_path.remove(self)
            for finder in sys.meta_path:
                spec = getattr(finder, "find_spec", lambda *a: None)(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            run = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                run(module)
                install()

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Hook())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="raw events (JSON); the report: OUT.txt")
    parser.add_argument(
        "--sample-ms",
        type=float,
        help="also sample the main thread's stack this often: each long step's hot frames",
    )
    parser.add_argument("newstui_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    argv = [a for a in args.newstui_args if a != "--"]

    def write() -> None:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"events": EVENTS, "keys": KEYS, "samples": SAMPLES}, f)
        with open(args.out + ".txt", "w", encoding="utf-8") as f:
            f.write(report(EVENTS, KEYS))

    atexit.register(write)
    if args.sample_ms:
        start_sampler(args.sample_ms)
    hook_textual()
    from newstui.cli import main as newstui_main

    return newstui_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
