"""The parse pool hands each worker its next body without the event loop
(`newstui/feeds/parse_lanes.py`): a loop busy with downloads must not leave the workers idle."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from newstui.feeds import parse_lanes
from newstui.feeds.parse_pool import ParsePool

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
HEADERS = {"content-type": "text/xml"}


def feed(n: int) -> bytes:
    return (
        f"<rss version='2.0'><channel><title>t{n}</title><item><guid>{n}</guid>"
        f"<title>entry {n}</title></item></channel></rss>"
    ).encode()


async def test_a_worker_takes_the_next_body_while_the_event_loop_is_busy(monkeypatch) -> None:
    finished: list[str] = []
    call = parse_lanes._Worker.call

    def recording(worker: parse_lanes._Worker, job: tuple, deadline: float) -> tuple:
        answer = call(worker, job, deadline)
        finished.append(job[0])
        return answer

    monkeypatch.setattr(parse_lanes._Worker, "call", recording)
    pool = ParsePool(1)
    try:
        await pool.parse("http://example.test/warm", feed(0), HEADERS, now=NOW)  # started
        finished.clear()
        urls = [f"http://example.test/{n}" for n in range(1, 4)]
        tasks = [
            asyncio.ensure_future(pool.parse(url, feed(n), HEADERS, now=NOW))
            for n, url in enumerate(urls, start=1)
        ]
        await asyncio.sleep(0)  # the three bodies are handed to the pool
        # The event loop is blocked from here on (as by a burst of downloads): no callback runs.
        deadline = time.monotonic() + 10
        while len(finished) < len(urls) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert finished == urls, "the worker waited for the event loop between bodies"
        results = await asyncio.gather(*tasks)
    finally:
        pool.shutdown()
    assert [rows.title for rows in results] == ["t1", "t2", "t3"]
    assert pool.pids == []
