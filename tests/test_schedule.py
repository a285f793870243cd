"""When each feed is fetched next: pure functions of headers, failures and a fixed `now`.

A wrong answer here is noticed either by publishers (we hammer them) or by users (a feed goes
quiet for days), so every rule of `newstui.feeds.schedule` gets an example with exact times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from newstui.feeds import schedule
from newstui.feeds.schedule import (
    MAX_BACKOFF,
    MAX_HINT,
    MAX_RETRY_AFTER,
    is_due,
    next_after_failure,
    next_after_success,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=30)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


# --- after a good fetch ---------------------------------------------------------------------


def test_without_hints_the_next_fetch_is_one_interval_away() -> None:
    assert next_after_success(NOW, INTERVAL) == NOW + INTERVAL
    assert next_after_success(NOW, INTERVAL, headers={}) == NOW + INTERVAL


@pytest.mark.parametrize(
    ("ttl", "headers"),
    [
        (timedelta(minutes=1), {}),
        (None, {"cache-control": "max-age=60"}),
        (None, {"cache-control": "max-age=0, must-revalidate"}),
        (None, {"cache-control": "no-cache"}),
        (None, {"expires": "0"}),  # common "already expired" spelling; not a date
        (None, {"expires": http_date(NOW - timedelta(hours=3))}),
        (None, {"expires": http_date(NOW + timedelta(minutes=5))}),
    ],
)
def test_hints_never_make_the_next_fetch_sooner_than_the_interval(ttl, headers) -> None:
    assert next_after_success(NOW, INTERVAL, ttl=ttl, headers=headers) == NOW + INTERVAL


def test_rss_ttl_longer_than_the_interval_is_honoured() -> None:
    assert next_after_success(NOW, INTERVAL, ttl=timedelta(hours=2)) == NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    "cache_control",
    ["max-age=7200", "public, max-age=7200", 'private,max-age="7200"', "MAX-AGE = 7200"],
)
def test_cache_control_max_age_is_honoured(cache_control: str) -> None:
    headers = {"cache-control": cache_control}
    assert next_after_success(NOW, INTERVAL, headers=headers) == NOW + timedelta(hours=2)


def test_s_maxage_is_not_mistaken_for_max_age() -> None:
    headers = {"cache-control": "s-maxage=7200"}
    assert next_after_success(NOW, INTERVAL, headers=headers) == NOW + INTERVAL


def test_expires_in_the_future_is_honoured() -> None:
    headers = {"expires": http_date(NOW + timedelta(hours=3))}
    assert next_after_success(NOW, INTERVAL, headers=headers) == NOW + timedelta(hours=3)


def test_the_longest_hint_wins_between_ttl_and_headers() -> None:
    headers = {"cache-control": "max-age=3600"}
    due = next_after_success(NOW, INTERVAL, ttl=timedelta(hours=5), headers=headers)
    assert due == NOW + timedelta(hours=5)
    due = next_after_success(NOW, INTERVAL, ttl=timedelta(minutes=45), headers=headers)
    assert due == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("ttl", "headers"),
    [
        (timedelta(days=7), {}),
        (None, {"cache-control": "max-age=31536000"}),  # "cache for a year"
        (None, {"cache-control": "max-age=99999999999999999999"}),
        (None, {"expires": http_date(NOW + timedelta(days=400))}),
    ],
)
def test_publisher_hints_are_capped_at_a_day(ttl, headers) -> None:
    assert timedelta(days=1) == MAX_HINT
    assert next_after_success(NOW, INTERVAL, ttl=ttl, headers=headers) == NOW + MAX_HINT


def test_an_interval_longer_than_a_day_is_kept_even_with_a_capped_hint() -> None:
    weekly = timedelta(days=7)
    headers = {"cache-control": "max-age=31536000"}
    assert next_after_success(NOW, weekly, headers=headers) == NOW + weekly


def test_max_age_beats_expires_even_when_shorter() -> None:
    # RFC 9111 §5.3: with max-age present, Expires is ignored.
    headers = {
        "cache-control": "max-age=3600",
        "expires": http_date(NOW + timedelta(hours=10)),
    }
    assert next_after_success(NOW, INTERVAL, headers=headers) == NOW + timedelta(hours=1)
    assert schedule.cache_lifetime(headers, NOW) == timedelta(hours=1)


def test_unreadable_expires_is_ignored() -> None:
    assert schedule.cache_lifetime({"expires": "tomorrow-ish"}, NOW) is None
    headers = {"expires": "tomorrow-ish"}
    assert next_after_success(NOW, INTERVAL, headers=headers) == NOW + INTERVAL


# --- after failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        (0, timedelta(minutes=30)),  # defensive: treated like the first failure
        (1, timedelta(minutes=30)),
        (2, timedelta(hours=1)),
        (3, timedelta(hours=2)),
        (4, timedelta(hours=4)),
        (5, timedelta(hours=8)),
        (6, timedelta(hours=16)),
        (7, timedelta(days=1)),  # 32 h, capped
    ],
)
def test_backoff_doubles_after_each_failure(failures: int, wait: timedelta) -> None:
    assert next_after_failure(NOW, INTERVAL, failures) == NOW + wait


def test_backoff_is_capped_at_a_day() -> None:
    assert timedelta(days=1) == MAX_BACKOFF
    assert next_after_failure(NOW, INTERVAL, 7) == NOW + timedelta(days=1)
    assert next_after_failure(NOW, INTERVAL, 30) == NOW + timedelta(days=1)


@pytest.mark.parametrize("failures", [100, 10_000, 10**9, 10**18])
def test_a_feed_is_never_disabled_however_often_it_failed(failures: int) -> None:
    due = next_after_failure(NOW, INTERVAL, failures)
    assert NOW < due <= NOW + timedelta(days=1)


def test_backoff_of_a_feed_with_an_interval_over_a_day_is_its_interval() -> None:
    weekly = timedelta(days=7)
    assert next_after_failure(NOW, weekly, 1) == NOW + weekly
    assert next_after_failure(NOW, weekly, 50) == NOW + weekly


def test_retry_after_seconds_is_honoured() -> None:
    due = next_after_failure(NOW, INTERVAL, 1, headers={"retry-after": "3600"})
    assert due == NOW + timedelta(hours=1)


def test_retry_after_http_date_is_honoured() -> None:
    headers = {"retry-after": http_date(NOW + timedelta(hours=2))}
    assert next_after_failure(NOW, INTERVAL, 1, headers=headers) == NOW + timedelta(hours=2)


def test_a_short_retry_after_does_not_undo_the_backoff() -> None:
    due = next_after_failure(NOW, INTERVAL, 3, headers={"retry-after": "5"})
    assert due == NOW + 4 * INTERVAL


@pytest.mark.parametrize(
    "value", ["", "soon", "-5", http_date(NOW - timedelta(hours=1)), "Mon, 99 Foo 2026"]
)
def test_unusable_or_past_retry_after_falls_back_to_the_backoff(value: str) -> None:
    due = next_after_failure(NOW, INTERVAL, 2, headers={"retry-after": value})
    assert due == NOW + 2 * INTERVAL


def test_retry_after_is_capped_at_a_week() -> None:
    assert timedelta(days=7) == MAX_RETRY_AFTER
    for value in ("99999999999", http_date(NOW + timedelta(days=365))):
        due = next_after_failure(NOW, INTERVAL, 1, headers={"retry-after": value})
        assert due == NOW + MAX_RETRY_AFTER


def test_retry_after_parsing() -> None:
    assert schedule.retry_after({"retry-after": " 120 "}, NOW) == timedelta(minutes=2)
    assert schedule.retry_after({}, NOW) is None
    later = {"retry-after": http_date(NOW + timedelta(minutes=90))}
    assert schedule.retry_after(later, NOW) == timedelta(minutes=90)


# --- is_due ---------------------------------------------------------------------------------


def test_is_due() -> None:
    assert is_due(None, NOW), "a feed never fetched is due"
    assert is_due(NOW, NOW), "a feed whose time is exactly now is due"
    assert is_due(NOW - timedelta(seconds=1), NOW)
    assert not is_due(NOW + timedelta(seconds=1), NOW)


def test_a_scheduled_feed_becomes_due_exactly_at_its_time() -> None:
    due = next_after_success(NOW, INTERVAL)
    assert not is_due(due, NOW + INTERVAL - timedelta(seconds=1))
    assert is_due(due, NOW + INTERVAL)
