"""HTTP for the sync servers' JSON APIs (Miniflux, Google Reader): a client, and one call that
never raises for network problems. Feeds and pages are fetched by `newstui.feeds.fetch`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from newstui.feeds.fetch import CONNECT_TIMEOUT, DEFAULT_USER_AGENT
from newstui.feeds.fetch._messages import _size, _transport_failure
from newstui.feeds.fetch.results import FetchFailed

API_MAX_BYTES = 64_000_000
"""Largest API answer read (a page of 500 entries with their contents is a few MB)."""


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    """Any HTTP answer of an API call, whatever its status: the caller decides what it means."""

    status: int
    body: bytes
    headers: dict[str, str]


def make_api_client(
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    basic_auth: tuple[str, str] | None = None,
    timeout: float = 30.0,
    user_agent: str | None = None,
    trust_env: bool = True,
) -> httpx.AsyncClient:
    """A client for one sync server's API. Credentials travel in headers only, never in a
    URL, so no error message or log line that names a URL can carry them."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        headers={"User-Agent": user_agent or DEFAULT_USER_AGENT, **(headers or {})},
        auth=httpx.BasicAuth(*basic_auth) if basic_auth else None,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
        timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
        trust_env=trust_env,
    )


async def api_call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    params: dict[str, str | int] | list[tuple[str, str | int]] | None = None,
    json_body: object = None,
    form: dict[str, str] | list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    deadline: float = 120.0,
    max_bytes: int = API_MAX_BYTES,
) -> ApiAnswer | FetchFailed:
    """One request to a sync server; transport failures come back as `FetchFailed` (the same
    short messages as a feed's), never as an exception, and never with the request's headers.

    `deadline` caps the whole call, like a feed fetch's total timeout.
    """
    try:
        async with asyncio.timeout(deadline):
            data: dict[str, str | list[str]] | None = None
            if isinstance(form, list):  # repeated fields (i=1&i=2): httpx wants lists
                data = {}
                for key, value in form:
                    previous = data.setdefault(key, [])
                    assert isinstance(previous, list)
                    previous.append(value)
            elif form is not None:
                data = dict(form)
            request = client.build_request(
                method, path, params=params, json=json_body, data=data, headers=headers
            )
            response = await client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                received = 0
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        return FetchFailed("too-large", f"answer larger than {_size(max_bytes)}")
                    chunks.append(chunk)
            finally:
                await response.aclose()
    except TimeoutError:
        return FetchFailed("timeout", f"no complete answer within {deadline:g} s")
    except httpx.TimeoutException:
        return FetchFailed("timeout", "the server did not answer in time")
    except (httpx.HTTPError, OSError) as error:
        return _transport_failure(error)
    return ApiAnswer(response.status_code, b"".join(chunks), dict(response.headers.items()))
