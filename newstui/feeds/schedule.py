"""When to fetch each feed next. Pure functions of data and `now`; no I/O.

Politeness rules, in order of precedence:
- never sooner than the feed's own interval (feeds.toml);
- later when the publisher asks: RSS `<ttl>`, `Cache-Control: max-age`, `Expires` — but such a
  hint never pushes the next fetch past `MAX_HINT`, so a "cache for a year" header cannot make a
  feed go silent;
- after failures, exponential backoff from the interval, capped at `MAX_BACKOFF`, and never
  disabling the feed: a site that comes back is picked up again;
- `Retry-After` on 429/503 is honoured (up to `MAX_RETRY_AFTER`).
An explicit refresh (`newstui refresh FEED`, `--all`, or `r` in the TUI) ignores all of this.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from newstui.core.models import FeedSpec, FeedState

MAX_HINT = timedelta(days=1)
MAX_BACKOFF = timedelta(days=1)
MAX_RETRY_AFTER = timedelta(days=7)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE | re.ASCII)


def is_due(next_due_at: datetime | None, now: datetime) -> bool:
    """A feed never fetched, or whose time has come."""
    return next_due_at is None or next_due_at <= now


def plan_refresh(
    specs: Sequence[FeedSpec],
    states: Mapping[str, FeedState],
    now: datetime,
    *,
    force: bool = False,
) -> list[FeedSpec]:
    """The feeds to refresh now: those due, or all of them when `force` (an explicit refresh).
    Which source refreshes each (and whether any does) is the sources' business."""
    if force:
        return list(specs)
    return [
        spec
        for spec in specs
        if is_due(states[spec.url].next_due_at if spec.url in states else None, now)
    ]


def next_after_success(
    now: datetime,
    interval: timedelta,
    *,
    ttl: timedelta | None = None,
    headers: Mapping[str, str] | None = None,
) -> datetime:
    """The next fetch after a good fetch (200 or 304)."""
    hints = [ttl or timedelta(0), cache_lifetime(headers or {}, now) or timedelta(0)]
    return now + max(interval, min(max(hints), MAX_HINT))


def next_after_failure(
    now: datetime,
    interval: timedelta,
    failures: int,
    *,
    headers: Mapping[str, str] | None = None,
) -> datetime:
    """The next attempt after the `failures`-th failure in a row (1 for the first).

    1st failure: retry after one interval; then 2x, 4x, ... capped at `MAX_BACKOFF` (or the
    interval itself when that is longer).
    """
    exponent = min(max(failures - 1, 0), 20)
    backoff = min(interval * (2**exponent), max(MAX_BACKOFF, interval))
    asked = retry_after(headers or {}, now)
    if asked is not None:
        backoff = max(backoff, min(asked, MAX_RETRY_AFTER))
    return now + backoff


def retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """`Retry-After` as a delay: either seconds or an HTTP date."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    # isdigit() alone also passes "①" and other Unicode digits, which int() rejects.
    if value.isascii() and value.isdigit():
        return timedelta(seconds=int(value[:9]))
    moment = _http_date(value)
    return max(moment - now, timedelta(0)) if moment else None


def cache_lifetime(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """How long the response says it stays fresh: `max-age` wins over `Expires` (RFC 9111)."""
    cache_control = headers.get("cache-control", "")
    if match := _MAX_AGE.search(cache_control):
        return timedelta(seconds=int(match.group(1)[:9]))
    if expires := headers.get("expires"):
        moment = _http_date(expires)
        if moment:
            return max(moment - now, timedelta(0))
    return None


def _http_date(value: str) -> datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
