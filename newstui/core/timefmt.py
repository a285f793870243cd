"""Short, human date labels for lists. Pure: `now` and the time zone are arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

LABEL_WIDTH = 8
"""Every label fits in this many cells ("14:05", "Mon", "Mar 3", "Mar 2024")."""


def headline_date(moment: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """ "14:05" today, "Mon" this past week, "Mar 3" this year, "Mar 2024" before that (a
    year alone hid whether last December's post was three weeks or a year old).

    Shown in the reader's local time (`zone`, default the system's).
    """
    local = moment.astimezone(zone)
    today = now.astimezone(zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if timedelta(0) < today - local < timedelta(days=6):
        return local.strftime("%a")
    if local.year == today.year:
        return f"{local.strftime('%b')} {local.day}"
    return local.strftime("%b %Y")


def ago(moment: datetime | None, now: datetime) -> str:
    """ "5m ago", "in 2h", "now", "never": for status lines and tables."""
    if moment is None:
        return "never"
    seconds = int((moment - now).total_seconds())
    future, seconds = seconds > 0, abs(seconds)
    if seconds < 60:
        return "now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            amount = f"{seconds // size}{unit}"
            break
    return f"in {amount}" if future else f"{amount} ago"


def utc_now() -> datetime:
    """The clock everything uses by default; tests and snapshots pass a fixed one."""
    return datetime.now(UTC)
