"""The date shortcut (`newstui.feeds.speedups_dates`) answers exactly as feedparser's own
`_parse_date`, for the forms it takes and the ones it must leave alone."""

from __future__ import annotations

import datetime
import itertools
import random

import feedparser.datetimes
import feedparser.namespaces._base

from newstui.feeds import parse_worker

parse_worker.prepare()  # installs the speed-ups, as a parse worker does

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_RFC_ZONES = ["+0000", "-0500", "+0530", "-1200", "+1400", "+9959", "-0099", "GMT", "UT",
              "UTC", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"]  # fmt: skip
_W3C_ZONES = ["Z", "+00:00", "-05:00", "+05:30", "+14:00", "-23:59", "+99:99"]


def _rfc822(rng: random.Random) -> str:
    day = rng.choice(["01", "1", "09", "28", "29", "30", "31", "00", "32", "99"])
    year = rng.choice(["2024", "1999", "1970", "0001", "0000", "9999", "2000", "2100"])
    time = ":".join(rng.choice(["00", "09", "23", "24", "59", "60", "99"]) for _ in range(3))
    month, zone = rng.choice(_MONTHS), rng.choice(_RFC_ZONES)
    return f"{rng.choice(_DAYS)}, {day} {month} {year} {time} {zone}"


def _w3dtf(rng: random.Random) -> str:
    year = rng.choice(["2024", "1999", "0001", "0000", "9999", "2000"])
    month = rng.choice(["01", "02", "12", "00", "13"])
    day = rng.choice(["01", "28", "29", "30", "31", "00", "32"])
    time = ":".join(rng.choice(["00", "09", "23", "24", "59", "60"]) for _ in range(3))
    fraction = rng.choice(["", ".5", ".123456", ".999999999"])
    return f"{year}-{month}-{day}T{time}{fraction}{rng.choice(_W3C_ZONES)}"


_EDGES = [
    "", " ", "Sun, 01 Dec 2024 10:00:00 +0000 ", " Sun, 01 Dec 2024 10:00:00 +0000",
    "sun, 01 dec 2024 10:00:00 +0000", "Sun,  01 Dec 2024 10:00:00 +0000",
    "Sun, 01 Dec 24 10:00:00 +0000", "Sun, 01 Dec 2024 10:00 +0000", "01 Dec 2024 10:00:00 GMT",
    "Sun, 01 Dec 2024 10:00:00 +00:00", "Sun, 01 Dec 2024 10:00:00 GMT+1", "Sun, 01 Dec 2024",
    "Sun, 01 Dec 2024 10:00:00 XYZ", "Sun, 01 Dec 2024 10:00:00 Etc/GMT",
    "2024-12-01T10:00:00z", "2024-12-01t10:00:00Z", "2024-12-01T10:00:00", "2024-12-01",
    "2024-12-01 10:00:00", "2024-12-01T10:00Z", "2024-12-01T10:00:00+0200",
    "2024-12-01T10:00:00.Z", "20241201T100000Z", "2024-W48", "Sunday, 01-Dec-24 10:00:00 GMT",
    "Sun Dec  1 10:00:00 2024", "2024-12-01T10:00:00\u0660Z", "\u0662024-12-01T10:00:00Z",
]  # fmt: skip


def _valid(rng: random.Random) -> list[str]:
    """Real dates at random moments (1970-2100), in both forms, with any offset."""
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=rng.randrange(4 * 10**9))
    offset = rng.choice([0, 0, -5, 1, 5.5, -12, 14]) * 60
    zone = f"{'-' if offset < 0 else '+'}{abs(offset) // 60:02.0f}{abs(offset) % 60:02.0f}"
    rfc = moment.strftime(f"{_DAYS[moment.weekday()]}, %d {_MONTHS[moment.month - 1]} %Y %H:%M:%S")
    return [
        f"{rfc} {zone}",
        f"{rfc} {rng.choice(_RFC_ZONES[7:])}",
        moment.strftime("%Y-%m-%dT%H:%M:%S") + rng.choice(["Z", zone[:3] + ":" + zone[3:]]),
    ]


def test_dates_parse_as_feedparser_parses_them() -> None:
    fast = feedparser.namespaces._base._parse_date
    original = fast.__wrapped__  # feedparser's own
    rng = random.Random(15)
    samples = [_rfc822(rng) for _ in range(3000)] + [_w3dtf(rng) for _ in range(3000)]
    samples += [text for _ in range(2000) for text in _valid(rng)]
    for text in itertools.chain(_EDGES, samples):
        assert fast(text) == original(text), text


def test_the_shortcut_is_installed_where_feedparser_looks() -> None:
    assert hasattr(feedparser.namespaces._base._parse_date, "__newstui_speedup__")
    assert feedparser.datetimes._parse_date is feedparser.namespaces._base._parse_date


def test_a_handler_registered_later_comes_first_again() -> None:
    """registerDateHandler puts a handler in front: then feedparser's order decides."""
    handlers = feedparser.datetimes._date_handlers
    handlers.insert(0, lambda text: (2001, 2, 3, 4, 5, 6, 0, 1, 0))
    try:
        got = feedparser.namespaces._base._parse_date("Sun, 01 Dec 2024 10:00:00 +0000")
    finally:
        del handlers[0]
    assert got == (2001, 2, 3, 4, 5, 6, 0, 1, 0)
