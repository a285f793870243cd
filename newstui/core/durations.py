"""How long a podcast episode or video is: read from what feeds write, shown as players do. Pure.

`<itunes:duration>` is free text in practice: "01:02:03", "1:17:07", "54:04" (minutes and
seconds), "3723" (seconds), sometimes "3723.5", and now and then nonsense ("TBD", "-1",
"99:99"). Anything that is not a plausible length is no length at all, never a guess.
"""

from __future__ import annotations

import math
import re

MAX_SECONDS = 7 * 24 * 3600
"""Longer than a week is a typo or a stream, not an episode."""

_CLOCK = re.compile(r"(?:(\d{1,3}):)?(\d{1,4}):(\d{1,2}(?:\.\d+)?)", re.ASCII)
_SECONDS = re.compile(r"\d{1,7}(?:\.\d+)?", re.ASCII)


def parse_duration(value: object) -> int | None:
    """Whole seconds from `HH:MM:SS`, `H:MM:SS`, `MM:SS`, plain seconds (a number or a
    string), else None. Minutes and seconds past 59 after a larger unit are nonsense."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if _SECONDS.fullmatch(text):
            seconds = float(text)
        elif clock := _CLOCK.fullmatch(text):
            hours, minutes, secs = clock.groups()
            if float(secs) >= 60 or (hours is not None and int(minutes) >= 60):
                return None
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
        else:
            return None
    else:
        return None
    if not math.isfinite(seconds) or not 0 < round(seconds) <= MAX_SECONDS:
        return None
    return round(seconds)


def format_duration(seconds: int | None) -> str:
    """ "1:02:03", "54:04", "0:45" (as podcast players show them); "" for no duration."""
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
