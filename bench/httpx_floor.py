"""The network floor for `refresh_bench.py`: a bare httpx fetch of the same feed URLs.

What any Python feed reader built on httpx must at least spend: start the interpreter, import
httpx, GET every URL with the same concurrency newstui uses (12 connections, 12 requests in
flight), read each body whole, and keep each feed's ETag/Last-Modified in a JSON file so the
next run sends the same conditional requests newstui sends. Nothing is parsed or stored.

    python bench/httpx_floor.py --urls URLS_FILE --state validators.json [--concurrency 12]

Prints one line: `fetched N: 200=a 304=b other=c errors=d`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import httpx


async def fetch_all(urls: list[str], state: dict[str, list[str | None]], concurrency: int):
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    statuses: Counter[str] = Counter()
    async with httpx.AsyncClient(limits=limits, follow_redirects=True, timeout=30.0) as client:

        async def one(url: str) -> None:
            headers = {}
            etag, modified = state.get(url) or (None, None)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            async with gate:
                try:
                    response = await client.get(url, headers=headers)
                except httpx.HTTPError:
                    statuses["errors"] += 1
                    return
            if response.status_code == 200:
                state[url] = [response.headers.get("etag"), response.headers.get("last-modified")]
                statuses["200"] += 1
            elif response.status_code == 304:
                statuses["304"] += 1
            else:
                statuses["other"] += 1

        await asyncio.gather(*(one(url) for url in urls))
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", required=True, help="one URL a line")
    parser.add_argument("--state", required=True, help="validators JSON (read, then written)")
    parser.add_argument("--concurrency", type=int, default=12)
    opts = parser.parse_args()
    urls = Path(opts.urls).read_text().split()
    state_path = Path(opts.state)
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    statuses = asyncio.run(fetch_all(urls, state, opts.concurrency))
    state_path.write_text(json.dumps(state))
    counts = " ".join(f"{key}={statuses[key]}" for key in ("200", "304", "other", "errors"))
    print(f"fetched {len(urls)}: {counts}")
    return 1 if statuses["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
