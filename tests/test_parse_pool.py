"""The parse pool hands each worker its next body without the event loop
(`newstui/feeds/parse_lanes.py`): a loop busy with downloads must not leave the workers idle."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from newstui.core.errors import ParseError
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


async def test_an_unexpected_failure_on_a_feeder_costs_one_feed_not_the_refresh(
    monkeypatch,
) -> None:
    """An answer the feeder cannot read (too large to unpickle, MemoryError) fails that one
    feed; the next feed is parsed by a fresh worker. The feeder thread used to die with the
    feed unanswered, and the refresh waited for it forever."""
    call = parse_lanes._Worker.call
    failures = [RuntimeError("could not read the answer")]

    def failing_once(worker: parse_lanes._Worker, job: tuple, deadline: float) -> tuple:
        if failures:
            raise failures.pop()
        return call(worker, job, deadline)

    monkeypatch.setattr(parse_lanes._Worker, "call", failing_once)
    pool = ParsePool(1)
    try:
        try:
            await asyncio.wait_for(
                pool.parse("http://example.test/1", feed(1), HEADERS, now=NOW, deadline=2), 20
            )
        except ParseError as error:
            assert error.kind == "crashed"
        else:
            raise AssertionError("the failed feed was not reported")
        rows = await asyncio.wait_for(
            pool.parse("http://example.test/2", feed(2), HEADERS, now=NOW, deadline=20), 30
        )
        assert rows.title == "t2"
        assert len(pool.pids) == 1  # the failed worker was replaced, not kept beside a new one
    finally:
        pool.shutdown()


async def test_a_feed_is_not_failed_for_the_time_the_first_worker_takes_to_start(
    monkeypatch,
) -> None:
    """On a loaded machine (other programs on every core, the reader's workers niced) a worker's
    imports took longer than a short deadline, and every feed of the first refresh failed with
    "no parser was free". The pool's own start is not the feed's time."""
    wait_ready = parse_lanes._Worker.wait_ready
    slow_start = 1.5

    def slow(worker: parse_lanes._Worker) -> None:
        time.sleep(slow_start)
        wait_ready(worker)

    monkeypatch.setattr(parse_lanes._Worker, "wait_ready", slow)
    pool = ParsePool(1)
    try:
        urls = [f"http://example.test/{n}" for n in range(3)]
        parses = [
            pool.parse(u, feed(n), HEADERS, now=NOW, deadline=0.5) for n, u in enumerate(urls)
        ]
        results = await asyncio.wait_for(asyncio.gather(*parses), 30)
    finally:
        pool.shutdown()
    assert [rows.title for rows in results] == ["t0", "t1", "t2"]
