"""Conversions between Python values and their stored form. Times are whole UTC epoch seconds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from newstui.core.models import Enclosure


def epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def enclosures_json(enclosures: tuple[Enclosure, ...]) -> str | None:
    if not enclosures:
        return None
    return json.dumps([[e.url, e.type, e.length] for e in enclosures])


def enclosures_from_json(value: str | None) -> tuple[Enclosure, ...]:
    if not value:
        return ()
    return tuple(Enclosure(url, kind, length) for url, kind, length in json.loads(value))
