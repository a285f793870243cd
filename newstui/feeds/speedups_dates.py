"""A shortcut for feedparser's `_parse_date` on the two date forms nearly every feed uses,
installed by `newstui.feeds.speedups.install`.

`_parse_date` tries its handlers in turn: W3C-DTF first, then RFC 822, then eight more. For
`2024-12-01T10:00:00Z` (Atom) the W3C-DTF handler answers; for `Sun, 01 Dec 2024 10:00:00
+0000` (RSS) the W3C-DTF handler returns None first (it splits the lower-cased string at "t":
with two or more there, it gives up; with none, its "year" is the day name and comma, not a
number; with one, the text before it is "", "sa" or at least "mon, 01 oc", never the four
characters it wants), then RFC 822 answers. Each does ~15 string operations to find the
numbers a strict pattern finds at once. For a string the pattern matches, the shortcut computes
what that handler computes: the same `datetime` minus the same `timedelta`, `.utctimetuple()`.
Anything else, or any step that would fail (an impossible date, an overflow: the handler would
return None and the next be tried), goes to feedparser's own `_parse_date`.

It is used only while feedparser's handler list starts with those two handlers and their source
is the source this was written for (`install` checks the digests in
`newstui.feeds.speedups_sources`; an upgrade costs time, not results).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

_RFC822 = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-][0-9]{4}|GMT|UTC?|Z|[ECMP][SD]T)"
)
_W3DTF = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,9})?)"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
# feedparser's rfc822.timezone_names for the names the pattern allows ("utc" is not in it: 0)
_ZONES = {"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
          "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}  # fmt: skip


def fast_parse_date(
    original: Callable[[str], Any],
    handlers: list[Callable[[str], Any]],
    w3dtf: Callable[[str], Any],
    rfc822: Callable[[str], Any],
) -> Callable[[str], Any]:
    """`original` (feedparser's `_parse_date`) with the shortcut in front of it."""

    def _parse_date(date_string: str) -> Any:
        if type(date_string) is str and handlers and handlers[0] is w3dtf:
            match = _W3DTF.fullmatch(date_string)
            if match is not None:
                result = _w3dtf(match)
                if result is not None:
                    return result
            elif len(handlers) > 1 and handlers[1] is rfc822:
                match = _RFC822.fullmatch(date_string)
                if match is not None:
                    result = _rfc822(match)
                    if result is not None:
                        return result
        return original(date_string)

    _parse_date.__doc__ = original.__doc__
    _parse_date.__wrapped__ = original  # type: ignore[attr-defined]
    return _parse_date


def _w3dtf(match: re.Match[str]) -> Any:
    """`_parse_date_w3dtf`'s result for a string `_W3DTF` matched, or None to let it decide."""
    year, month, day, hour, minute, second, zone = match.groups()
    if zone == "Z":
        tzhour = tzmin = 0
    else:  # "+hh:mm": int(parts[2][1:3]), int(parts[2][4:]), both negated for "-"
        tzhour, tzmin = int(zone[1:3]), int(zone[4:])
        if zone[0] == "-":
            tzhour, tzmin = -tzhour, -tzmin
    try:
        stamp = datetime.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(float(second))
        )
        return (stamp - datetime.timedelta(0, 0, 0, 0, tzmin, tzhour)).utctimetuple()
    except (OverflowError, ValueError):
        return None


def _rfc822(match: re.Match[str]) -> Any:
    """`_parse_date_rfc822`'s result for a string `_RFC822` matched, or None to let it decide."""
    day, month, year, hour, minute, second, zone = match.groups()
    if zone[0] in "+-":  # int(parts[4][1:3]), int(parts[4][3:]), both negated for "-"
        tzhour, tzmin = int(zone[1:3]), int(zone[3:])
        if zone[0] == "-":
            tzhour, tzmin = -tzhour, -tzmin
    else:
        tzhour, tzmin = _ZONES[zone], 0
    try:
        stamp = datetime.datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second)
        )
        return (stamp - datetime.timedelta(0, 0, 0, 0, tzmin, tzhour)).utctimetuple()
    except (OverflowError, ValueError):
        return None
