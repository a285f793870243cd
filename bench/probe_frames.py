"""tuiprobe with each measured key's frame timed from the output it arrived in, not the capture.

tuiprobe (the shared tools' `tuiprobe.py`) times a key from just before `send-keys` to the
end of the first `capture-pane` that shows the expected text. That capture is a round trip
through tmux (it formats the whole 120x40 screen with its colours) taken after tmux's
`%output` notice wakes tuiprobe: ~1-2 ms after the frame reached tmux, more when the frame
came in pieces and a capture showed half of it. This runs the same tuiprobe, the same
scenario and the same captures, and adds to every measured sample

- `frame_ms`: send-keys -> the `%output` notice of the last bytes before the capture that
  first showed the change: the frame that completed it, as tmux passed it on;
- `frame_spread_ms`: the time between the first and the last notice that came in between
  the capture before it (which did not show the change) and that one: how exact `frame_ms`
  is (0 when a single notice).

How it knows which bytes a capture includes: tmux's control client gets the `%output` notices
and the replies to commands in the order tmux handled them, so every notice read before the
capture's reply is in the screen the capture returned. Only `measure` and `resize` samples
get the fields; `latency_ms` and everything else tuiprobe reports are unchanged, and the same
method applies to any program measured (the reader and the bare Textual app alike).

    python bench/probe_frames.py --tuiprobe ../shared/tools/tuiprobe.py run ARGS...
"""

from __future__ import annotations

import collections
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("tuiprobe", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["tuiprobe"] = module
    spec.loader.exec_module(module)
    return module


class Notices(threading.Condition):
    """The control client's condition: notified once per `%output` notice, after the
    client counted it (`out_seq`) and timed it (`last_out_t`): keeps both."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client
        self.times: dict[int, float] = {}

    def notify_all(self) -> None:
        seq = self.client.out_seq
        if seq not in self.times:
            self.times[seq] = self.client.last_out_t
        super().notify_all()


class Replies(collections.deque):  # type: ignore[type-arg]
    """The control client's queue of commands waiting for their reply: each reply taken
    (on the reader thread, at its `%end`) notes how many notices came before it."""

    def __init__(self, client: Any, items: Any) -> None:
        super().__init__(items)
        self.client = client
        self.seq_at_reply = 0

    def popleft(self) -> Any:
        self.seq_at_reply = self.client.out_seq
        return super().popleft()


def install(probe: ModuleType) -> None:
    session_init = probe.Session.__init__
    wait_screen = probe.Session.wait_screen
    send_keys = probe.Session.send_keys
    resize = probe.Session.resize
    wait_quiet = probe.Session.wait_quiet
    run_once = probe.run_once

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        session_init(self, *args, **kwargs)
        self.frames = []  # (t_hit - frame time, spread) per key's wait, in order
        self.key_sent = False
        client = self.client
        if isinstance(client, probe.ControlClient):
            client.cond = Notices(client)
            client._pending = Replies(client, client._pending)

    def keys(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.key_sent = True
        return send_keys(self, *args, **kwargs)

    def resized(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.key_sent = True
        return resize(self, *args, **kwargs)

    def quiet(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.key_sent = False  # an unmeasured key: no screen wait follows it
        return wait_quiet(self, *args, **kwargs)

    def screen(self: Any, pred: Any, timeout: float, t_ref: float) -> float:
        replies = self.client._pending
        if not (self.key_sent and isinstance(replies, Replies)):
            return wait_screen(self, pred, timeout, t_ref)
        self.key_sent = False
        window = [replies.seq_at_reply, None]  # the send-keys reply: nothing after the key yet

        def seen(text: str) -> bool:
            hit = pred(text)
            if hit:
                window[1] = replies.seq_at_reply
            else:
                window[0] = replies.seq_at_reply
            return hit

        t_hit = wait_screen(self, seen, timeout, t_ref)
        times = self.client.cond.times
        before, upto = window
        first = times.get(before + 1) if upto is not None and upto > before else None
        last = times.get(upto) if upto is not None else None
        if last is None:
            self.frames.append(None)
        else:
            self.frames.append((t_hit - last, last - (first if first is not None else last)))
        return t_hit

    def once(sc: dict, opts: Any, outdir: str, run_idx: int) -> dict:
        sessions: list[Any] = []

        def tracked(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            sessions.append(self)

        probe.Session.__init__ = tracked
        try:
            rec = run_once(sc, opts, outdir, run_idx)
        finally:
            probe.Session.__init__ = init
        if sessions:
            annotate(rec, sessions[0].frames)
        return rec

    probe.Session.__init__ = init
    probe.Session.send_keys = keys
    probe.Session.resize = resized
    probe.Session.wait_quiet = quiet
    probe.Session.wait_screen = screen
    probe.run_once = once


def annotate(rec: dict, frames: list[tuple[float, float] | None]) -> None:
    """Add `frame_ms` and `frame_spread_ms` to the run's measured samples, in order."""
    samples = [
        sample
        for step in rec.get("steps", [])
        if step.get("kind") in ("measure", "resize")
        for sample in step.get("samples", [])
    ]
    if len(samples) != len(frames):  # a failed step, or a reset's wait: do not guess which
        rec["frame_ms_error"] = f"{len(samples)} samples, {len(frames)} key waits"
        return
    for sample, frame in zip(samples, frames, strict=True):
        if frame is None:
            continue
        behind, spread = frame
        sample["frame_ms"] = round(sample["latency_ms"] - behind * 1000, 3)
        sample["frame_spread_ms"] = round(spread * 1000, 3)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--tuiprobe":
        raise SystemExit("usage: probe_frames.py --tuiprobe PATH run ARGS...")
    probe = load(Path(argv[1]))
    install(probe)
    return probe.main(argv[2:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
